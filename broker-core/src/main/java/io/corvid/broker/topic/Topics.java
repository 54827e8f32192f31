package io.corvid.broker.topic;

/**
 * Topic name and topic filter rules (MQTT 5.0 section 4.7, identical in 3.1.1 apart from
 * shared subscriptions).
 */
public final class Topics {
    /** The prefix of a shared subscription filter: {@code $share/{group}/{filter}}. */
    public static final String SHARED_PREFIX = "$share/";
    /** The first level of the topics the broker publishes about itself. */
    public static final String SYS_ROOT = "$SYS";
    /** Where Mosquitto bridges report their state: {@code $SYS/broker/connection/{name}/state}. */
    private static final String BRIDGE_STATE_PREFIX = "$SYS/broker/connection/";
    private static final String BRIDGE_STATE_SUFFIX = "/state";

    private Topics() {
    }

    /** A topic name as PUBLISH carries it: at least one character and no wildcard. */
    public static boolean isValidTopicName(String topic) {
        return !topic.isEmpty() && !containsWildcard(topic);
    }

    /** Whether the topic is {@code $SYS} or below it. */
    public static boolean isSysTopic(String topic) {
        return topic.startsWith(SYS_ROOT) && (topic.length() == SYS_ROOT.length() || topic.charAt(SYS_ROOT.length()) == '/');
    }

    /**
     * Whether clients may not publish to this topic (nor leave a will there): {@code $SYS} and
     * below belong to the broker, whose state subscribers must be able to trust. The one
     * exception is Mosquitto's: {@code $SYS/broker/connection/{name}/state}, where a Mosquitto
     * bridge publishes its state and sets its will, so that such a bridge can connect at all.
     */
    public static boolean isReservedForBroker(String topic) {
        return isSysTopic(topic) && !isBridgeState(topic);
    }

    private static boolean isBridgeState(String topic) {
        return topic.startsWith(BRIDGE_STATE_PREFIX) && topic.endsWith(BRIDGE_STATE_SUFFIX)
                && topic.length() >= BRIDGE_STATE_PREFIX.length() + BRIDGE_STATE_SUFFIX.length()
                && topic.indexOf('/', BRIDGE_STATE_PREFIX.length()) == topic.length() - BRIDGE_STATE_SUFFIX.length();
    }

    /** Whether the text holds {@code +} or {@code #}. */
    public static boolean containsWildcard(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+' || c == '#') {
                return true;
            }
        }
        return false;
    }

    /**
     * A topic filter as SUBSCRIBE carries it: at least one character, {@code #} only as the
     * whole last level, {@code +} only as a whole level. Shared subscription filters are valid
     * when their group name and inner filter are.
     */
    public static boolean isValidTopicFilter(String filter) {
        if (isShared(filter)) {
            return parseShared(filter) != null;
        }
        return isValidPlainFilter(filter);
    }

    /** Whether the filter names a shared subscription (it may still be invalid). */
    public static boolean isShared(String filter) {
        return filter.startsWith(SHARED_PREFIX);
    }

    /**
     * Splits {@code $share/group/filter} into its group and filter, or returns {@code null} when
     * the group name is empty or holds {@code +}, {@code #} or {@code /}, or the inner filter is
     * not a valid filter.
     */
    public static SharedFilter parseShared(String filter) {
        if (!isShared(filter)) {
            return null;
        }
        int groupStart = SHARED_PREFIX.length();
        int slash = filter.indexOf('/', groupStart);
        if (slash <= groupStart) {
            return null;
        }
        String group = filter.substring(groupStart, slash);
        if (containsWildcard(group)) {
            return null;
        }
        String inner = filter.substring(slash + 1);
        if (!isValidPlainFilter(inner)) {
            return null;
        }
        return new SharedFilter(group, inner);
    }

    /** Whether the filter holds a wildcard (which a broker without wildcard support refuses). */
    public static boolean isWildcardFilter(String filter) {
        SharedFilter shared = parseShared(filter);
        return containsWildcard(shared == null ? filter : shared.filter());
    }

    private static boolean isValidPlainFilter(String filter) {
        int length = filter.length();
        if (length == 0) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = filter.charAt(i);
            if (c == '+' || c == '#') {
                boolean startsLevel = i == 0 || filter.charAt(i - 1) == '/';
                boolean endsLevel = i == length - 1 || filter.charAt(i + 1) == '/';
                if (!startsLevel || !endsLevel) {
                    return false;
                }
                if (c == '#' && i != length - 1) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The two parts of a shared subscription filter.
     *
     * @param group  the share name
     * @param filter the topic filter the group shares
     */
    public record SharedFilter(String group, String filter) {
    }
}
