package io.corvid.broker.packet;

import static io.corvid.broker.packet.PacketType.AUTH;
import static io.corvid.broker.packet.PacketType.CONNACK;
import static io.corvid.broker.packet.PacketType.DISCONNECT;
import static io.corvid.broker.packet.PacketType.PUBACK;
import static io.corvid.broker.packet.PacketType.PUBCOMP;
import static io.corvid.broker.packet.PacketType.PUBREC;
import static io.corvid.broker.packet.PacketType.PUBREL;
import static io.corvid.broker.packet.PacketType.SUBACK;
import static io.corvid.broker.packet.PacketType.UNSUBACK;

/**
 * Every MQTT 5.0 reason code (specification section 2.4), with its wire value and the packets
 * that may carry it. Several codes share a value (0x00 is Success, Normal disconnection and
 * Granted QoS 0); {@link #fromValue(int, PacketType)} resolves a value in the context of the
 * packet it arrived in.
 *
 * <p>MQTT 3.1.1 CONNACK return codes and SUBACK failure codes map onto these constants in the
 * codec, so the rest of the broker speaks one vocabulary.
 */
public enum ReasonCode {
    SUCCESS(0x00, CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK, AUTH),
    NORMAL_DISCONNECTION(0x00, DISCONNECT),
    GRANTED_QOS_0(0x00, SUBACK),
    GRANTED_QOS_1(0x01, SUBACK),
    GRANTED_QOS_2(0x02, SUBACK),
    DISCONNECT_WITH_WILL_MESSAGE(0x04, DISCONNECT),
    NO_MATCHING_SUBSCRIBERS(0x10, PUBACK, PUBREC),
    NO_SUBSCRIPTION_EXISTED(0x11, UNSUBACK),
    CONTINUE_AUTHENTICATION(0x18, AUTH),
    RE_AUTHENTICATE(0x19, AUTH),
    UNSPECIFIED_ERROR(0x80, CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK, DISCONNECT),
    MALFORMED_PACKET(0x81, CONNACK, DISCONNECT),
    PROTOCOL_ERROR(0x82, CONNACK, DISCONNECT),
    IMPLEMENTATION_SPECIFIC_ERROR(0x83, CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK, DISCONNECT),
    UNSUPPORTED_PROTOCOL_VERSION(0x84, CONNACK),
    CLIENT_IDENTIFIER_NOT_VALID(0x85, CONNACK),
    BAD_USER_NAME_OR_PASSWORD(0x86, CONNACK),
    NOT_AUTHORIZED(0x87, CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK, DISCONNECT),
    SERVER_UNAVAILABLE(0x88, CONNACK),
    SERVER_BUSY(0x89, CONNACK, DISCONNECT),
    BANNED(0x8A, CONNACK),
    SERVER_SHUTTING_DOWN(0x8B, DISCONNECT),
    BAD_AUTHENTICATION_METHOD(0x8C, CONNACK, DISCONNECT),
    KEEP_ALIVE_TIMEOUT(0x8D, DISCONNECT),
    SESSION_TAKEN_OVER(0x8E, DISCONNECT),
    TOPIC_FILTER_INVALID(0x8F, SUBACK, UNSUBACK, DISCONNECT),
    TOPIC_NAME_INVALID(0x90, CONNACK, PUBACK, PUBREC, DISCONNECT),
    PACKET_IDENTIFIER_IN_USE(0x91, PUBACK, PUBREC, SUBACK, UNSUBACK),
    PACKET_IDENTIFIER_NOT_FOUND(0x92, PUBREL, PUBCOMP),
    RECEIVE_MAXIMUM_EXCEEDED(0x93, DISCONNECT),
    TOPIC_ALIAS_INVALID(0x94, DISCONNECT),
    PACKET_TOO_LARGE(0x95, CONNACK, DISCONNECT),
    MESSAGE_RATE_TOO_HIGH(0x96, DISCONNECT),
    QUOTA_EXCEEDED(0x97, CONNACK, PUBACK, PUBREC, SUBACK, DISCONNECT),
    ADMINISTRATIVE_ACTION(0x98, DISCONNECT),
    PAYLOAD_FORMAT_INVALID(0x99, CONNACK, PUBACK, PUBREC, DISCONNECT),
    RETAIN_NOT_SUPPORTED(0x9A, CONNACK, DISCONNECT),
    QOS_NOT_SUPPORTED(0x9B, CONNACK, DISCONNECT),
    USE_ANOTHER_SERVER(0x9C, CONNACK, DISCONNECT),
    SERVER_MOVED(0x9D, CONNACK, DISCONNECT),
    SHARED_SUBSCRIPTIONS_NOT_SUPPORTED(0x9E, SUBACK, DISCONNECT),
    CONNECTION_RATE_EXCEEDED(0x9F, CONNACK, DISCONNECT),
    MAXIMUM_CONNECT_TIME(0xA0, DISCONNECT),
    SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED(0xA1, SUBACK, DISCONNECT),
    WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED(0xA2, SUBACK, DISCONNECT);

    /** [packet type value][reason code value] to constant, built once. */
    private static final ReasonCode[][] BY_PACKET_AND_VALUE = new ReasonCode[16][256];

    static {
        for (ReasonCode code : values()) {
            for (PacketType type : PacketType.values()) {
                if (code.isAllowedIn(type)) {
                    BY_PACKET_AND_VALUE[type.value()][code.value] = code;
                }
            }
        }
    }

    private final int value;
    private final int allowedPacketMask;

    ReasonCode(int value, PacketType... allowedIn) {
        this.value = value;
        int mask = 0;
        for (PacketType type : allowedIn) {
            mask |= 1 << type.value();
        }
        this.allowedPacketMask = mask;
    }

    /** The one-byte wire value. */
    public int value() {
        return value;
    }

    /** Whether the specification allows this code in the given packet type. */
    public boolean isAllowedIn(PacketType type) {
        return (allowedPacketMask & (1 << type.value())) != 0;
    }

    /** Values of 0x80 and above report a failure. */
    public boolean isError() {
        return value >= 0x80;
    }

    /**
     * Resolves a wire value in the context of a packet type, or returns {@code null} when the
     * value is not a reason code that packet may carry.
     */
    public static ReasonCode fromValue(int value, PacketType type) {
        if (value < 0 || value > 255) {
            return null;
        }
        return BY_PACKET_AND_VALUE[type.value()][value];
    }

    /** The SUBACK code that grants the given QoS. */
    public static ReasonCode granted(QoS qos) {
        switch (qos) {
            case AT_MOST_ONCE:
                return GRANTED_QOS_0;
            case AT_LEAST_ONCE:
                return GRANTED_QOS_1;
            default:
                return GRANTED_QOS_2;
        }
    }
}
