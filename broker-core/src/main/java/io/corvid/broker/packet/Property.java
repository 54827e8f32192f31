package io.corvid.broker.packet;

import static io.corvid.broker.packet.PacketType.AUTH;
import static io.corvid.broker.packet.PacketType.CONNACK;
import static io.corvid.broker.packet.PacketType.CONNECT;
import static io.corvid.broker.packet.PacketType.DISCONNECT;
import static io.corvid.broker.packet.PacketType.PUBACK;
import static io.corvid.broker.packet.PacketType.PUBCOMP;
import static io.corvid.broker.packet.PacketType.PUBLISH;
import static io.corvid.broker.packet.PacketType.PUBREC;
import static io.corvid.broker.packet.PacketType.PUBREL;
import static io.corvid.broker.packet.PacketType.SUBACK;
import static io.corvid.broker.packet.PacketType.SUBSCRIBE;
import static io.corvid.broker.packet.PacketType.UNSUBACK;
import static io.corvid.broker.packet.PacketType.UNSUBSCRIBE;

/**
 * Every MQTT 5.0 property (specification section 2.2.2.2): its identifier, its wire type, and
 * where it may appear. "Where" is a set of packet types plus the will properties of CONNECT,
 * which are a context of their own.
 */
public enum Property {
    PAYLOAD_FORMAT_INDICATOR(0x01, Type.BYTE, true, PUBLISH),
    MESSAGE_EXPIRY_INTERVAL(0x02, Type.FOUR_BYTE_INTEGER, true, PUBLISH),
    CONTENT_TYPE(0x03, Type.UTF8_STRING, true, PUBLISH),
    RESPONSE_TOPIC(0x08, Type.UTF8_STRING, true, PUBLISH),
    CORRELATION_DATA(0x09, Type.BINARY_DATA, true, PUBLISH),
    SUBSCRIPTION_IDENTIFIER(0x0B, Type.VARIABLE_BYTE_INTEGER, false, PUBLISH, SUBSCRIBE),
    SESSION_EXPIRY_INTERVAL(0x11, Type.FOUR_BYTE_INTEGER, false, CONNECT, CONNACK, DISCONNECT),
    ASSIGNED_CLIENT_IDENTIFIER(0x12, Type.UTF8_STRING, false, CONNACK),
    SERVER_KEEP_ALIVE(0x13, Type.TWO_BYTE_INTEGER, false, CONNACK),
    AUTHENTICATION_METHOD(0x15, Type.UTF8_STRING, false, CONNECT, CONNACK, AUTH),
    AUTHENTICATION_DATA(0x16, Type.BINARY_DATA, false, CONNECT, CONNACK, AUTH),
    REQUEST_PROBLEM_INFORMATION(0x17, Type.BYTE, false, CONNECT),
    WILL_DELAY_INTERVAL(0x18, Type.FOUR_BYTE_INTEGER, true),
    REQUEST_RESPONSE_INFORMATION(0x19, Type.BYTE, false, CONNECT),
    RESPONSE_INFORMATION(0x1A, Type.UTF8_STRING, false, CONNACK),
    SERVER_REFERENCE(0x1C, Type.UTF8_STRING, false, CONNACK, DISCONNECT),
    REASON_STRING(0x1F, Type.UTF8_STRING, false,
            CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH),
    RECEIVE_MAXIMUM(0x21, Type.TWO_BYTE_INTEGER, false, CONNECT, CONNACK),
    TOPIC_ALIAS_MAXIMUM(0x22, Type.TWO_BYTE_INTEGER, false, CONNECT, CONNACK),
    TOPIC_ALIAS(0x23, Type.TWO_BYTE_INTEGER, false, PUBLISH),
    MAXIMUM_QOS(0x24, Type.BYTE, false, CONNACK),
    RETAIN_AVAILABLE(0x25, Type.BYTE, false, CONNACK),
    USER_PROPERTY(0x26, Type.UTF8_STRING_PAIR, true,
            CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP,
            SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH),
    MAXIMUM_PACKET_SIZE(0x27, Type.FOUR_BYTE_INTEGER, false, CONNECT, CONNACK),
    WILDCARD_SUBSCRIPTION_AVAILABLE(0x28, Type.BYTE, false, CONNACK),
    SUBSCRIPTION_IDENTIFIER_AVAILABLE(0x29, Type.BYTE, false, CONNACK),
    SHARED_SUBSCRIPTION_AVAILABLE(0x2A, Type.BYTE, false, CONNACK);

    /** The wire types of property values (specification section 1.5). */
    public enum Type {
        BYTE,
        TWO_BYTE_INTEGER,
        FOUR_BYTE_INTEGER,
        VARIABLE_BYTE_INTEGER,
        UTF8_STRING,
        BINARY_DATA,
        UTF8_STRING_PAIR
    }

    /** The highest identifier in use; identifiers are looked up in an array this long plus one. */
    public static final int MAX_IDENTIFIER = 0x2A;

    private static final Property[] BY_IDENTIFIER = new Property[MAX_IDENTIFIER + 1];

    static {
        for (Property property : values()) {
            BY_IDENTIFIER[property.identifier] = property;
        }
    }

    private final int identifier;
    private final Type type;
    private final boolean allowedInWill;
    private final int allowedPacketMask;

    Property(int identifier, Type type, boolean allowedInWill, PacketType... allowedIn) {
        this.identifier = identifier;
        this.type = type;
        this.allowedInWill = allowedInWill;
        int mask = 0;
        for (PacketType packetType : allowedIn) {
            mask |= 1 << packetType.value();
        }
        this.allowedPacketMask = mask;
    }

    /** The identifier byte written before the value. */
    public int identifier() {
        return identifier;
    }

    /** The wire type of the value. */
    public Type type() {
        return type;
    }

    /** Whether the property may appear in the given packet's own property list. */
    public boolean isAllowedIn(PacketType packetType) {
        return (allowedPacketMask & (1 << packetType.value())) != 0;
    }

    /** Whether the property may appear among the will properties of CONNECT. */
    public boolean isAllowedInWill() {
        return allowedInWill;
    }

    /**
     * Whether the property may appear more than once in one property list. User properties
     * always may; subscription identifiers may in PUBLISH (one per matching subscription) but
     * not in SUBSCRIBE.
     */
    public boolean isRepeatableIn(PacketType packetType) {
        return this == USER_PROPERTY || (this == SUBSCRIPTION_IDENTIFIER && packetType == PUBLISH);
    }

    /** Returns the property with the given identifier, or {@code null} if none has it. */
    public static Property fromIdentifier(int identifier) {
        return identifier >= 0 && identifier <= MAX_IDENTIFIER ? BY_IDENTIFIER[identifier] : null;
    }
}
