package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Engine behaviour that depends on the transport doing its part: timers on the event loop,
 * close notifications, takeover across connections, and back-pressure from a slow reader.
 */
class EngineOverTcpTest {
    private static final ProtocolVersion V5 = ProtocolVersion.MQTT_5;
    private static Broker broker;
    private static int port;

    @BeforeAll
    static void startBroker() {
        broker = new Broker.Builder().host("127.0.0.1").port(0).connectTimeout(Duration.ofMillis(300)).build().start();
        port = broker.port();
    }

    @AfterAll
    static void stopBroker() {
        broker.stop();
    }

    @Test
    void closesAConnectionThatSendsNoConnectInTime() {
        try (RawClient silent = new RawClient(port, ProtocolVersion.MQTT_3_1_1)) {
            assertEquals(0, silent.receiveBytesUntilClosed().length);
        }
    }

    @Test
    void disconnectsAClientThatOutstaysItsKeepAlive() {
        try (RawClient client = new RawClient(port, V5)) {
            client.send(new Connect(V5, "sleepy", true, 1, null, null, null, Properties.EMPTY));
            assertEquals(ReasonCode.SUCCESS, client.receive(ConnAck.class).reasonCode());
            List<MqttPacket> packets = client.receiveUntilClosed();
            assertEquals(1, packets.size(), packets::toString);
            assertEquals(ReasonCode.KEEP_ALIVE_TIMEOUT, assertInstanceOf(Disconnect.class, packets.get(0)).reasonCode());
        }
    }

    @Test
    void tellsTheOldConnectionItsSessionWasTakenOver() {
        try (RawClient first = RawClient.connected(port, V5, "twin");
             RawClient second = RawClient.connected(port, V5, "twin")) {
            List<MqttPacket> packets = first.receiveUntilClosed();
            assertEquals(1, packets.size(), packets::toString);
            assertEquals(ReasonCode.SESSION_TAKEN_OVER, assertInstanceOf(Disconnect.class, packets.get(0)).reasonCode());
            Await.until("the new connection to own the client id",
                    () -> broker.client("twin").map(c -> c.remoteAddress()
                            .equals(second.socket().getLocalSocketAddress())).orElse(false));
        }
    }

    @Test
    void publishesTheWillWhenTheNetworkConnectionDrops() {
        byte[] lastWords = "gone".getBytes(StandardCharsets.UTF_8);
        try (RawClient watcher = RawClient.connected(port, ProtocolVersion.MQTT_3_1_1, "watcher")) {
            watcher.subscribe(1, "wills/#", QoS.AT_LEAST_ONCE);
            RawClient doomed = new RawClient(port, ProtocolVersion.MQTT_3_1_1);
            doomed.send(new Connect(ProtocolVersion.MQTT_3_1_1, "doomed", true, 60, null, null,
                    new Will("wills/doomed", lastWords, QoS.AT_LEAST_ONCE, false, Properties.EMPTY), Properties.EMPTY));
            assertEquals(ReasonCode.SUCCESS, doomed.receive(ConnAck.class).reasonCode());
            doomed.close(); // no DISCONNECT
            Publish will = watcher.receive(Publish.class);
            assertEquals("wills/doomed", will.topic());
            assertArrayEquals(lastWords, will.payload());
            watcher.send(new PubAck(will.packetId()));
        }
    }

    @Test
    void holdsMessagesForASlowReaderAndDeliversThemAllWhenItCatchesUp() {
        int count = 300;
        byte[] payload = new byte[64 * 1024];
        try (RawClient slow = RawClient.connected(port, ProtocolVersion.MQTT_3_1_1, "slow-reader");
             RawClient fast = RawClient.connected(port, ProtocolVersion.MQTT_3_1_1, "fast-writer")) {
            slow.subscribe(1, "bulk", QoS.AT_LEAST_ONCE);
            for (int i = 0; i < count; i++) {
                ByteBuffer.wrap(payload).putInt(0, i);
                fast.send(new Publish("bulk", QoS.AT_LEAST_ONCE, false, false, 1 + i, payload.clone(),
                        Properties.EMPTY));
                assertEquals(1 + i, fast.receive(PubAck.class).packetId());
            }
            // Only now does the slow reader look: ~19 MB waited in the broker and the socket buffers.
            for (int i = 0; i < count; i++) {
                Publish message = slow.receive(Publish.class);
                assertEquals(i, ByteBuffer.wrap(message.payload()).getInt(0), "in order, none lost");
                slow.send(new PubAck(message.packetId()));
            }
            assertTrue(broker.session("slow-reader").isPresent());
        }
    }
}
