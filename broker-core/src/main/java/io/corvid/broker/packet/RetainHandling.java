package io.corvid.broker.packet;

/** MQTT 5.0 subscription option: whether retained messages are sent when a subscription is made. */
public enum RetainHandling {
    /** Send retained messages at the time of the subscribe. */
    SEND_ON_SUBSCRIBE(0),
    /** Send retained messages only if the subscription did not exist before. */
    SEND_IF_NEW_SUBSCRIPTION(1),
    /** Never send retained messages on subscribe. */
    DO_NOT_SEND(2);

    private static final RetainHandling[] BY_VALUE = values();

    private final int value;

    RetainHandling(int value) {
        this.value = value;
    }

    /** The two-bit wire value. */
    public int value() {
        return value;
    }

    /** Returns the option for a wire value, or {@code null} for 3 (reserved). */
    public static RetainHandling fromValue(int value) {
        return value >= 0 && value <= 2 ? BY_VALUE[value] : null;
    }
}
