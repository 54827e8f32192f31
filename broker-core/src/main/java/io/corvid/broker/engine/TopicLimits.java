package io.corvid.broker.engine;

import io.corvid.broker.BrokerConfig;
import io.corvid.broker.topic.Topics;
import java.nio.charset.StandardCharsets;

/**
 * The configured bounds on topic names and filters: levels and UTF-8 length. Cheap for the
 * common case: a topic shorter than both limits is accepted without being scanned.
 */
final class TopicLimits {
    private final int maxLevels;
    private final int maxLength;

    TopicLimits(BrokerConfig config) {
        this.maxLevels = config.maxTopicLevels();
        this.maxLength = config.maxTopicLength();
    }

    /** Why {@code topic} (a name or a filter) is over a limit, or {@code null} when it is within them. */
    String violation(String topic) {
        // A UTF-8 string is at least as many bytes as chars and at most three times as many.
        if (topic.length() > maxLength || topic.length() * 3L > maxLength
                && topic.getBytes(StandardCharsets.UTF_8).length > maxLength) {
            return "topic longer than " + maxLength + " bytes";
        }
        String levelled = topic;
        if (Topics.isShared(topic)) {
            Topics.SharedFilter shared = Topics.parseShared(topic);
            levelled = shared == null ? topic : shared.filter();
        }
        // n levels need at least n - 1 separators, so a shorter string cannot have too many.
        if (levelled.length() >= maxLevels && levels(levelled) > maxLevels) {
            return "topic with more than " + maxLevels + " levels";
        }
        return null;
    }

    private static int levels(String topic) {
        int levels = 1;
        for (int i = 0; i < topic.length(); i++) {
            if (topic.charAt(i) == '/') {
                levels++;
            }
        }
        return levels;
    }
}
