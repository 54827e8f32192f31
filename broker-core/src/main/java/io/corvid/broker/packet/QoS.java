package io.corvid.broker.packet;

/** MQTT quality of service levels. */
public enum QoS {
    AT_MOST_ONCE(0),
    AT_LEAST_ONCE(1),
    EXACTLY_ONCE(2);

    private static final QoS[] BY_VALUE = values();

    private final int value;

    QoS(int value) {
        this.value = value;
    }

    /** The wire value, 0, 1 or 2. */
    public int value() {
        return value;
    }

    /** Returns the level for a wire value, or {@code null} for anything but 0, 1 and 2. */
    public static QoS fromValue(int value) {
        return value >= 0 && value <= 2 ? BY_VALUE[value] : null;
    }

    /** The lower of two levels: what a subscriber receives of a message published at another. */
    public static QoS min(QoS a, QoS b) {
        return a.value <= b.value ? a : b;
    }

    /** The higher of two levels. */
    public static QoS max(QoS a, QoS b) {
        return a.value >= b.value ? a : b;
    }
}
