package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.corvid.broker.Broker;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.SessionInfo;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Subscription;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedding API end to end, seen by real clients: publishing from the application,
 * listing clients and sessions, disconnecting a client, the lifecycle events, stopping.
 */
class EmbeddingApiIT {
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
    void applicationPublishReachesClientsAtEveryQos() {
        String topic = Ids.next("app") + "/news";
        try (PahoV3Client paho = PahoV3Client.create(broker, Ids.next("app-sub")).connect(options -> { });
             Mosquitto.Sub mosquitto = Mosquitto.sub(broker, "-i", "app-mosq", "-t", topic, "-q", "2", "-C", "3",
                     "-W", "20", "-F", Mosquitto.FORMAT)) {
            paho.subscribe(topic, 2);
            broker.awaitSubscription("app-mosq", topic);
            for (QoS qos : QoS.values()) {
                int handedTo = broker.broker.publish(topic, ("at " + qos).getBytes(UTF_8), qos, false);
                assertEquals(2, handedTo, "sessions the message was handed to");
            }
            for (QoS qos : QoS.values()) {
                Received received = paho.next();
                assertEquals("at " + qos, received.text());
                assertEquals(qos.value(), received.qos());
                assertFalse(received.retain());
                Received printed = mosquitto.next();
                assertEquals("at " + qos, printed.text());
                assertEquals(qos.value(), printed.qos());
            }
            assertEquals(0, mosquitto.awaitExit());
        }
        List<RecordingListener.Published> events = broker.events.of(RecordingListener.Published.class,
                e -> e.message().topic().equals(topic));
        assertEquals(3, events.size());
        assertTrue(events.stream().allMatch(e -> e.publisher() == null), "the application is no client");
    }

