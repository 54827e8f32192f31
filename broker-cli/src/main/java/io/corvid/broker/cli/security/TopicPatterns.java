package io.corvid.broker.cli.security;

/**
 * How ACL rule topics relate to topic names and to subscription filters, with MQTT's wildcard
 * rules: {@code +} is one whole level, {@code #} the whole rest including the parent level
 * ({@code a/#} matches {@code a}), and a topic starting with {@code $} is matched only by a
 * filter whose first level is that same literal (MQTT 3.1.1 4.7.2, 5.0 4.7.2), as in
 * Mosquitto's {@code mosquitto_topic_matches_sub}.
 *
 * <p>Topics and filters are compared level by level; levels are split at every {@code /}, empty
 * levels included.
 */
final class TopicPatterns {
    private TopicPatterns() {
    }

    /** The levels of a topic or filter, empty ones included. */
    static String[] levels(String topicOrFilter) {
        return topicOrFilter.split("/", -1);
    }

    /** Whether the text is a valid filter: {@code +} and {@code #} only as whole levels, {@code #} last. */
    static boolean isValidFilter(String filter) {
        if (filter.isEmpty()) {
            return false;
        }
        String[] levels = levels(filter);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            boolean wildcard = level.equals("+") || level.equals("#");
            if (!wildcard && (level.indexOf('+') >= 0 || level.indexOf('#') >= 0)) {
                return false;
            }
            if (level.equals("#") && i != levels.length - 1) {
                return false;
            }
        }
        return true;
    }

    /** Whether the topic name (no wildcards) matches the filter. */
    static boolean matches(String[] filter, String[] topic) {
        if (dollarMismatch(filter, topic)) {
            return false;
        }
        for (int i = 0; i < filter.length; i++) {
            if (filter[i].equals("#")) {
                return true;
            }
            if (i == topic.length) {
                return false;
            }
            if (!filter[i].equals("+") && !filter[i].equals(topic[i])) {
                return false;
            }
        }
        return filter.length == topic.length;
    }

    /**
     * Whether every topic that {@code filter} matches is also matched by {@code rule}: a
     * subscription to {@code filter} can then only ever receive messages the rule covers.
     */
    static boolean covers(String[] rule, String[] filter) {
        if (dollarMismatch(rule, filter)) {
            return false;
        }
        for (int i = 0; i < rule.length; i++) {
            if (rule[i].equals("#")) {
                return true;
            }
            if (i == filter.length) {
                return false;
            }
            if (filter[i].equals("#")) {
                // A whole-topic "#" never stands for zero levels, so "+/#" covers it; anywhere
                // else "#" also stands for the parent level, which only "#" covers.
                return i == 0 && rule.length == 2 && rule[0].equals("+") && rule[1].equals("#");
            }
            if (filter[i].equals("+") ? !rule[i].equals("+") : !rule[i].equals("+") && !rule[i].equals(filter[i])) {
                return false;
            }
        }
        return rule.length == filter.length;
    }

    /** Whether some topic is matched by both filters. */
    static boolean overlaps(String[] first, String[] second) {
        if (dollarMismatch(first, second)) {
            return false;
        }
        int common = Math.min(first.length, second.length);
        for (int i = 0; i < common; i++) {
            if (first[i].equals("#") || second[i].equals("#")) {
                return true;
            }
            if (!first[i].equals("+") && !second[i].equals("+") && !first[i].equals(second[i])) {
                return false;
            }
        }
        if (first.length == second.length) {
            return true;
        }
        // The longer one may end in "#" just past the shorter, which also matches the parent level.
        String[] longer = first.length > second.length ? first : second;
        return longer.length == common + 1 && longer[common].equals("#");
    }

    /**
     * Whether the two cannot meet because of the {@code $} rule: topics starting with
     * {@code $} are only reached through a literal {@code $...} first level, never through a
     * wildcard there.
     */
    private static boolean dollarMismatch(String[] first, String[] second) {
        return isDollar(first[0]) && isWildcard(second[0]) || isDollar(second[0]) && isWildcard(first[0]);
    }

    private static boolean isDollar(String level) {
        return level.startsWith("$");
    }

    private static boolean isWildcard(String level) {
        return level.equals("+") || level.equals("#");
    }
}
