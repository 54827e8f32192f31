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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link ReasonCode} against the table of MQTT 5.0 section 2.4. */
class ReasonCodeTest {

    static Stream<Arguments> specificationTable() {
        return Stream.of(
                row(ReasonCode.SUCCESS, 0x00, CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK, AUTH),
                row(ReasonCode.NORMAL_DISCONNECTION, 0x00, DISCONNECT),
                row(ReasonCode.GRANTED_QOS_0, 0x00, SUBACK),
                row(ReasonCode.GRANTED_QOS_1, 0x01, SUBACK),
                row(ReasonCode.GRANTED_QOS_2, 0x02, SUBACK),
                row(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, 0x04, DISCONNECT),
                row(ReasonCode.NO_MATCHING_SUBSCRIBERS, 0x10, PUBACK, PUBREC),
                row(ReasonCode.NO_SUBSCRIPTION_EXISTED, 0x11, UNSUBACK),
                row(ReasonCode.CONTINUE_AUTHENTICATION, 0x18, AUTH),
                row(ReasonCode.RE_AUTHENTICATE, 0x19, AUTH),
                row(ReasonCode.UNSPECIFIED_ERROR, 0x80, CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK, DISCONNECT),
                row(ReasonCode.MALFORMED_PACKET, 0x81, CONNACK, DISCONNECT),
                row(ReasonCode.PROTOCOL_ERROR, 0x82, CONNACK, DISCONNECT),
                row(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, 0x83, CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK,
                        DISCONNECT),
                row(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, 0x84, CONNACK),
                row(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, 0x85, CONNACK),
                row(ReasonCode.BAD_USER_NAME_OR_PASSWORD, 0x86, CONNACK),
                row(ReasonCode.NOT_AUTHORIZED, 0x87, CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK, DISCONNECT),
                row(ReasonCode.SERVER_UNAVAILABLE, 0x88, CONNACK),
                row(ReasonCode.SERVER_BUSY, 0x89, CONNACK, DISCONNECT),
                row(ReasonCode.BANNED, 0x8A, CONNACK),
                row(ReasonCode.SERVER_SHUTTING_DOWN, 0x8B, DISCONNECT),
                row(ReasonCode.BAD_AUTHENTICATION_METHOD, 0x8C, CONNACK, DISCONNECT),
                row(ReasonCode.KEEP_ALIVE_TIMEOUT, 0x8D, DISCONNECT),
                row(ReasonCode.SESSION_TAKEN_OVER, 0x8E, DISCONNECT),
                row(ReasonCode.TOPIC_FILTER_INVALID, 0x8F, SUBACK, UNSUBACK, DISCONNECT),
                row(ReasonCode.TOPIC_NAME_INVALID, 0x90, CONNACK, PUBACK, PUBREC, DISCONNECT),
                row(ReasonCode.PACKET_IDENTIFIER_IN_USE, 0x91, PUBACK, PUBREC, SUBACK, UNSUBACK),
                row(ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, 0x92, PUBREL, PUBCOMP),
                row(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, 0x93, DISCONNECT),
                row(ReasonCode.TOPIC_ALIAS_INVALID, 0x94, DISCONNECT),
                row(ReasonCode.PACKET_TOO_LARGE, 0x95, CONNACK, DISCONNECT),
                row(ReasonCode.MESSAGE_RATE_TOO_HIGH, 0x96, DISCONNECT),
                row(ReasonCode.QUOTA_EXCEEDED, 0x97, CONNACK, PUBACK, PUBREC, SUBACK, DISCONNECT),
                row(ReasonCode.ADMINISTRATIVE_ACTION, 0x98, DISCONNECT),
                row(ReasonCode.PAYLOAD_FORMAT_INVALID, 0x99, CONNACK, PUBACK, PUBREC, DISCONNECT),
                row(ReasonCode.RETAIN_NOT_SUPPORTED, 0x9A, CONNACK, DISCONNECT),
                row(ReasonCode.QOS_NOT_SUPPORTED, 0x9B, CONNACK, DISCONNECT),
                row(ReasonCode.USE_ANOTHER_SERVER, 0x9C, CONNACK, DISCONNECT),
                row(ReasonCode.SERVER_MOVED, 0x9D, CONNACK, DISCONNECT),
                row(ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED, 0x9E, SUBACK, DISCONNECT),
                row(ReasonCode.CONNECTION_RATE_EXCEEDED, 0x9F, CONNACK, DISCONNECT),
                row(ReasonCode.MAXIMUM_CONNECT_TIME, 0xA0, DISCONNECT),
                row(ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED, 0xA1, SUBACK, DISCONNECT),
                row(ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED, 0xA2, SUBACK, DISCONNECT));
    }

    private static Arguments row(ReasonCode code, int value, PacketType... packets) {
        EnumSet<PacketType> set = EnumSet.noneOf(PacketType.class);
        set.addAll(List.of(packets));
        return Arguments.of(code, value, set);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specificationTable")
    void matchesTheSpecificationTable(ReasonCode code, int value, Set<PacketType> packets) {
        assertEquals(value, code.value());
        assertEquals(value >= 0x80, code.isError());
        for (PacketType type : PacketType.values()) {
            assertEquals(packets.contains(type), code.isAllowedIn(type), code + " in " + type);
            if (packets.contains(type)) {
                // Within one packet type a value means one thing only.
                assertSame(code, ReasonCode.fromValue(value, type), code + " in " + type);
            }
        }
    }

    @Test
    void listsEveryCodeOfTheSpecificationAndNoOther() {
        assertEquals(ReasonCode.values().length, specificationTable().count());
    }

    @Test
    void resolvesSharedValuesByPacketType() {
        assertSame(ReasonCode.SUCCESS, ReasonCode.fromValue(0x00, CONNACK));
        assertSame(ReasonCode.NORMAL_DISCONNECTION, ReasonCode.fromValue(0x00, DISCONNECT));
        assertSame(ReasonCode.GRANTED_QOS_0, ReasonCode.fromValue(0x00, SUBACK));
        assertNull(ReasonCode.fromValue(0x04, CONNACK));
        assertNull(ReasonCode.fromValue(0x80, PUBREL), "PUBREL has no 0x80");
        assertNull(ReasonCode.fromValue(0x00, PacketType.PUBLISH), "PUBLISH carries no reason code");
        assertNull(ReasonCode.fromValue(-1, CONNACK));
        assertNull(ReasonCode.fromValue(256, CONNACK));
        assertNull(ReasonCode.fromValue(0xFF, DISCONNECT));
    }

    @Test
    void grantsEachQosWithItsCode() {
        assertSame(ReasonCode.GRANTED_QOS_0, ReasonCode.granted(QoS.AT_MOST_ONCE));
        assertSame(ReasonCode.GRANTED_QOS_1, ReasonCode.granted(QoS.AT_LEAST_ONCE));
        assertSame(ReasonCode.GRANTED_QOS_2, ReasonCode.granted(QoS.EXACTLY_ONCE));
    }
}
