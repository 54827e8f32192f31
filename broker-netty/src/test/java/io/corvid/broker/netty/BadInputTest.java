package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.codec.Hex;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.PacketCatalogue;
import io.corvid.broker.codec.PacketCatalogue.Case;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad bytes over a real socket: each gets the close the specification asks for, and the broker
 * goes on serving a well-behaved client. The connect timeout and keep alive are far longer than
 * the test's read timeout, so a close can only come from the broker's reaction to the input.
 */
class BadInputTest {
    private static Broker broker;
    private static int port;

    @BeforeAll
    static void startBroker() {
        broker = new Broker.Builder().host("127.0.0.1").port(0).connectTimeout(Duration.ofMinutes(5)).build().start();
        port = broker.port();
    }

    @AfterAll
    static void stopBroker() {
        broker.stop();
    }

    @AfterEach
    void brokerStillServes() {
        try (RawClient client = RawClient.connected(port, ProtocolVersion.MQTT_3_1_1, "well-behaved")) {
            client.send(PingReq.INSTANCE);
            assertInstanceOf(PingResp.class, client.receive());
        }
    }

    @Test
    void closesOnGarbage() {
        try (RawClient client = new RawClient(port, ProtocolVersion.MQTT_3_1_1)) {
            client.sendBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(0, client.receiveBytesUntilClosed().length);
        }
        try (RawClient client = new RawClient(port, ProtocolVersion.MQTT_3_1_1)) {
            client.sendBytes(new byte[] {0, 0, 0, 0});
            assertEquals(0, client.receiveBytesUntilClosed().length);
        }
    }

    @Test
    void closesWithoutConnAckOnAnUnknownProtocolName() {
        try (RawClient client = new RawClient(port, ProtocolVersion.MQTT_3_1_1)) {
            client.sendBytes(Hex.parse("10 0C 00 04 \"MQTX\" 04 02 00 3C 00 00"));
            assertEquals(0, client.receiveBytesUntilClosed().length, "no CONNACK for a stranger");
        }
    }

    @Test
    void refusesProtocolLevel6WithReturnCode1() {
        try (RawClient client = new RawClient(port, ProtocolVersion.MQTT_3_1_1)) {
            client.sendBytes(Hex.parse("10 0C 00 04 \"MQTT\" 06 02 00 3C 00 00"));
            assertArrayEquals(Hex.parse("20 02 00 01"), client.receiveBytesUntilClosed());
        }
    }

    @Test
    void closesOnPublishBeforeConnect() {
        try (RawClient client = new RawClient(port, ProtocolVersion.MQTT_3_1_1)) {
            client.sendBytes(Hex.parse("30 07 00 03 \"a/b\" \"hi\""));
            assertEquals(0, client.receiveBytesUntilClosed().length);
        }
    }

    @Test
    void disconnectsAVersion5ClientWithMalformedPacketOnQos3() {
        try (RawClient client = RawClient.connected(port, ProtocolVersion.MQTT_5, "qos3")) {
            client.sendBytes(Hex.parse("36 08 00 03 \"a/b\" 00 01 00"));
            List<MqttPacket> packets = client.receiveUntilClosed();
            assertEquals(1, packets.size(), packets::toString);
            assertEquals(ReasonCode.MALFORMED_PACKET, assertInstanceOf(Disconnect.class, packets.get(0)).reasonCode());
        }
    }

    @Test
    void closesAVersion311ClientSilentlyOnQos3() {
        try (RawClient client = RawClient.connected(port, ProtocolVersion.MQTT_3_1_1, "qos3-311")) {
            client.sendBytes(Hex.parse("36 07 00 03 \"a/b\" 00 01"));
            assertEquals(List.of(), client.receiveUntilClosed());
        }
    }

    @Test
    void closesAtOnceOnA256MegabyteRemainingLengthBeforeConnect() {
        try (RawClient client = new RawClient(port, ProtocolVersion.MQTT_3_1_1)) {
            client.sendBytes(Hex.parse("10 FF FF FF 7F"));
            assertEquals(0, client.receiveBytesUntilClosed().length);
        }
    }

    @Test
    void closesAtOnceOnA256MegabytePublish() {
        try (RawClient client = RawClient.connected(port, ProtocolVersion.MQTT_3_1_1, "huge-311")) {
            client.sendBytes(Hex.parse("30 FF FF FF 7F 00 03 \"a/b\""));
            assertEquals(List.of(), client.receiveUntilClosed());
        }
        try (RawClient client = RawClient.connected(port, ProtocolVersion.MQTT_5, "huge-5")) {
            client.sendBytes(Hex.parse("30 FF FF FF 7F 00 03 \"a/b\""));
            List<MqttPacket> packets = client.receiveUntilClosed();
            assertEquals(1, packets.size(), packets::toString);
            assertEquals(ReasonCode.PACKET_TOO_LARGE, assertInstanceOf(Disconnect.class, packets.get(0)).reasonCode());
        }
    }

    static Stream<Case> serverErrorCases() {
        return PacketCatalogue.errors().stream()
                .filter(c -> c.role() == MqttDecoder.Role.SERVER)
                .filter(c -> c.maximumPacketSize() == PacketCatalogue.DEFAULT_MAXIMUM_PACKET_SIZE);
    }

    /**
     * Every malformed case of the shared catalogue: after the case's CONNECT, a 5.0 client gets
     * DISCONNECT with the decoder's reason code (or Protocol Error where DISCONNECT cannot carry
     * it), an older client just the close; a bad first packet gets at most a refusing CONNACK.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("serverErrorCases")
    void closesOnEveryMalformedCatalogueCase(Case c) {
        ProtocolVersion version = c.version() == null ? ProtocolVersion.MQTT_3_1_1 : c.version();
        try (RawClient client = new RawClient(port, version)) {
            if (c.version() != null) {
                // Not the catalogue's minimal CONNECT: 3.1 refuses its empty client identifier.
                client.send(RawClient.connectPacket(version, "catalogue"));
                assertEquals(ReasonCode.SUCCESS, client.receive(ConnAck.class).reasonCode());
            }
            client.sendBytes(c.bytes());
            if (c.version() == null) {
                byte[] answer = client.receiveBytesUntilClosed();
                if (answer.length > 0) {
                    assertEquals(PacketType.CONNACK.value() << 4, answer[0] & 0xFF, "only a CONNACK may answer");
                    assertTrue(answer.length >= 4 && answer[3] != 0, "a refusing CONNACK: " + Hex.format(answer));
                }
                return;
            }
            List<MqttPacket> packets = client.receiveUntilClosed();
            if (!version.isV5()) {
                assertEquals(List.of(), packets);
                return;
            }
            assertEquals(1, packets.size(), packets::toString);
            ReasonCode expected = c.error().isAllowedIn(PacketType.DISCONNECT) ? c.error() : ReasonCode.PROTOCOL_ERROR;
            ReasonCode actual = assertInstanceOf(Disconnect.class, packets.get(0)).reasonCode();
            assertEquals(expected, actual);
            assertNotEquals(ReasonCode.NORMAL_DISCONNECTION, actual);
        }
    }
}
