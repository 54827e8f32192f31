package io.corvid.broker.topic;

/**
 * Splits topic names and filters into their levels. {@code String.split} would compile a
 * regular expression path and drop trailing empty levels, which are significant in MQTT
 * ({@code "a/"} has two levels, the second empty).
 */
final class TopicLevels {
    /** The single-level wildcard as a whole level. */
    static final String SINGLE = "+";
    /** The multi-level wildcard as a whole level. */
    static final String MULTI = "#";

    private TopicLevels() {
    }

    /** The levels of a topic name or filter; one more than the number of separators. */
    static String[] split(String text) {
        int separators = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '/') {
                separators++;
            }
        }
        return split(text, separators);
    }

    /**
     * The levels of a topic name as PUBLISH carries it. Validates in the same pass so that the
     * publish path scans the name only once.
     *
     * @throws IllegalArgumentException when the name is empty or holds a wildcard
     */
    static String[] splitTopicName(String topicName) {
        int length = topicName.length();
        if (length == 0) {
            throw new IllegalArgumentException("empty topic name");
        }
        int separators = 0;
        for (int i = 0; i < length; i++) {
            char c = topicName.charAt(i);
            if (c == '/') {
                separators++;
            } else if (c == '+' || c == '#') {
                throw new IllegalArgumentException("wildcard in topic name: " + topicName);
            }
        }
        return split(topicName, separators);
    }

    private static String[] split(String text, int separators) {
        if (separators == 0) {
            return new String[] {text};
        }
        String[] levels = new String[separators + 1];
        int count = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '/') {
                levels[count++] = text.substring(start, i);
                start = i + 1;
            }
        }
        levels[count] = text.substring(start);
        return levels;
    }
}
