package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.SessionStore;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.store.InMemorySessionStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Persistent sessions and retained messages written through to a store and restored by a new engine. */
class SessionStoreTest extends EngineTestSupport {
    private InMemorySessionStore memory;

    @BeforeEach
    void useStore() {
        memory = new InMemorySessionStore();
        store = memory;
    }

    private void publish(String topic, String payload, QoS qos, boolean retain) {
        engine().publishFromApplication(new Publish(topic, qos, retain, false, 0,
                payload.getBytes(StandardCharsets.UTF_8), Properties.EMPTY));
    }

    private TestClient persistentClient(String clientId, boolean cleanStart) {
        TestClient client = client(clientId);
        client.connect(MQTT_3_1_1, cleanStart);
        return client;
    }

    @Test
    void queuedMessagesAndSubscriptionsSurviveARestart() {
        TestClient client = persistentClient("durable", false);
        client.subscribe("d/#", QoS.EXACTLY_ONCE);
        client.send(Disconnect.NORMAL);
        client.awaitClosed();
        events.await("disconnected durable");
        publish("d/1", "one", QoS.AT_LEAST_ONCE, false);
        publish("d/2", "two", QoS.EXACTLY_ONCE, false);
        Await.until("both messages are stored", () -> memory.messageCount("durable") == 2);

        restartEngine();
        assertEquals(1, engine().sessions().size());
        TestClient back = client("durable");
        assertTrue(back.connect(MQTT_3_1_1, false).sessionPresent());
        assertEquals("d/1", back.receive().topic());
        assertEquals("d/2", back.receive().topic());
        Await.until("acknowledged messages leave the store", () -> memory.messageCount("durable") == 0);
        publish("d/3", "three", QoS.AT_LEAST_ONCE, false);
        assertEquals("d/3", back.receive().topic(), "the restored subscription routes new messages");
    }

    @Test
    void messagesInFlightAreResentWithTheirPacketIdentifiersAfterARestart() {
        TestClient client = persistentClient("inflight", false);
        client.subscribe("f", QoS.EXACTLY_ONCE);
        publish("f", "q1", QoS.AT_LEAST_ONCE, false);
        publish("f", "q2", QoS.EXACTLY_ONCE, false);
        Publish first = client.expect(Publish.class);
        Publish second = client.expect(Publish.class);
        client.send(new PubRec(second.packetId()));
        client.expect(PubRel.class);
        Await.until("both are stored in flight", () -> memory.messageCount("inflight") == 2);

        restartEngine();
        TestClient back = client("inflight");
        assertTrue(back.connect(MQTT_3_1_1, false).sessionPresent());
        Publish again = back.expect(Publish.class);
        assertTrue(again.dup());
        assertEquals(first.packetId(), again.packetId());
        assertEquals(second.packetId(), back.expect(PubRel.class).packetId());
        back.send(new PubAck(again.packetId()));
        back.send(new PubComp(second.packetId()));
        Await.until("completed flows leave the store", () -> memory.messageCount("inflight") == 0);
    }

    @Test
    void qos1IdentifiersAreStoredWhenTheClientGoesAwayAndQos2OnesAtOnce() {
        TestClient client = persistentClient("ids", false);
        client.subscribe("i", QoS.EXACTLY_ONCE);
        publish("i", "q1", QoS.AT_LEAST_ONCE, false);
        publish("i", "q2", QoS.EXACTLY_ONCE, false);
        Publish first = client.expect(Publish.class);
        Publish second = client.expect(Publish.class);
        Await.until("the QoS 2 identifier is stored", () -> storedPacketIds("ids").equals(List.of(0, second.packetId())));

        client.dropNetwork(); // the connection drops without DISCONNECT
        Await.until("the QoS 1 identifier is stored too",
                () -> storedPacketIds("ids").equals(List.of(first.packetId(), second.packetId())));
    }

    @Test
    void aQos1MessageInFlightAtACrashIsSentAgain() {
        TestClient client = persistentClient("crash", false);
        client.subscribe("c", QoS.AT_LEAST_ONCE);
        publish("c", "in flight", QoS.AT_LEAST_ONCE, false);
        client.expect(Publish.class);
        Await.until("the message is stored", () -> memory.messageCount("crash") == 1);
        SessionStore.State atTheCrash = memory.load();

        restartEngine();
        memory = new InMemorySessionStore();
        atTheCrash.sessions().forEach(memory::saveSession);
        for (SessionStore.StoredSession session : atTheCrash.sessions()) {
            session.messages().forEach(message -> memory.saveMessage(session.clientId(), message));
        }
        store = memory;
        TestClient back = client("crash");
        assertTrue(back.connect(MQTT_3_1_1, false).sessionPresent());
        Publish again = back.expect(Publish.class);
        assertEquals("in flight", new String(again.payload(), StandardCharsets.UTF_8));
        back.send(new PubAck(again.packetId()));
        Await.until("the acknowledged message leaves the store", () -> memory.messageCount("crash") == 0);
    }

