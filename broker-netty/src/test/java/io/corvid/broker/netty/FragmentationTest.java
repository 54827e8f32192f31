package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.codec.DecoderFeeder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Packets split over many TCP segments, and many packets in one, against a real broker. */
class FragmentationTest {
    private static Broker broker;
    private static int port;

    @BeforeAll
    static void startBroker() {
        broker = new Broker.Builder().host("127.0.0.1").port(0).build().start();
        port = broker.port();
    }

    @AfterAll
    static void stopBroker() {
        broker.stop();
    }

    @Test
    void decodesConnectAndPublishWrittenOneByteAtATime() {
        ProtocolVersion version = ProtocolVersion.MQTT_5;
        byte[] payload = "byte by byte".getBytes(StandardCharsets.UTF_8);
        try (RawClient subscriber = RawClient.connected(port, version, "frag-sub");
             RawClient publisher = new RawClient(port, version)) {
            subscriber.subscribe(1, "frag/one", QoS.AT_MOST_ONCE);
            byte[] bytes = DecoderFeeder.concat(
                    MqttEncoder.encode(RawClient.connectPacket(version, "frag-pub"), version),
                    MqttEncoder.encode(Publish.atMostOnce("frag/one", payload, false), version));
            for (byte b : bytes) {
                publisher.sendBytes(new byte[] {b});
            }
            assertEquals(ReasonCode.SUCCESS, publisher.receive(ConnAck.class).reasonCode());
            Publish delivered = subscriber.receive(Publish.class);
            assertArrayEquals(payload, delivered.payload());
        }
    }

    @Test
    void decodesALargePublishInRandomPieces() {
        ProtocolVersion version = ProtocolVersion.MQTT_3_1_1;
        byte[] payload = new byte[200_000];
        new Random(1).nextBytes(payload);
        try (RawClient subscriber = RawClient.connected(port, version, "frag-big-sub");
             RawClient publisher = RawClient.connected(port, version, "frag-big-pub")) {
            subscriber.subscribe(1, "frag/big", QoS.AT_LEAST_ONCE);
            byte[] bytes = MqttEncoder.encode(
                    new Publish("frag/big", QoS.AT_LEAST_ONCE, false, false, 5, payload, Properties.EMPTY), version);
            Random random = new Random(2);
            for (int offset = 0; offset < bytes.length; ) {
                int n = Math.min(1 + random.nextInt(3000), bytes.length - offset);
                byte[] piece = new byte[n];
                System.arraycopy(bytes, offset, piece, 0, n);
                publisher.sendBytes(piece);
                offset += n;
            }
            Publish delivered = subscriber.receive(Publish.class);
            assertArrayEquals(payload, delivered.payload());
        }
    }

    @Test
    void decodesSeveralPacketsWrittenAtOnce() {
        ProtocolVersion version = ProtocolVersion.MQTT_3_1_1;
        byte[] payload = "echo".getBytes(StandardCharsets.UTF_8);
        try (RawClient client = new RawClient(port, version)) {
            client.sendBytes(DecoderFeeder.concat(
                    MqttEncoder.encode(RawClient.connectPacket(version, "batcher"), version),
                    MqttEncoder.encode(new Subscribe(3, List.of(new Subscription("batch/+", QoS.AT_MOST_ONCE)),
                            Properties.EMPTY), version),
                    MqttEncoder.encode(Publish.atMostOnce("batch/x", payload, false), version),
                    MqttEncoder.encode(PingReq.INSTANCE, version)));
            assertEquals(ReasonCode.SUCCESS, client.receive(ConnAck.class).reasonCode());
            assertEquals(3, client.receive(SubAck.class).packetId());
            // The echo and the ping answer travel different paths through the engine: any order.
            List<MqttPacket> rest = new ArrayList<>(List.of(client.receive(), client.receive()));
            assertTrue(rest.removeIf(PingResp.class::isInstance), rest::toString);
            assertArrayEquals(payload, assertInstanceOf(Publish.class, rest.get(0)).payload());
        }
    }
}