    @Test
    void applicationPublishesRetainedMessagesAndMqtt5Properties() {
        String topic = Ids.next("app-props");
        Properties properties = Properties.builder()
                .put(Property.CONTENT_TYPE, "text/plain")
                .put(Property.RESPONSE_TOPIC, "replies/here")
                .put(Property.MESSAGE_EXPIRY_INTERVAL, 3600L)
                .userProperty("origin", "embedding application")
                .build();
        broker.broker.publish(new Publish(topic, QoS.AT_LEAST_ONCE, true, false, 0, "{}".getBytes(UTF_8), properties));
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("props"), b -> b)) {
            hive.subscribe(topic, 1);
            Mqtt5Publish publish = Await.next("the retained message", hive.publishes());
            assertTrue(publish.isRetain());
            assertEquals("text/plain", publish.getContentType().orElseThrow().toString());
            assertEquals("replies/here", publish.getResponseTopic().orElseThrow().toString());
            long expiry = publish.getMessageExpiryInterval().orElseThrow();
            assertTrue(expiry > 3500 && expiry <= 3600, "message expiry counts down: " + expiry);
            assertEquals("origin", publish.getUserProperties().asList().get(0).getName().toString());
            assertEquals("embedding application", publish.getUserProperties().asList().get(0).getValue().toString());
        }
        try (PahoV5Client paho = PahoV5Client.create(broker, Ids.next("props")).connect(options -> { })) {
            paho.subscribe(topic, 1);
            MqttMessage message = Await.next("the retained message", paho.messages());
            assertTrue(message.isRetained());
            assertEquals("text/plain", message.getProperties().getContentType());
        }
    }

    @Test
    void applicationPublishRefusesInvalidTopics() {
        for (String topic : List.of("a/+", "a/#", "")) {
            assertThrows(IllegalArgumentException.class,
                    () -> broker.broker.publish(topic, new byte[0], QoS.AT_MOST_ONCE, false), topic);
        }
    }

    @Test
    void clientsAndSessionsReflectConnectedClients() {
        String pahoId = Ids.next("listed-paho");
        String hiveId = Ids.next("listed-hive");
        String topic = Ids.next("listed");
        PahoV3Client paho = PahoV3Client.create(broker, pahoId).connect(options -> options.setUserName("alice"));
        try (paho; HiveMqV5Client hive = HiveMqV5Client.connect(broker, hiveId,
                b -> b.cleanStart(false).sessionExpiryInterval(300))) {
            paho.subscribe(topic, 1);
            hive.subscribe(topic + "/#", 2);

            ClientInfo pahoInfo = broker.broker.client(pahoId).orElseThrow();
            assertEquals("alice", pahoInfo.username());
            assertEquals(ProtocolVersion.MQTT_3_1_1, pahoInfo.protocolVersion());
            assertEquals(new InetSocketAddress("127.0.0.1", paho.sockets.last().getLocalPort()), pahoInfo.remoteAddress());
            ClientInfo hiveInfo = broker.broker.client(hiveId).orElseThrow();
            assertNull(hiveInfo.username());
            assertEquals(ProtocolVersion.MQTT_5, hiveInfo.protocolVersion());
            Set<String> listed = broker.broker.clients().stream().map(ClientInfo::clientId).collect(Collectors.toSet());
            assertTrue(listed.containsAll(Set.of(pahoId, hiveId)), "clients(): " + listed);

            SessionInfo pahoSession = broker.broker.session(pahoId).orElseThrow();
            assertTrue(pahoSession.connected());
            assertEquals(List.of(new Subscription(topic, QoS.AT_LEAST_ONCE)), pahoSession.subscriptions());
            assertEquals(0, pahoSession.expiryIntervalSeconds(), "clean session");
            SessionInfo hiveSession = broker.broker.session(hiveId).orElseThrow();
            assertEquals(300, hiveSession.expiryIntervalSeconds());
            assertEquals(List.of(topic + "/#"), hiveSession.subscriptions().stream().map(Subscription::topicFilter).toList());
            assertEquals(QoS.EXACTLY_ONCE, hiveSession.subscriptions().get(0).maxQos());
            assertTrue(broker.broker.sessions().stream().map(SessionInfo::clientId).toList().containsAll(List.of(pahoId, hiveId)));

            paho.disconnect();
            hive.disconnect();
        }
        broker.awaitNotConnected(pahoId);
        broker.awaitNotConnected(hiveId);
        assertTrue(broker.broker.clients().stream().noneMatch(c -> c.clientId().equals(pahoId) || c.clientId().equals(hiveId)));
        Await.until("the clean session is gone", () -> broker.broker.session(pahoId).isEmpty());
        // The session detaches from its connection a moment after the connection is gone.
        Await.until("the persistent session is offline", () -> !broker.broker.session(hiveId).orElseThrow().connected());
        broker.broker.publish(topic + "/x", "for later".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
        Await.until("one message queued", () -> broker.broker.session(hiveId).orElseThrow().queuedMessages() == 1);
        Library.HIVEMQ_V5.connect(broker, hiveId).close(); // clean start ends it
        Await.until("the persistent session is gone", () -> broker.broker.session(hiveId).isEmpty());
    }

    @Test
    void disconnectByTheApplicationSends0x98AndPublishesTheWill() {
        String clientId = Ids.next("kicked");
        String willTopic = Ids.next("kicked-will");
        try (MqttTestClient watcher = Library.HIVEMQ_V3.connect(broker, Ids.next("watcher"))) {
            watcher.subscribe(willTopic, 1);
            try (PahoV5Client paho = PahoV5Client.create(broker, clientId).connect(options ->
                    options.setWill(willTopic, new MqttMessage("kicked out".getBytes(UTF_8), 1, false, new MqttProperties())))) {
                assertTrue(broker.broker.disconnect(clientId));
                assertEquals(0x98, Await.result("Paho v5 disconnected callback", paho.disconnected).getReturnCode(),
                        "DISCONNECT reason: Administrative action");
                assertEquals("kicked out", watcher.next().text(), "the will of a client the application disconnected");
            }
        }
        DisconnectReason reason = broker.events.awaitDisconnect(clientId).reason();
        assertEquals(DisconnectReason.Initiator.SERVER, reason.initiator());
        assertEquals(ReasonCode.ADMINISTRATIVE_ACTION, reason.reasonCode());
        assertFalse(broker.broker.disconnect(clientId), "no longer connected");
        assertFalse(broker.broker.disconnect("nobody-" + clientId));

        String v3Id = Ids.next("kicked-v3");
        try (PahoV3Client paho = PahoV3Client.create(broker, v3Id).connect(options -> { })) {
            assertTrue(broker.broker.disconnect(v3Id));
            Await.result("Paho v3 connectionLost", paho.connectionLost);
        }
    }

    @Test
    void listenerSeesTheLifeOfAClientInOrder() {
        String clientId = Ids.next("observed");
        String topic = Ids.next("observed");
        try (PahoV3Client paho = PahoV3Client.create(broker, clientId).connect(options -> options.setUserName("carol"))) {
            paho.subscribe(topic, 1);
            paho.publish(topic, "observed", 2, true);
            paho.next();
            paho.unsubscribe(topic);
            paho.disconnect();
        }
        broker.events.awaitDisconnect(clientId);
        broker.events.awaitSessionEnd(clientId);
        List<RecordingListener.Event> events = broker.events.all().stream().filter(e -> concerns(e, clientId)).toList();
        List<Class<?>> kinds = events.stream().map(Object::getClass).collect(Collectors.toList());
        assertEquals(List.of(RecordingListener.Connected.class, RecordingListener.Subscribed.class,
                RecordingListener.Published.class, RecordingListener.Unsubscribed.class,
                RecordingListener.Disconnected.class, RecordingListener.SessionEnded.class), kinds, events.toString());

        RecordingListener.Connected connected = (RecordingListener.Connected) events.get(0);
        assertFalse(connected.sessionPresent());
        assertEquals("carol", connected.client().username());
        RecordingListener.Subscribed subscribed = (RecordingListener.Subscribed) events.get(1);
        assertEquals(new Subscription(topic, QoS.AT_LEAST_ONCE), subscribed.subscription());
        assertEquals(ReasonCode.GRANTED_QOS_1, subscribed.result());
        RecordingListener.Published published = (RecordingListener.Published) events.get(2);
        assertEquals(clientId, published.publisher().clientId());
        assertEquals(topic, published.message().topic());
        assertEquals(QoS.EXACTLY_ONCE, published.message().qos());
        assertTrue(published.message().retain());
        assertEquals("observed", new String(published.message().payload(), UTF_8));
        assertEquals(topic, ((RecordingListener.Unsubscribed) events.get(3)).topicFilter());
        DisconnectReason reason = ((RecordingListener.Disconnected) events.get(4)).reason();
        assertEquals(DisconnectReason.Initiator.CLIENT, reason.initiator());
        assertEquals(ReasonCode.NORMAL_DISCONNECTION, reason.reasonCode());
        broker.broker.publish(topic, new byte[0], QoS.AT_MOST_ONCE, true); // clear the retained message
    }

    private static boolean concerns(RecordingListener.Event event, String clientId) {
        if (event instanceof RecordingListener.Connected e) {
            return e.client().clientId().equals(clientId);
        } else if (event instanceof RecordingListener.Disconnected e) {
            return e.client().clientId().equals(clientId);
        } else if (event instanceof RecordingListener.Subscribed e) {
            return e.client().clientId().equals(clientId);
        } else if (event instanceof RecordingListener.Unsubscribed e) {
            return e.client().clientId().equals(clientId);
        } else if (event instanceof RecordingListener.Published e) {
            return e.publisher() != null && e.publisher().clientId().equals(clientId);
        } else if (event instanceof RecordingListener.SessionEnded e) {
            return e.clientId().equals(clientId);
        } else if (event instanceof RecordingListener.Refused e) {
            return clientId.equals(e.client().clientId());
        } else if (event instanceof RecordingListener.Dropped e) {
            return e.clientId().equals(clientId);
        }
        return false;
    }

    @Test
    void metricsCountWhatHappened() {
        long received = broker.broker.metrics().messagesReceived();
        long sent = broker.broker.metrics().messagesSent();
        String topic = Ids.next("counted");
        try (MqttTestClient client = Library.HIVEMQ_V5.connect(broker, Ids.next("counted"))) {
            client.subscribe(topic, 1);
            client.publish(topic, "1", 1, false);
            client.publish(topic, "2", 1, false);
            client.next();
            client.next();
        }
        assertTrue(broker.broker.metrics().messagesReceived() >= received + 2, "messages received");
        assertTrue(broker.broker.metrics().messagesSent() >= sent + 2, "messages sent");
    }

    @Test
    void twoBrokersInOneJvmAreIndependent() {
        try (TestBroker other = TestBroker.start()) {
            assertTrue(other.port() != broker.port());
            String topic = Ids.next("two-brokers");
            try (MqttTestClient here = Library.HIVEMQ_V5.connect(broker, "same-id-" + topic);
                 MqttTestClient there = Library.HIVEMQ_V5.connect(other, "same-id-" + topic)) {
                here.subscribe(topic, 1);
                there.subscribe(topic, 1);
                other.broker.publish(topic, "there".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
                broker.broker.publish(topic, "here".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
                assertEquals("here", here.next().text(), "the same client id on two brokers is no takeover");
                assertEquals("there", there.next().text());
                assertTrue(here.isConnected() && there.isConnected());
            }
        }
    }

    @Test
    void stopDisconnectsMqtt5ClientsWith0x8BAndCannotBeUndone() {
        TestBroker stopping = TestBroker.start();
        PahoV5Client paho = PahoV5Client.create(stopping, Ids.next("stopped")).connect(options -> { });
        try (paho) {
            stopping.broker.stop();
            assertEquals(0x8B, Await.result("Paho v5 disconnected callback", paho.disconnected).getReturnCode(),
                    "DISCONNECT reason: Server shutting down");
        }
        assertFalse(stopping.broker.isRunning());
        assertThrows(IllegalStateException.class, stopping.broker::port);
        assertThrows(IllegalStateException.class, stopping.broker::start);
        stopping.broker.stop(); // idempotent
    }

    @Test
    void stopReturnsPromptlyWhileAPersistentSessionIsOffline() {
        TestBroker stopping = TestBroker.start();
        String clientId = Ids.next("offline-at-stop");
        try (MqttTestClient client = Library.HIVEMQ_V5.connect(stopping, clientId, true)) {
            client.subscribe(Ids.next("anything"), 1);
            client.disconnect();
        }
        stopping.awaitNotConnected(clientId);
        long start = System.nanoTime();
        stopping.broker.stop();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 2_000, "stop() took " + millis + " ms with one offline session and no client connected");
    }

    @Test
    void builderRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Broker.Builder().port(70_000));
        assertThrows(IllegalArgumentException.class, () -> new Broker.Builder().maxPacketSize(8));
        assertThrows(IllegalArgumentException.class, () -> new Broker.Builder().connectTimeout(Duration.ZERO));
        assertThrows(java.io.UncheckedIOException.class,
                () -> new Broker.Builder().host("127.0.0.1").port(broker.port()).build().start(),
                "a port in use cannot be bound");
    }
}
