package io.corvid.broker.codec;

import static io.corvid.broker.packet.QoS.AT_LEAST_ONCE;
import static io.corvid.broker.packet.QoS.AT_MOST_ONCE;
import static io.corvid.broker.packet.QoS.EXACTLY_ONCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corvid.broker.codec.PacketCatalogue.Case;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.RetainHandling;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import io.corvid.broker.packet.Will;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The encoder against fixed bytes: every canonical catalogue case, the examples printed in the
 * MQTT 3.1.1 and 5.0 specifications, the first header byte of every packet type, and how
 * 5.0-only content is left out of the 3.1.1 wire form.
 */
class GoldenVectorTest {

    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;
    private static final ProtocolVersion V5 = ProtocolVersion.MQTT_5;
    private static final Properties REASON = Properties.builder().put(Property.REASON_STRING, "r").build();

    static Stream<Case> canonicalCases() {
        return PacketCatalogue.packets().stream().filter(Case::canonical);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("canonicalCases")
    void encodesEveryCanonicalCatalogueCaseToItsBytes(Case c) {
        byte[] encoded = MqttEncoder.encode(c.packet(), c.encodingVersion());
        assertArrayEquals(c.bytes(), encoded, () -> "expected " + Hex.format(c.bytes()) + "\n but was " + Hex.format(encoded));
    }

    /**
     * The specifications print parts of packets (variable headers, payloads) as byte tables;
     * the encoder must produce exactly those bytes at the right place.
     */
    static Stream<Arguments> specificationFigures() {
        byte[] bye = "bye".getBytes(StandardCharsets.UTF_8);
        Will will = new Will("w/t", bye, AT_LEAST_ONCE, false, Properties.EMPTY);
        return Stream.of(
                Arguments.of("3.1.1 section 3.1.2.10: CONNECT variable header",
                        new Connect(V311, "c", true, 10, "u", new byte[] {1}, will, Properties.EMPTY), V311, 2,
                        "00 04 4D 51 54 54 04 CE 00 0A"),
                Arguments.of("5.0 section 3.1.2.11: CONNECT variable header",
                        new Connect(V5, "c", true, 10, "u", new byte[] {1}, will,
                                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 10L).build()), V5, 2,
                        "00 04 4D 51 54 54 05 CE 00 0A 05 11 00 00 00 0A"),
                Arguments.of("3.1.1 section 3.3.2.3: PUBLISH variable header",
                        new Publish("a/b", AT_LEAST_ONCE, false, false, 10, new byte[0], Properties.EMPTY), V311, 2,
                        "00 03 61 2F 62 00 0A"),
                Arguments.of("5.0 section 3.3.2.4: PUBLISH variable header",
                        new Publish("a/b", AT_LEAST_ONCE, false, false, 10, new byte[0], Properties.EMPTY), V5, 2,
                        "00 03 61 2F 62 00 0A 00"),
                Arguments.of("3.1.1 section 3.8.2 and 3.8.3: SUBSCRIBE variable header and payload",
                        new Subscribe(10, List.of(new Subscription("a/b", AT_LEAST_ONCE),
                                new Subscription("c/d", EXACTLY_ONCE)), Properties.EMPTY), V311, 2,
                        "00 0A 00 03 61 2F 62 01 00 03 63 2F 64 02"),
                Arguments.of("5.0 section 3.8.3: SUBSCRIBE payload",
                        new Subscribe(10, List.of(new Subscription("a/b", AT_LEAST_ONCE),
                                new Subscription("c/d", EXACTLY_ONCE)), Properties.EMPTY), V5, 5,
                        "00 03 61 2F 62 01 00 03 63 2F 64 02"),
                Arguments.of("3.1.1 section 3.9.3: SUBACK payload",
                        new SubAck(10, List.of(ReasonCode.GRANTED_QOS_0, ReasonCode.GRANTED_QOS_2,
                                ReasonCode.UNSPECIFIED_ERROR), Properties.EMPTY), V311, 4,
                        "00 02 80"),
                Arguments.of("3.1.1 section 3.10.3: UNSUBSCRIBE payload",
                        new Unsubscribe(10, List.of("a/b", "c/d"), Properties.EMPTY), V311, 4,
                        "00 03 61 2F 62 00 03 63 2F 64"),
                Arguments.of("5.0 section 1.5.4 / 3.1.1 section 1.5.3: UTF-8 string example as a topic",
                        Publish.atMostOnce("A" + new String(Character.toChars(0x2A6D4)), new byte[0], false), V311, 2,
                        "00 05 41 F0 AA 9B 94"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specificationFigures")
    void reproducesTheExamplesOfTheSpecifications(String figure, MqttPacket packet, ProtocolVersion version,
                                                   int offset, String hex) {
        byte[] expected = Hex.parse(hex);
        byte[] encoded = MqttEncoder.encode(packet, version);
        byte[] actual = Arrays.copyOfRange(encoded, offset, Math.min(encoded.length, offset + expected.length));
        assertArrayEquals(expected, actual, () -> figure + ": packet was " + Hex.format(encoded));
    }

    /** 5.0 section 2.1.2 / 3.1.1 section 2.2: type nibble and fixed flags of every packet type. */
    @ParameterizedTest(name = "{0} starts with {1}")
    @CsvSource({
        "CONNECT, 10", "CONNACK, 20", "PUBACK, 40", "PUBREC, 50", "PUBREL, 62", "PUBCOMP, 70", "SUBSCRIBE, 82",
        "SUBACK, 90", "UNSUBSCRIBE, A2", "UNSUBACK, B0", "PINGREQ, C0", "PINGRESP, D0", "DISCONNECT, E0", "AUTH, F0",
    })
    void writesTheFirstHeaderByteOfEveryPacketType(PacketType type, String hex) {
        byte expected = Hex.parse(hex)[0];
        assertEquals(expected, MqttEncoder.encode(CodecRoundTripTest.sample(type, V5), V5)[0]);
        if (type != PacketType.AUTH) {
            assertEquals(expected, MqttEncoder.encode(CodecRoundTripTest.sample(type, V311), V311)[0]);
        }
    }

    /** 3.3.1: DUP is bit 3, QoS bits 2-1, RETAIN bit 0. */
    @ParameterizedTest(name = "dup={0} qos={1} retain={2} -> {3}")
    @CsvSource({
        "false, 0, false, 30", "false, 0, true, 31", "false, 1, false, 32", "false, 1, true, 33",
        "false, 2, false, 34", "false, 2, true, 35", "true, 1, false, 3A", "true, 1, true, 3B",
        "true, 2, false, 3C", "true, 2, true, 3D",
    })
    void writesThePublishFlags(boolean dup, int qos, boolean retain, String hex) {
        QoS level = QoS.fromValue(qos);
        Publish publish = new Publish("t", level, retain, dup, level == AT_MOST_ONCE ? 0 : 1, new byte[0],
                Properties.EMPTY);
        assertEquals(Hex.parse(hex)[0], MqttEncoder.encode(publish, V311)[0]);
    }

    /** What 3.1.1 cannot carry is left out or mapped to its nearest 3.1.1 meaning. */
    static Stream<Arguments> mqtt311FormsOfMqtt5Content() {
        return Stream.of(
                Arguments.of("CONNACK banned becomes not authorized",
                        new ConnAck(false, ReasonCode.BANNED, REASON), "20 02 00 05"),
                Arguments.of("CONNACK bad authentication method becomes bad user name or password",
                        new ConnAck(false, ReasonCode.BAD_AUTHENTICATION_METHOD, Properties.EMPTY), "20 02 00 04"),
                Arguments.of("CONNACK quota exceeded becomes server unavailable",
                        new ConnAck(false, ReasonCode.QUOTA_EXCEEDED, Properties.EMPTY), "20 02 00 03"),
                Arguments.of("CONNACK properties are dropped",
                        new ConnAck(true, ReasonCode.SUCCESS, REASON), "20 02 01 00"),
                Arguments.of("SUBACK failures all become 0x80",
                        new SubAck(10, List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.NOT_AUTHORIZED,
                                ReasonCode.QUOTA_EXCEEDED), REASON), "90 05 00 0A 01 80 80"),
                Arguments.of("PUBACK reason code and properties are dropped",
                        new PubAck(10, ReasonCode.NOT_AUTHORIZED, REASON), "40 02 00 0A"),
                Arguments.of("PUBREC reason code is dropped",
                        new PubRec(10, ReasonCode.QUOTA_EXCEEDED, Properties.EMPTY), "50 02 00 0A"),
                Arguments.of("DISCONNECT reason code is dropped",
                        new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN, REASON), "E0 00"),
                Arguments.of("UNSUBACK reason codes are dropped",
                        new UnsubAck(10, List.of(ReasonCode.SUCCESS, ReasonCode.NO_SUBSCRIPTION_EXISTED), REASON),
                        "B0 02 00 0A"),
                Arguments.of("SUBSCRIBE keeps only the QoS of the subscription options",
                        new Subscribe(10, List.of(new Subscription("a/b", AT_LEAST_ONCE, true, true,
                                RetainHandling.DO_NOT_SEND)), Properties.builder().subscriptionIdentifier(4).build()),
                        "82 08 00 0A 00 03 61 2F 62 01"),
                Arguments.of("PUBLISH properties are dropped",
                        new Publish("a", AT_MOST_ONCE, false, false, 0, new byte[] {9},
                                Properties.builder().put(Property.TOPIC_ALIAS, 3).build()), "30 04 00 01 61 09"),
                Arguments.of("CONNECT and will properties are dropped",
                        new Connect(V311, "c", true, 0, null, null,
                                new Will("w", new byte[0], AT_MOST_ONCE, false,
                                        Properties.builder().put(Property.WILL_DELAY_INTERVAL, 1L).build()),
                                Properties.builder().put(Property.RECEIVE_MAXIMUM, 1).build()),
                        "10 12 00 04 4D 51 54 54 04 06 00 00 00 01 63 00 01 77 00 00"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mqtt311FormsOfMqtt5Content")
    void leavesMqtt5OnlyContentOutOfTheMqtt311Form(String what, MqttPacket packet, String hex) {
        byte[] encoded = MqttEncoder.encode(packet, V311);
        assertArrayEquals(Hex.parse(hex), encoded, () -> what + ": was " + Hex.format(encoded));
        assertEquals(encoded.length, MqttEncoder.encodedSize(packet, V311));
    }

    @Test
    void encodesMqtt31ConnectWithItsOwnProtocolName() {
        Connect connect = new Connect(ProtocolVersion.MQTT_3_1, "abc", true, 60, null, null, null, Properties.EMPTY);
        assertArrayEquals(PacketCatalogue.named("CONNECT 3.1 (MQIsdp, level 3)").bytes(),
                MqttEncoder.encode(connect, ProtocolVersion.MQTT_3_1));
    }
}
