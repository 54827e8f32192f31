package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.packet.ReasonCode;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A second connection with a client identifier already connected takes the session over: the
 * first is disconnected (MQTT 5.0: DISCONNECT 0x8E), the second works, and the broker reports
 * exactly one disconnect event per connection.
 */
class TakeoverIT {
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void pahoV5IsToldSessionTakenOver() {
        String clientId = Ids.next("taken");
        PahoV5Client first = PahoV5Client.create(broker, clientId).connect(options -> { });
        SocketAddress firstAddress = localAddress(first.sockets.last().getLocalPort());
        try (first; HiveMqV5Client second = HiveMqV5Client.connect(broker, clientId, b -> b)) {
            MqttDisconnectResponse response = Await.result("Paho v5 disconnected callback", first.disconnected);
            assertEquals(0x8E, response.getReturnCode(), "DISCONNECT reason: Session taken over");
            assertFalse(first.isConnected());

            assertSecondWorks(second);
            RecordingListener.Disconnected event = broker.events.awaitDisconnect(clientId);
            assertEquals(firstAddress, event.client().remoteAddress(), "the disconnect event is the first connection's");
            assertEquals(ReasonCode.SESSION_TAKEN_OVER, event.reason().reasonCode());
            second.disconnect();
        }
        assertOneDisconnectPerConnection(clientId, 2);
    }

    @Test
    void pahoV3LosesItsConnection() {
        String clientId = Ids.next("taken-v3");
        PahoV3Client first = PahoV3Client.create(broker, clientId).connect(options -> { });
        try (first; PahoV3Client second = PahoV3Client.create(broker, clientId).connect(options -> { })) {
            Await.result("Paho v3 connectionLost", first.connectionLost);
            assertFalse(first.isConnected());
            assertSecondWorks(second);
            assertEquals(ReasonCode.SESSION_TAKEN_OVER, broker.events.awaitDisconnect(clientId).reason().reasonCode(),
                    "recorded even though MQTT 3.1.1 has no DISCONNECT from the server");
            second.disconnect();
        }
        assertOneDisconnectPerConnection(clientId, 2);
    }

    @Test
    void hiveMqV5IsToldSessionTakenOver() {
        String clientId = Ids.next("taken-hive");
        try (HiveMqV5Client first = HiveMqV5Client.connect(broker, clientId, b -> b);
             PahoV5Client second = PahoV5Client.create(broker, clientId).connect(options -> { })) {
            Throwable cause = Await.result("HiveMQ disconnected listener", first.disconnected);
            Mqtt5DisconnectException disconnect = assertInstanceOf(Mqtt5DisconnectException.class, cause);
            assertEquals(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER, disconnect.getMqttMessage().getReasonCode());
            assertSecondWorks(second);
            second.disconnect();
        }
        assertOneDisconnectPerConnection(clientId, 2);
    }

    @Test
    void mosquittoPubTakesOverAPahoSession() {
        String clientId = Ids.next("taken-by-mosq");
        String topic = Ids.next("takeover");
        try (PahoV5Client first = PahoV5Client.create(broker, clientId).connect(options -> { });
             MqttTestClient watcher = Library.HIVEMQ_V3.connect(broker, Ids.next("watcher"))) {
            watcher.subscribe(topic, 1);
            Mosquitto.pub(broker, "-V", "mqttv5", "-i", clientId, "-t", topic, "-m", "mine now", "-q", "1")
                    .assertSuccess("mosquitto_pub with a taken client id");
            assertEquals(0x8E, Await.result("Paho v5 disconnected callback", first.disconnected).getReturnCode());
            assertEquals("mine now", watcher.next().text());
        }
        assertOneDisconnectPerConnection(clientId, 2);
    }

    @Test
    void persistentSessionMovesToTheNewConnection() {
        String clientId = Ids.next("moving");
        String topic = Ids.next("moving");
        PahoV3Client first = PahoV3Client.create(broker, clientId).connect(options -> options.setCleanSession(false));
        first.subscribe(topic, 1);
        try (first; MqttTestClient second = Library.HIVEMQ_V3.connect(broker, clientId, true);
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            Await.result("Paho v3 connectionLost", first.connectionLost);
            assertTrue(second.sessionPresent(), "the taken-over session is resumed");
            publisher.publish(topic, "to the new connection", 1, false);
            assertEquals("to the new connection", second.next().text(), "the subscription moved with the session");
            second.disconnect();
        }
        assertTrue(first.received().isEmpty());
        Library.HIVEMQ_V3.connect(broker, clientId, false).close();
    }

