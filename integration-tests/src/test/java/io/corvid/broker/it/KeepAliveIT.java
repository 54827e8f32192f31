package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.DisconnectReason;
import io.corvid.broker.PacketInterceptor;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keep alive: a client silent for 1.5 times its keep alive is disconnected (MQTT 5.0: after
 * DISCONNECT 0x8D) and its will published; a client that pings stays; the server keep alive
 * caps what MQTT 5.0 clients ask for; a connection that never sends CONNECT is closed after
 * the connect timeout.
 */
class KeepAliveIT {
    /** PINGREQs seen per client identifier. */
    private static final Map<String, AtomicInteger> PINGS = new ConcurrentHashMap<>();
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(b -> b.connectTimeout(Duration.ofSeconds(1)).interceptor((client, packet) -> {
            if (packet.type() == PacketType.PINGREQ) {
                PINGS.computeIfAbsent(client.clientId(), id -> new AtomicInteger()).incrementAndGet();
            }
            return PacketInterceptor.Decision.ACCEPT;
        }));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void silentMqtt311ClientIsClosedAfterOneAndAHalfKeepAlivesAndItsWillPublished() {
        String clientId = Ids.next("silent");
        String willTopic = Ids.next("ka-will");
        try (MqttTestClient watcher = Library.HIVEMQ_V5.connect(broker, Ids.next("watcher"));
             RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1_1)) {
            watcher.subscribe(willTopic, 1);
            Will will = new Will(willTopic, "timed out".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false, Properties.EMPTY);
            assertEquals(ReasonCode.SUCCESS,
                    raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_3_1_1, clientId, true, 1, will, 0)).reasonCode());
            long connectedAt = System.nanoTime();
            long closedAt = raw.awaitClosedByBroker(Duration.ofSeconds(5));
            assertElapsedAboutOneAndAHalfSeconds(connectedAt, closedAt);
            assertTrue(raw.pending().isEmpty(), "MQTT 3.1.1: no packet before the close, got " + raw.pending());

            Received received = watcher.next();
            assertEquals("timed out", received.text(), "the will of a client that timed out");
            assertEquals(1, received.qos());
        }
        DisconnectReason reason = broker.events.awaitDisconnect(clientId).reason();
        assertEquals(DisconnectReason.Initiator.SERVER, reason.initiator());
        assertEquals(ReasonCode.KEEP_ALIVE_TIMEOUT, reason.reasonCode());
    }

    @Test
    void silentMqtt5ClientReceivesDisconnect0x8DThenIsClosed() {
        String clientId = Ids.next("silent-v5");
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_5, clientId, true, 1, null, 0));
            long connectedAt = System.nanoTime();
            Disconnect disconnect = raw.expect(Disconnect.class);
            assertEquals(ReasonCode.KEEP_ALIVE_TIMEOUT, disconnect.reasonCode());
            long closedAt = raw.awaitClosedByBroker(Duration.ofSeconds(5));
            assertElapsedAboutOneAndAHalfSeconds(connectedAt, closedAt);
        }
        assertEquals(ReasonCode.KEEP_ALIVE_TIMEOUT, broker.events.awaitDisconnect(clientId).reason().reasonCode());
    }

    @Test
    void pingingClientsStayConnected() {
        PahoV3Client paho = PahoV3Client.create(broker, Ids.next("pinger"))
                .connect(options -> options.setKeepAliveInterval(1));
        try (paho; HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("pinger"), b -> b.keepAlive(1))) {
            // Two pings each take about two seconds: longer than 1.5 keep alives.
            Await.until("two PINGREQs from each client", Duration.ofSeconds(8),
                    () -> pings(paho.clientId()) >= 2 && pings(hive.clientId()) >= 2);
            assertTrue(paho.isConnected() && hive.isConnected(), "still connected");
            assertTrue(broker.events.disconnects(paho.clientId()).isEmpty());
            assertTrue(broker.events.disconnects(hive.clientId()).isEmpty());
            String topic = Ids.next("still-there");
            paho.subscribe(topic, 1);
            hive.publish(topic, "hello", 1, false);
            assertEquals("hello", paho.next().text());
        }
    }

    @Test
    void serverKeepAliveCapsWhatMqtt5ClientsAskFor() {
        try (TestBroker capped = TestBroker.start(b -> b.maxKeepAlive(1))) {
            try (HiveMqV5Client hive = HiveMqV5Client.connect(capped, Ids.next("capped"), b -> b.keepAlive(60))) {
                assertEquals(1, hive.connAck().getServerKeepAlive().orElse(-1), "CONNACK Server Keep Alive");
            }
            String clientId = Ids.next("capped-raw");
            try (RawClient raw = RawClient.open(capped, ProtocolVersion.MQTT_5)) {
                ConnAck connAck = raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_5, clientId, true, 60, null, 0));
                long connectedAt = System.nanoTime();
                assertEquals(1L, ((Number) connAck.properties().get(Property.SERVER_KEEP_ALIVE)).longValue());
                assertEquals(ReasonCode.KEEP_ALIVE_TIMEOUT, raw.expect(Disconnect.class).reasonCode(),
                        "the server's keep alive applies, not the 60 s asked for");
                assertElapsedAboutOneAndAHalfSeconds(connectedAt, raw.awaitClosedByBroker(Duration.ofSeconds(5)));
            }
        }
    }

    @Test
    void connectionWithoutConnectIsClosedAfterTheConnectTimeout() {
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1_1)) {
            long openedAt = System.nanoTime();
            long closedAt = raw.awaitClosedByBroker(Duration.ofSeconds(5));
            long millis = (closedAt - openedAt) / 1_000_000;
            assertTrue(millis >= 900 && millis <= 4_000, "closed " + millis + " ms after opening, connect timeout 1 s");
        }
    }

    private static int pings(String clientId) {
        AtomicInteger count = PINGS.get(clientId);
        return count == null ? 0 : count.get();
    }

    private static void assertElapsedAboutOneAndAHalfSeconds(long fromNanos, long toNanos) {
        long millis = (toNanos - fromNanos) / 1_000_000;
        // 1.5 x 1 s, measured from the CONNACK's arrival (a little after the broker's clock
        // started); the bounds leave room for a loaded CI machine.
        assertTrue(millis >= 1_200 && millis <= 4_000, "closed after " + millis + " ms, expected about 1500");
    }
}