    private List<Integer> storedPacketIds(String clientId) {
        return memory.load().sessions().stream()
                .filter(session -> session.clientId().equals(clientId))
                .flatMap(session -> session.messages().stream())
                .map(SessionStore.StoredMessage::packetId)
                .toList();
    }

    @Test
    void retainedMessagesSurviveARestart() {
        publish("r/a", "kept", QoS.AT_LEAST_ONCE, true);
        publish("r/b", "gone", QoS.AT_LEAST_ONCE, true);
        publish("r/b", "", QoS.AT_LEAST_ONCE, true);
        assertEquals(1, memory.retainedCount());
        restartEngine();
        TestClient client = persistentClient("reader", true);
        client.subscribe("r/#", QoS.AT_LEAST_ONCE);
        Publish retained = client.receive();
        assertEquals("r/a", retained.topic());
        assertTrue(retained.retain());
        client.expectNothing();
    }

    @Test
    void cleanSessionsAndQos0NeverReachTheStore() {
        TestClient client = persistentClient("clean", true);
        client.subscribe("c", QoS.AT_LEAST_ONCE);
        publish("c", "x", QoS.AT_LEAST_ONCE, false);
        client.receive();
        TestClient persistent = persistentClient("p", false);
        persistent.subscribe("z", QoS.AT_MOST_ONCE);
        publish("z", "zero", QoS.AT_MOST_ONCE, false);
        persistent.receive();
        assertEquals(1, memory.sessionCount());
        assertEquals(0, memory.messageCount("clean"));
        assertEquals(0, memory.messageCount("p"));
    }

    @Test
    void endedSessionsLeaveTheStore() {
        TestClient client = client("short");
        client.connect(TestClient.connect(MQTT_5, "short", false, 60,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 1L).build(), null));
        client.subscribe("s", QoS.AT_LEAST_ONCE);
        assertEquals(1, memory.sessionCount());
        client.send(Disconnect.NORMAL);
        events.await("session-ended short");
        assertEquals(0, memory.sessionCount());

        TestClient other = persistentClient("restart-clean", false);
        other.subscribe("x", QoS.AT_LEAST_ONCE);
        other.send(Disconnect.NORMAL);
        other.awaitClosed();
        events.await("disconnected restart-clean");
        publish("x", "queued", QoS.AT_LEAST_ONCE, false);
        Await.until("queued message stored", () -> memory.messageCount("restart-clean") == 1);
        TestClient clean = persistentClient("restart-clean", true);
        clean.expectNothing();
        Await.until("clean start removed the stored session", () -> memory.sessionCount() == 0);
    }

    @Test
    void aSessionThatExpiredWhileTheBrokerWasDownEndsAtRestore() {
        TestClient client = client("lapsed");
        client.connect(TestClient.connect(MQTT_5, "lapsed", false, 60,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 60L).build(), null));
        client.subscribe("l", QoS.AT_LEAST_ONCE);
        client.send(Disconnect.NORMAL);
        events.await("disconnected lapsed");
        Await.until("the store knows when the client left",
                () -> memory.load().sessions().get(0).disconnectedAtMillis() != 0);
        restartEngine();
        clock.advanceMillis(120_000);
        engine();
        events.await("session-ended lapsed");
        assertEquals(0, memory.sessionCount());
    }

    @Test
    void aQos2MessageReceivedBeforeARestartIsNotDeliveredTwice() {
        TestClient subscriber = persistentClient("eo-sub", false);
        subscriber.subscribe("eo", QoS.AT_LEAST_ONCE);
        TestClient publisher = persistentClient("eo-pub", false);
        Publish publish = new Publish("eo", QoS.EXACTLY_ONCE, false, false, 7, new byte[] {1}, Properties.EMPTY);
        publisher.send(publish);
        assertEquals(7, publisher.expect(PubRec.class).packetId());
        subscriber.receive();
        Await.until("the subscriber's acknowledgement cleared its copy", () -> memory.messageCount("eo-sub") == 0);
        Await.until("the identifier awaiting PUBREL is stored", () -> memory.load().sessions().stream()
                .anyMatch(s -> s.clientId().equals("eo-pub") && s.inboundQos2PacketIds().contains(7)));

        restartEngine();
        TestClient subscriberBack = client("eo-sub");
        assertTrue(subscriberBack.connect(MQTT_3_1_1, false).sessionPresent());
        TestClient publisherBack = client("eo-pub");
        assertTrue(publisherBack.connect(MQTT_3_1_1, false).sessionPresent());
        publisherBack.send(publish.withDup(true));
        assertEquals(7, publisherBack.expect(PubRec.class).packetId(), "the resend is acknowledged ...");
        publisherBack.send(new PubRel(7));
        assertEquals(7, publisherBack.expect(PubComp.class).packetId());
        subscriberBack.expectNothing(); // ... and not delivered a second time
    }
}