    @Test
    void mqtt5TakeoverPublishesTheWillOfTheFirstConnection() {
        String clientId = Ids.next("taken-will");
        String willTopic = Ids.next("takeover-will");
        try (MqttTestClient watcher = Library.HIVEMQ_V5.connect(broker, Ids.next("watcher"))) {
            watcher.subscribe(willTopic, 1);
            try (PahoV5Client first = PahoV5Client.create(broker, clientId).connect(options ->
                    options.setWill(willTopic, new MqttMessage("replaced".getBytes(UTF_8), 1, false, new MqttProperties())));
                 MqttTestClient second = Library.HIVEMQ_V5.connect(broker, clientId)) {
                Await.result("takeover", first.disconnected);
                assertEquals("replaced", watcher.next().text(),
                        "MQTT 5.0 3.1.2.5: the will (no delay) is published when the connection is closed");
                second.disconnect();
            }
        }
    }

    @Test
    void takeoverWithinTheWillDelaySuppressesTheWill() {
        String clientId = Ids.next("taken-delay");
        String willTopic = Ids.next("takeover-delay");
        try (MqttTestClient watcher = Library.HIVEMQ_V5.connect(broker, Ids.next("watcher"))) {
            watcher.subscribe(willTopic, 1);
            try (PahoV5Client first = PahoV5Client.create(broker, clientId).connect(options -> {
                options.setCleanStart(false);
                options.setSessionExpiryInterval(300L);
                options.setWill(willTopic, new MqttMessage("should not".getBytes(UTF_8), 1, false, new MqttProperties()));
                MqttProperties willProperties = new MqttProperties();
                willProperties.setWillDelayInterval(60L);
                options.setWillMessageProperties(willProperties);
            });
                 HiveMqV5Client second = HiveMqV5Client.connect(broker, clientId,
                         b -> b.cleanStart(false).sessionExpiryInterval(0))) {
                Await.result("takeover", first.disconnected);
                assertTrue(second.sessionPresent());
                second.publish(willTopic, "marker", 1, false);
                assertEquals("marker", watcher.next().text(), "no will: the session was resumed within the will delay");
                second.disconnect();
            }
        }
    }

    @Test
    void concurrentTakeoversPairEveryConnectWithOneDisconnect() {
        String clientId = Ids.next("storm");
        int connections = 12;
        List<HiveMqV5Client> clients = new ArrayList<>();
        List<CompletableFuture<?>> connects = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            HiveMqV5Client client = HiveMqV5Client.unconnected(broker, clientId);
            clients.add(client);
            connects.add(client.client.connectWith().cleanStart(i % 2 == 0).sessionExpiryInterval(i % 3 == 0 ? 0 : 60)
                    .send());
        }
        // Each attempt either connects (and is later taken over, or is the survivor) or is
        // refused or cut before its CONNACK because a newer one won; none may hang.
        for (CompletableFuture<?> connect : connects) {
            Await.until("every connect attempt settled", connect::isDone);
        }
        Await.until("at most one connection survives", () -> clients.stream().filter(MqttTestClient::isConnected).count() <= 1);
        clients.forEach(MqttTestClient::close);
        broker.awaitNotConnected(clientId);

        List<RecordingListener.Connected> connected = broker.events.connects(clientId);
        assertTrue(connected.size() >= 1, "at least one connection succeeded");
        Await.until("a disconnect event for every connect event",
                () -> broker.events.disconnects(clientId).size() >= connected.size());
        Map<SocketAddress, Long> disconnectsPerConnection = broker.events.disconnects(clientId).stream()
                .collect(Collectors.groupingBy(e -> e.client().remoteAddress(), Collectors.counting()));
        Map<SocketAddress, Long> connectsPerConnection = connected.stream()
                .collect(Collectors.groupingBy(e -> e.client().remoteAddress(), Collectors.counting()));
        assertEquals(connectsPerConnection, disconnectsPerConnection,
                "exactly one disconnect event for each connection that connected, and none for others");
        // Leave no persistent session behind.
        Library.HIVEMQ_V5.connect(broker, clientId).close();
    }

    private static void assertSecondWorks(MqttTestClient second) {
        String topic = Ids.next("after-takeover");
        second.subscribe(topic, 1);
        second.publish(topic, "works", 1, false);
        assertEquals("works", second.next().text());
    }

    /** Every connection of {@code clientId} (there were {@code expected}) produced exactly one disconnect event. */
    private static void assertOneDisconnectPerConnection(String clientId, int expected) {
        broker.awaitNotConnected(clientId);
        Await.until(expected + " disconnect events for " + clientId,
                () -> broker.events.disconnects(clientId).size() >= expected);
        assertEquals(expected, broker.events.connects(clientId).size(), "connect events");
        Map<SocketAddress, Long> perConnection = broker.events.disconnects(clientId).stream()
                .map(RecordingListener.Disconnected::client).map(ClientInfo::remoteAddress)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertEquals(expected, perConnection.size(), "one disconnect event per connection: " + perConnection);
        assertTrue(perConnection.values().stream().allMatch(n -> n == 1), "no connection reported twice: " + perConnection);
    }

    private static SocketAddress localAddress(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }
}
