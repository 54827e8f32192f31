package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.DropReason;
import io.corvid.broker.SessionInfo;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Persistent sessions: subscriptions and QoS 1/2 messages survive a disconnection; messages
 * published while the client is away are queued and delivered when it comes back; messages
 * sent and not acknowledged are sent again, with the same packet identifier, after a
 * reconnection.
 */
class PersistentSessionIT {
    private static TestBroker broker;
    private static ClientPool pool;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
        pool = new ClientPool(broker);
    }

    @AfterAll
    static void stopBroker() {
        pool.close();
        broker.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Library.class)
    void messagesPublishedWhileOfflineAreDeliveredOnReconnect(Library library) {
        String clientId = Ids.next("away");
        String topic = Ids.next("offline") + "/inbox";
        try (MqttTestClient first = library.connect(broker, clientId, true)) {
            assertFalse(first.sessionPresent(), "a new session");
            first.subscribe(topic, 2);
            first.disconnect();
        }
        broker.events.awaitDisconnect(clientId);
        Await.until("the session is kept, offline", () -> broker.broker.session(clientId)
                .map(session -> !session.connected()).orElse(false));

        MqttTestClient publisher = pool.get(Library.HIVEMQ_V5, "pub");
        publisher.publish(topic, "one", 1, false);
        publisher.publish(topic, "two", 2, false);
        publisher.publish(topic, "not queued", 0, false);
        publisher.publish(topic, "three", 1, false);
        Await.until("three messages queued for " + clientId,
                () -> broker.broker.session(clientId).map(SessionInfo::queuedMessages).orElse(0) == 3);
        broker.events.await("QoS 0 drop for an offline client", 1, RecordingListener.Dropped.class,
                e -> e.clientId().equals(clientId) && e.reason() == DropReason.CLIENT_OFFLINE);

        try (MqttTestClient second = library.connect(broker, clientId, true)) {
            // MQTT 3.1's CONNACK has no session present flag; the delivery below shows the resumption.
            assertEquals(library != Library.PAHO_V3_1, second.sessionPresent(), "the session was resumed");
            List<Received> delivered = List.of(second.next(), second.next(), second.next());
            if (library == Library.PAHO_V3 || library == Library.PAHO_V3_1) {
                // Paho v3 hands a QoS 2 message to the application on PUBREL, one round trip
                // after its PUBLISH, so "three" (QoS 1) overtakes "two" inside the library.
                // The broker's order shows in each QoS on its own.
                assertEquals(List.of("one", "three"), delivered.stream().filter(m -> m.qos() == 1).map(Received::text).toList());
                assertEquals(List.of("two"), delivered.stream().filter(m -> m.qos() == 2).map(Received::text).toList());
            } else {
                assertEquals(List.of("one", "two", "three"), delivered.stream().map(Received::text).toList());
                assertEquals(List.of(1, 2, 1), delivered.stream().map(Received::qos).toList());
            }
            // The subscription survived too: a live message arrives without subscribing again.
            publisher.publish(topic, "live", 1, false);
            assertEquals("live", second.next().text(), "the QoS 0 message was not queued, the live one follows");
            Await.until("nothing left in flight",
                    () -> broker.broker.session(clientId).map(SessionInfo::inflightMessages).orElse(-1) == 0);
            // Leave no session behind for the next tests: a clean connection ends it.
        }
        library.connect(broker, clientId, false).close();
    }

    @Test
    void mosquittoSubPersistentSessionReceivesWhatWasQueued() {
        for (String version : List.of("mqttv311", "mqttv5")) {
            String clientId = Ids.next("mosq-away");
            String topic = Ids.next("mosq-offline");
            MqttTestClient publisher = pool.get(Library.PAHO_V3, "pub");
            try (Mosquitto.Sub first = Mosquitto.sub(broker, "-V", version, "-c", "-i", clientId, "-t", topic, "-q", "2",
                    "-C", "1", "-W", "20", "-F", Mosquitto.FORMAT)) {
                broker.awaitSubscription(clientId, topic);
                publisher.publish(topic, "while connected", 1, false);
                assertEquals("while connected", first.next().text());
                assertEquals(0, first.awaitExit());
            }
            broker.events.awaitDisconnect(clientId);
            publisher.publish(topic, "queued 1", 1, false);
            publisher.publish(topic, "queued 2", 2, false);
            try (Mosquitto.Sub second = Mosquitto.sub(broker, "-V", version, "-c", "-i", clientId, "-t", topic, "-q", "2",
                    "-C", "2", "-W", "20", "-F", Mosquitto.FORMAT)) {
                Received one = second.next();
                Received two = second.next();
                assertEquals("queued 1", one.text(), version);
                assertEquals(1, one.qos());
                assertEquals("queued 2", two.text(), version);
                assertEquals(2, two.qos());
                assertEquals(0, second.awaitExit());
            }
        }
    }

    @Test
    void unacknowledgedQos1MessageIsRedeliveredAfterReconnect() throws Exception {
        String clientId = Ids.next("slow-acker");
        String topic = Ids.next("redeliver");
        PahoV3Client first = PahoV3Client.create(broker, clientId);
        first.client.setManualAcks(true);
        first.connect(options -> options.setCleanSession(false));
        first.subscribe(topic, 1);

        pool.get(Library.HIVEMQ_V3, "pub").publish(topic, "ack me", 1, false);
        Received original = first.next();
        assertEquals("ack me", original.text());
        assertFalse(original.dup());
        Await.until("one message in flight",
                () -> broker.broker.session(clientId).map(SessionInfo::inflightMessages).orElse(0) == 1);
        // No PUBACK: the connection dies first.
        first.kill();
        first.close();
        broker.events.awaitDisconnect(clientId);

        PahoV3Client second = PahoV3Client.create(broker, clientId);
        second.client.setManualAcks(true);
        try (second) {
            second.connect(options -> options.setCleanSession(false));
            assertTrue(second.sessionPresent());
            Received redelivered = second.next();
            assertEquals("ack me", redelivered.text());
            assertEquals(1, redelivered.qos());
            assertTrue(redelivered.dup(), "a redelivered PUBLISH has DUP set");
            assertEquals(original.packetId(), redelivered.packetId(), "same packet identifier");
            second.client.messageArrivedComplete(redelivered.packetId(), redelivered.qos());
            Await.until("the PUBACK cleared the inflight message",
                    () -> broker.broker.session(clientId).map(SessionInfo::inflightMessages).orElse(-1) == 0);
        }
        Library.PAHO_V3.connect(broker, clientId, false).close();
    }

    @Test
    void qos2FlowResumesAtTheRightStepAfterReconnects() {
        for (ProtocolVersion version : List.of(ProtocolVersion.MQTT_3_1_1, ProtocolVersion.MQTT_5)) {
            String clientId = Ids.next("raw-q2");
            String topic = Ids.next("q2-resume");
            int packetId;
            try (RawClient raw = RawClient.open(broker, version)) {
                raw.connect(RawClient.connectPacket(version, clientId, false, 60, null, 300));
                raw.send(new Subscribe(1, List.of(new Subscription(topic, QoS.EXACTLY_ONCE)), Properties.EMPTY));
                assertEquals(QoS.EXACTLY_ONCE.value(), raw.expect(SubAck.class).reasonCodes().get(0).value());
                pool.get(Library.HIVEMQ_V5, "pub").publish(topic, "exactly once", 2, false);
                Publish publish = raw.expect(Publish.class);
                assertEquals(QoS.EXACTLY_ONCE, publish.qos());
                assertFalse(publish.dup());
                packetId = publish.packetId();
                raw.kill(); // neither PUBREC nor DISCONNECT
            }
            broker.events.awaitDisconnect(clientId);
            try (RawClient raw = RawClient.open(broker, version)) {
                ConnAck connAck = raw.connect(RawClient.connectPacket(version, clientId, false, 60, null, 300));
                assertTrue(connAck.sessionPresent(), version + ": session present");
                Publish again = raw.expect(Publish.class);
                assertTrue(again.dup(), version + ": DUP on the resent PUBLISH");
                assertEquals(packetId, again.packetId(), version + ": same packet identifier");
                assertEquals("exactly once", new String(again.payload(), UTF_8));
                raw.send(new PubRec(packetId));
                assertEquals(packetId, raw.expect(PubRel.class).packetId());
                raw.kill(); // no PUBCOMP
            }
            Await.until("second disconnect of " + clientId, () -> broker.events.disconnects(clientId).size() == 2);
            try (RawClient raw = RawClient.open(broker, version)) {
                assertTrue(raw.connect(RawClient.connectPacket(version, clientId, false, 60, null, 300)).sessionPresent());
                assertEquals(packetId, raw.expect(PubRel.class).packetId(), version + ": PUBREL resent, not the PUBLISH");
                raw.send(new PubComp(packetId));
                Await.until("the flow completed",
                        () -> broker.broker.session(clientId).map(SessionInfo::inflightMessages).orElse(-1) == 0);
                // End the session: clean start on the way out.
            }
            try (RawClient raw = RawClient.open(broker, version)) {
                raw.connect(RawClient.connectPacket(version, clientId, true, 60, null, 0));
            }
        }
    }

    @Test
    void inboundQos2IsDeliveredOnceWhenThePublisherRetriesAfterReconnect() {
        for (ProtocolVersion version : List.of(ProtocolVersion.MQTT_3_1_1, ProtocolVersion.MQTT_5)) {
            String clientId = Ids.next("raw-pub");
            String topic = Ids.next("q2-inbound");
            MqttTestClient subscriber = pool.get(Library.HIVEMQ_V5, "sub");
            subscriber.received().clear();
            subscriber.subscribe(topic, 2);
            Publish publish = new Publish(topic, QoS.EXACTLY_ONCE, false, false, 7, "once".getBytes(UTF_8), Properties.EMPTY);
            try (RawClient raw = RawClient.open(broker, version)) {
                raw.connect(RawClient.connectPacket(version, clientId, false, 60, null, 300));
                raw.send(publish);
                assertEquals(7, raw.expect(PubRec.class).packetId());
                raw.kill(); // as if the PUBREC never arrived
            }
            broker.events.awaitDisconnect(clientId);
            try (RawClient raw = RawClient.open(broker, version)) {
                assertTrue(raw.connect(RawClient.connectPacket(version, clientId, false, 60, null, 300)).sessionPresent());
                raw.send(publish.withDup(true));
                assertEquals(7, raw.expect(PubRec.class).packetId(), version + ": the retried PUBLISH is acknowledged");
                raw.send(new PubRel(7));
                assertEquals(7, raw.expect(PubComp.class).packetId());
                raw.send(new Publish(topic, QoS.AT_LEAST_ONCE, false, false, 8, "marker".getBytes(UTF_8), Properties.EMPTY));
                assertEquals(8, raw.expect(PubAck.class).packetId());
            }
            assertEquals("once", subscriber.next().text());
            assertEquals("marker", subscriber.next().text(), version + ": the retried QoS 2 message was delivered once");
            subscriber.unsubscribe(topic);
            try (RawClient raw = RawClient.open(broker, version)) {
                raw.connect(RawClient.connectPacket(version, clientId, true, 60, null, 0));
            }
        }
    }

    @Test
    void sessionExpiresAfterItsInterval() {
        String clientId = Ids.next("expiring");
        String topic = Ids.next("expiring");
        long disconnectedAt;
        try (PahoV5Client client = PahoV5Client.create(broker, clientId).connect(options -> {
            options.setCleanStart(false);
            options.setSessionExpiryInterval(1L);
        })) {
            client.subscribe(topic, 1);
            disconnectedAt = System.nanoTime(); // the broker's 1 s start later, when DISCONNECT arrives
            client.disconnect();
        }
        broker.events.awaitSessionEnd(clientId);
        long afterMillis = (System.nanoTime() - disconnectedAt) / 1_000_000;
        assertTrue(afterMillis >= 900, "the session lived its 1 s, ended after " + afterMillis + " ms");
        assertTrue(broker.broker.session(clientId).isEmpty(), "the session is gone");
        try (PahoV5Client client = PahoV5Client.create(broker, clientId).connect(options -> {
            options.setCleanStart(false);
            options.setSessionExpiryInterval(0L);
        })) {
            assertFalse(client.sessionPresent(), "no session to resume");
            assertTrue(broker.broker.session(clientId).orElseThrow().subscriptions().isEmpty());
        }
    }

    @Test
    void mqtt5DisconnectCanShortenTheSessionExpiry() {
        String clientId = Ids.next("shorten");
        try (HiveMqV5Client client = HiveMqV5Client.connect(broker, clientId,
                b -> b.cleanStart(false).sessionExpiryInterval(3600))) {
            client.subscribe(Ids.next("shorten"), 1);
            Await.result("DISCONNECT with session expiry 0",
                    client.client.disconnectWith().sessionExpiryInterval(0).send());
        }
        broker.events.awaitSessionEnd(clientId);
        assertTrue(broker.broker.session(clientId).isEmpty());
    }

    @Test
    void cleanSessionDiscardsThePreviousSession() {
        String clientId = Ids.next("fresh");
        String topic = Ids.next("fresh");
        try (MqttTestClient client = Library.HIVEMQ_V3.connect(broker, clientId, true)) {
            client.subscribe(topic, 1);
            client.disconnect();
        }
        pool.get(Library.HIVEMQ_V5, "pub").publish(topic, "queued", 1, false);
        Await.until("queued", () -> broker.broker.session(clientId).map(SessionInfo::queuedMessages).orElse(0) == 1);
        try (MqttTestClient client = Library.HIVEMQ_V3.connect(broker, clientId, false)) {
            assertFalse(client.sessionPresent());
            broker.events.awaitSessionEnd(clientId);
            assertTrue(broker.broker.session(clientId).orElseThrow().subscriptions().isEmpty());
            pool.get(Library.HIVEMQ_V5, "pub").publish(topic, "after", 1, false);
            client.subscribe(topic, 1);
            pool.get(Library.HIVEMQ_V5, "pub").publish(topic, "marker", 1, false);
            assertEquals("marker", client.next().text(), "nothing of the old session was delivered");
        }
    }

    @Test
    void offlineQueueIsBoundedAndCountsWhatItDrops() {
        try (TestBroker small = TestBroker.start(b -> b.maxQueuedMessages(5))) {
            String clientId = Ids.next("bounded");
            String topic = Ids.next("bounded");
            try (MqttTestClient client = Library.HIVEMQ_V5.connect(small, clientId, true)) {
                client.subscribe(topic, 1);
                client.disconnect();
            }
            try (MqttTestClient publisher = Library.HIVEMQ_V5.connect(small, Ids.next("pub"))) {
                for (int i = 1; i <= 8; i++) {
                    publisher.publish(topic, "m" + i, 1, false);
                }
            }
            List<RecordingListener.Dropped> drops = small.events.await("queue-full drops", 3,
                    RecordingListener.Dropped.class, e -> e.clientId().equals(clientId) && e.reason() == DropReason.QUEUE_FULL);
            assertEquals(3, drops.size());
            assertEquals(5, small.broker.session(clientId).orElseThrow().queuedMessages());
            try (MqttTestClient client = Library.HIVEMQ_V5.connect(small, clientId, true);
                 MqttTestClient publisher = Library.HIVEMQ_V5.connect(small, Ids.next("pub"))) {
                for (int i = 1; i <= 5; i++) {
                    assertEquals("m" + i, client.next().text());
                }
                publisher.publish(topic, "marker", 1, false);
                assertEquals("marker", client.next().text(), "exactly five were kept");
            }
            Library.HIVEMQ_V5.connect(small, clientId, false).close();
        }
    }

    @Test
    void qos0IsQueuedWhileOfflineWhenConfigured() {
        try (TestBroker queueing = TestBroker.start(b -> b.queueQos0WhileOffline(true))) {
            String clientId = Ids.next("q0-away");
            String topic = Ids.next("q0-away");
            try (MqttTestClient client = Library.HIVEMQ_V3.connect(queueing, clientId, true)) {
                client.subscribe(topic, 1);
                client.disconnect();
            }
            try (MqttTestClient publisher = Library.HIVEMQ_V3.connect(queueing, Ids.next("pub"))) {
                publisher.publish(topic, "qos 0 kept", 0, false);
            }
            try (MqttTestClient client = Library.HIVEMQ_V3.connect(queueing, clientId, true)) {
                Received received = client.next();
                assertEquals("qos 0 kept", received.text());
                assertEquals(0, received.qos());
            }
            Library.HIVEMQ_V3.connect(queueing, clientId, false).close();
        }
    }

    @Test
    void binaryPayloadSurvivesTheQueue() {
        String clientId = Ids.next("binary-away");
        String topic = Ids.next("binary-away");
        byte[] payload = new byte[64 * 1024];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        try (MqttTestClient client = Library.PAHO_V5.connect(broker, clientId, true)) {
            client.subscribe(topic, 2);
            client.disconnect();
        }
        pool.get(Library.PAHO_V3, "pub").publish(topic, payload, 2, false);
        try (MqttTestClient client = Library.PAHO_V5.connect(broker, clientId, true)) {
            assertArrayEquals(payload, client.next().payload());
        }
        Library.PAHO_V5.connect(broker, clientId, false).close();
    }
}
