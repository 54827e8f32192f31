package io.corvid.broker.packet;

/**
 * The fifteen MQTT control packet types, with the value of the type nibble of the fixed
 * header and the flags nibble that the specification fixes for each type.
 */
public enum PacketType {
    CONNECT(1, 0b0000),
    CONNACK(2, 0b0000),
    /** The flags of PUBLISH carry DUP, QoS and RETAIN, so they are not fixed. */
    PUBLISH(3, -1),
    PUBACK(4, 0b0000),
    PUBREC(5, 0b0000),
    PUBREL(6, 0b0010),
    PUBCOMP(7, 0b0000),
    SUBSCRIBE(8, 0b0010),
    SUBACK(9, 0b0000),
    UNSUBSCRIBE(10, 0b0010),
    UNSUBACK(11, 0b0000),
    PINGREQ(12, 0b0000),
    PINGRESP(13, 0b0000),
    DISCONNECT(14, 0b0000),
    /** MQTT 5.0 only. */
    AUTH(15, 0b0000);

    private static final PacketType[] BY_VALUE = new PacketType[16];

    static {
        for (PacketType type : values()) {
            BY_VALUE[type.value] = type;
        }
    }

    private final int value;
    private final int fixedFlags;

    PacketType(int value, int fixedFlags) {
        this.value = value;
        this.fixedFlags = fixedFlags;
    }

    /** The value of the four high bits of the first fixed-header byte. */
    public int value() {
        return value;
    }

    /** The flags nibble the specification requires, or -1 for PUBLISH whose flags vary. */
    public int fixedFlags() {
        return fixedFlags;
    }

    /**
     * Returns the type with the given nibble value, or {@code null} for 0 (reserved) and
     * values outside 1..15.
     */
    public static PacketType fromValue(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}
