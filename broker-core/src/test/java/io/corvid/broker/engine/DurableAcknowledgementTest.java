package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.BrokerConfig;
import io.corvid.broker.SessionStore;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Will;
import io.corvid.broker.store.InMemorySessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With a store, PUBACK, PUBREC, PUBCOMP and SUBACK are sent only once what they acknowledge is
 * durable, and in the order of the packets they answer.
 */
class DurableAcknowledgementTest extends EngineTestSupport {

    /** A store whose changes become durable only when the test says so. */
    private static final class GatedStore implements SessionStore {
        final InMemorySessionStore memory = new InMemorySessionStore();
        private final List<Runnable> waiting = new ArrayList<>();

        @Override
        public State load() {
            return memory.load();
        }

        @Override
        public synchronized void saveSession(StoredSession session) {
            memory.saveSession(session);
        }

        @Override
        public synchronized void removeSession(String clientId) {
            memory.removeSession(clientId);
        }

        @Override
        public synchronized void saveMessage(String clientId, StoredMessage message) {
            memory.saveMessage(clientId, message);
        }

        @Override
        public synchronized void removeMessage(String clientId, long sequence) {
            memory.removeMessage(clientId, sequence);
        }

        @Override
        public synchronized void saveRetained(StoredMessage message) {
            memory.saveRetained(message);
        }

        @Override
        public synchronized void removeRetained(String topic) {
            memory.removeRetained(topic);
        }

        @Override
        public synchronized void whenDurable(Runnable callback) {
            waiting.add(callback);
        }

        /** Makes everything so far durable: runs the waiting callbacks in order. */
        void commit() {
            List<Runnable> due;
            synchronized (this) {
                due = new ArrayList<>(waiting);
                waiting.clear();
            }
            due.forEach(Runnable::run);
        }

        synchronized int waitingCallbacks() {
            return waiting.size();
        }
    }

    private final GatedStore gated = new GatedStore();

    private TestClient persistentSubscriber(String id, String filter, QoS qos) {
        TestClient subscriber = client(id);
        subscriber.connect(MQTT_3_1_1, false);
        Thread committer = new Thread(() -> {
            Await.until("the SUBACK waits for the store", () -> gated.waitingCallbacks() > 0);
            gated.commit();
        });
        committer.start();
        subscriber.subscribe(filter, qos);
        return subscriber;
    }

    @Test
    void pubAckWaitsUntilTheStoredCopyForAPersistentSubscriberIsDurable() {
        store = gated;
        TestClient subscriber = persistentSubscriber("keeper", "d/#", QoS.AT_LEAST_ONCE);
        subscriber.send(Disconnect.NORMAL);
        subscriber.awaitClosed();
        gated.commit();
        TestClient publisher = client("pub");
        publisher.connect(MQTT_5, true);
        publisher.send(new Publish("d/1", QoS.AT_LEAST_ONCE, false, false, 7, new byte[] {1}, Properties.EMPTY));
        Await.until("the PUBACK waits for the store", () -> gated.waitingCallbacks() == 1);
        assertNull(publisher.next(Duration.ofMillis(200)), "no PUBACK before the message is durable");
        gated.commit();
        assertEquals(7, publisher.expect(PubAck.class).packetId());
    }

    @Test
    void acknowledgementsKeepTheirOrderBehindOneThatWaits() {
        store = gated;
        TestClient subscriber = persistentSubscriber("ordered", "o/kept", QoS.AT_LEAST_ONCE);
        subscriber.send(Disconnect.NORMAL);
        subscriber.awaitClosed();
        gated.commit();
        TestClient publisher = client("pub2");
        publisher.connect(MQTT_5, true);
        publisher.send(new Publish("o/kept", QoS.AT_LEAST_ONCE, false, false, 1, new byte[] {1}, Properties.EMPTY));
        publisher.send(new Publish("o/nobody", QoS.AT_LEAST_ONCE, false, false, 2, new byte[] {2}, Properties.EMPTY));
        Await.until("both are taken in", () -> engine().metrics().messagesReceived() == 2
                && gated.waitingCallbacks() > 0);
        assertNull(publisher.next(Duration.ofMillis(200)), "the second PUBACK does not overtake the first");
        List<Integer> acknowledged = new ArrayList<>();
        Await.until("both PUBACKs", () -> {
            gated.commit(); // the acks may share one callback or have one each
            if (publisher.next(Duration.ofMillis(20)) instanceof PubAck ack) {
                acknowledged.add(ack.packetId());
            }
            return acknowledged.size() == 2;
        });
        assertEquals(List.of(1, 2), acknowledged);
    }

    @Test
    void aPublishThatTouchesNoStoredStateIsAcknowledgedAtOnce() {
        store = gated;
        TestClient publisher = client("free");
        publisher.connect(MQTT_5, true);
        publisher.send(new Publish("nobody/listens", QoS.AT_LEAST_ONCE, false, false, 3, new byte[] {3},
                Properties.EMPTY));
        assertEquals(3, publisher.expect(PubAck.class).packetId());
        assertEquals(0, gated.waitingCallbacks());
    }

    @Test
    void qos2FromAPersistentPublisherWaitsAtPubRecAndAtPubComp() {
        store = gated;
        TestClient publisher = client("q2");
        publisher.connect(MQTT_3_1_1, false);
        gated.commit();
        publisher.send(new Publish("q2/t", QoS.EXACTLY_ONCE, false, false, 5, new byte[] {5}, Properties.EMPTY));
        Await.until("PUBREC waits for the stored packet identifier", () -> gated.waitingCallbacks() == 1);
        assertNull(publisher.next(Duration.ofMillis(200)));
        gated.commit();
        assertEquals(5, publisher.expect(PubRec.class).packetId());
        publisher.send(new PubRel(5));
        Await.until("PUBCOMP waits until the identifier is durably released", () -> gated.waitingCallbacks() == 1);
        gated.commit();
        assertEquals(5, publisher.expect(PubComp.class).packetId());
    }

    /**
     * A QoS 2 PUBLISH resent after its PUBREC was lost with the connection is acknowledged only
     * once its first arrival is durable: answered at once, the PUBREC let the publisher forget a
     * message whose routed copies a power loss could still take (found by the simulation).
     */
    @Test
    void theResendOfAQos2PublishIsAcknowledgedOnlyOnceItsFirstArrivalIsDurable() {
        store = gated;
        TestClient subscriber = persistentSubscriber("keeper2", "r/#", QoS.EXACTLY_ONCE);
        subscriber.send(Disconnect.NORMAL);
        subscriber.awaitClosed();
        gated.commit();
        TestClient publisher = client("resender");
        publisher.connect(MQTT_3_1_1, false);
        gated.commit();
        publisher.send(new Publish("r/1", QoS.EXACTLY_ONCE, false, false, 4, new byte[] {4}, Properties.EMPTY));
        Await.until("the PUBREC waits for the store", () -> gated.waitingCallbacks() == 1);
        publisher.dropNetwork(); // the connection goes, and the PUBREC waiting with it
        TestClient again = client("resender");
        again.connect(MQTT_3_1_1, false);
        again.send(new Publish("r/1", QoS.EXACTLY_ONCE, false, true, 4, new byte[] {4}, Properties.EMPTY));
        Await.until("the resend's PUBREC waits for the store", () -> gated.waitingCallbacks() >= 2);
        assertNull(again.next(Duration.ofMillis(200)), "no PUBREC before the first arrival is durable");
        gated.commit();
        assertEquals(4, again.expect(PubRec.class).packetId());
    }

    /**
     * The broker's PUBREL to a persistent subscriber waits until the subscriber's PUBREC is
     * durable: with the PUBREL the client completes and forgets the packet identifier, and a
     * restart that lost the PUBREC resent the message under it, to be delivered twice (found by
     * the simulation, with power losses).
     */
    @Test
    void pubRelToAPersistentSubscriberWaitsUntilItsPubRecIsDurable() {
        store = gated;
        TestClient subscriber = persistentSubscriber("exact", "x/#", QoS.EXACTLY_ONCE);
        TestClient publisher = client("x-pub");
        publisher.connect(MQTT_5, true);
        publisher.send(new Publish("x/2", QoS.EXACTLY_ONCE, false, false, 2, new byte[] {2}, Properties.EMPTY));
        // The publisher's PUBREC waits for the stored message, the delivery for its stored packet identifier.
        Await.until("the PUBREC and the delivery wait for the store", () -> gated.waitingCallbacks() == 2);
        gated.commit();
        Publish delivered = subscriber.expect(Publish.class);
        assertEquals(QoS.EXACTLY_ONCE, delivered.qos());
        assertEquals(2, publisher.expect(PubRec.class).packetId());
        subscriber.send(new PubRec(delivered.packetId()));
        Await.until("the PUBREL waits for the store", () -> gated.waitingCallbacks() == 1);
        assertNull(subscriber.next(Duration.ofMillis(200)), "no PUBREL before the PUBREC is durable");
        gated.commit();
        assertEquals(delivered.packetId(), subscriber.expect(PubRel.class).packetId());
    }

    /**
     * A QoS 2 PUBLISH to a persistent subscriber goes out only once the packet identifier it
     * carries is durable: sent before, a power loss could bring the message back under a new
     * identifier (delivered twice) or give its identifier to another message the client would
     * then discard as a resend (found by the simulation, with power losses).
     */
    @Test
    void aQos2PublishToAPersistentSubscriberWaitsUntilItsPacketIdentifierIsDurable() {
        store = gated;
        TestClient subscriber = persistentSubscriber("held", "h/#", QoS.EXACTLY_ONCE);
        TestClient publisher = client("h-pub");
        publisher.connect(MQTT_5, true);
        publisher.send(new Publish("h/1", QoS.EXACTLY_ONCE, false, false, 3, new byte[] {3}, Properties.EMPTY));
        Await.until("the delivery waits for the store", () -> gated.waitingCallbacks() == 2);
        assertNull(subscriber.next(Duration.ofMillis(200)), "no PUBLISH before its packet identifier is durable");
        SessionStore.StoredMessage stored = storedMessages("held").get(0);
        gated.commit();
        Publish delivered = subscriber.expect(Publish.class);
        assertEquals("h/1", delivered.topic());
        assertEquals(stored.packetId(), delivered.packetId(), "it goes out under the identifier stored for it");
    }

    /** Whatever follows a QoS 2 PUBLISH held for the store waits behind it, at any QoS: the client sees them in order. */
    @Test
    void messagesBehindAHeldQos2PublishKeepTheirOrder() {
        store = gated;
        TestClient subscriber = persistentSubscriber("in-order", "k/#", QoS.EXACTLY_ONCE);
        TestClient publisher = client("k-pub");
        publisher.connect(MQTT_5, true);
        publisher.send(new Publish("k/1", QoS.EXACTLY_ONCE, false, false, 1, new byte[] {1}, Properties.EMPTY));
        publisher.send(new Publish("k/2", QoS.AT_MOST_ONCE, false, false, 0, new byte[] {2}, Properties.EMPTY));
        publisher.send(new Publish("k/3", QoS.AT_LEAST_ONCE, false, false, 3, new byte[] {3}, Properties.EMPTY));
        Await.until("all three are taken in", () -> engine().metrics().messagesReceived() == 3);
        assertNull(subscriber.next(Duration.ofMillis(200)), "nothing overtakes the held QoS 2 PUBLISH");
        List<String> topics = new ArrayList<>();
        Await.until("all three delivered", () -> {
            gated.commit();
            if (subscriber.next(Duration.ofMillis(20)) instanceof Publish publish) {
                topics.add(publish.topic());
            }
            return topics.size() == 3;
        });
        assertEquals(List.of("k/1", "k/2", "k/3"), topics);
    }

    /**
     * A held QoS 2 PUBLISH whose connection closes stays in flight and goes to the next
     * connection as a resend, under the identifier stored for it.
     */
    @Test
    void aHeldQos2PublishGoesToTheNextConnectionUnderItsStoredIdentifier() {
        store = gated;
        TestClient subscriber = persistentSubscriber("moving", "m/#", QoS.EXACTLY_ONCE);
        TestClient publisher = client("m-pub");
        publisher.connect(MQTT_5, true);
        publisher.send(new Publish("m/1", QoS.EXACTLY_ONCE, false, false, 1, new byte[] {1}, Properties.EMPTY));
        Await.until("the delivery waits for the store", () -> gated.waitingCallbacks() == 2);
        int storedId = storedMessages("moving").get(0).packetId();
        subscriber.dropNetwork();
        Await.until("the session is detached", () -> engine().sessions().stream()
                .anyMatch(session -> session.clientId().equals("moving") && !session.connected()));
        gated.commit();
        TestClient back = client("moving");
        assertTrue(back.connect(MQTT_3_1_1, false).sessionPresent());
        Await.until("the resend waits for the store", () -> gated.waitingCallbacks() > 0);
        gated.commit();
        Publish resent = back.expect(Publish.class);
        assertEquals("m/1", resent.topic());
        assertTrue(resent.dup());
        assertEquals(storedId, resent.packetId());
    }

    /**
     * A store left with two messages in flight under one packet identifier (a failed removal)
     * restores: the later keeps the identifier and is resent, the older goes out again under a
     * new one. Restoring both under one identifier had looped, growing the inflight window until
     * the heap ran out (found by the simulation, with failing store writes).
     */
    @Test
    void twoStoredMessagesUnderOnePacketIdentifierAreBothDelivered() {
        InMemorySessionStore damaged = new InMemorySessionStore();
        damaged.saveSession(new SessionStore.StoredSession("twice", BrokerConfig.SESSION_NEVER_EXPIRES,
                clock.currentTimeMillis(), List.of(), List.of(), List.of(), 4, null, 0));
        damaged.saveMessage("twice", storedQos1(1, "old", 7));
        damaged.saveMessage("twice", storedQos1(2, "new", 7));
        store = damaged;
        TestClient client = client("twice");
        assertTrue(client.connect(MQTT_3_1_1, false).sessionPresent());
        Publish first = client.expect(Publish.class);
        Publish second = client.expect(Publish.class);
        assertEquals("new", first.topic(), "the later message keeps the identifier and is resent first");
        assertEquals(7, first.packetId());
        assertTrue(first.dup());
        assertEquals("old", second.topic());
        assertFalse(second.dup());
        assertTrue(second.packetId() != 7, "the older one goes out under a new identifier");
    }

    private static SessionStore.StoredMessage storedQos1(long sequence, String topic, int packetId) {
        return new SessionStore.StoredMessage(sequence, topic, new byte[] {1}, QoS.AT_LEAST_ONCE, false,
                Properties.EMPTY, "someone", Long.MAX_VALUE, new int[0], packetId, false);
    }

    private List<SessionStore.StoredMessage> storedMessages(String clientId) {
        return gated.memory.load().sessions().stream().filter(session -> session.clientId().equals(clientId))
                .findFirst().orElseThrow().messages();
    }

    @Test
    void subAckWaitsForTheStoredSubscription() {
        store = gated;
        TestClient subscriber = client("subs");
        subscriber.connect(MQTT_3_1_1, false);
        gated.commit();
        subscriber.send(new io.corvid.broker.packet.Subscribe(9,
                List.of(new io.corvid.broker.packet.Subscription("s/#", QoS.AT_LEAST_ONCE)), Properties.EMPTY));
        Await.until("SUBACK waits", () -> gated.waitingCallbacks() == 1);
        assertNull(subscriber.next(Duration.ofMillis(200)));
        gated.commit();
        assertEquals(9, subscriber.expect(SubAck.class).packetId());
    }

    @Test
    void aWillSurvivesARestartAndIsPublishedAfterItsDelay() {
        store = new InMemorySessionStore();
        TestClient watcher = client("watcher");
        watcher.connect(MQTT_3_1_1, false);
        watcher.subscribe("wills/#", QoS.AT_LEAST_ONCE);
        watcher.send(Disconnect.NORMAL);
        watcher.awaitClosed();
        TestClient dying = client("dying");
        Will will = new Will("wills/dying", new byte[] {9}, QoS.AT_LEAST_ONCE, false,
                Properties.builder().put(io.corvid.broker.packet.Property.WILL_DELAY_INTERVAL, 1L).build());
        dying.connect(TestClient.connect(MQTT_5, "dying", false, 60,
                Properties.builder().put(io.corvid.broker.packet.Property.SESSION_EXPIRY_INTERVAL, 3600L).build(), will));
        SessionStore.StoredSession stored = store.load().sessions().stream()
                .filter(s -> s.clientId().equals("dying")).findFirst().orElseThrow();
        assertEquals(5, stored.protocolLevel());
        assertEquals("wills/dying", stored.will().topic());
        assertEquals(0, stored.willDueAtMillis(), "connected: not due yet");

        restartEngine(); // the broker goes away; its client had not disconnected
        // The old engine's last session work (the detach that keeps the will) lands in the store
        // asynchronously; a real restart starts only after the old process is gone.
        Await.until("the waiting will is in the store", () -> store.load().sessions().stream()
                .anyMatch(s -> s.clientId().equals("dying") && s.will() != null && s.willDueAtMillis() != 0));
        TestClient back = client("watcher");
        assertTrue(back.connect(MQTT_3_1_1, false).sessionPresent());
        Publish published = back.receive();
        assertEquals("wills/dying", published.topic(), "the waiting will is published after the restart");
    }
    /**
     * DISCONNECT 0x00 deletes the will from the stored session before the connection closes:
     * found by the simulation, where a broker that crashed between the DISCONNECT and the
     * session's clean-up of the closed connection restored the will and published it.
     */
    @Test
    void aNormalDisconnectDeletesTheStoredWillBeforeTheConnectionCloses() {
        InMemorySessionStore memory = new InMemorySessionStore();
        store = memory;
        List<Will> storedAtTheClose = new ArrayList<>();
        listeners.add(new io.corvid.broker.BrokerListener() {
            @Override
            public void onClientDisconnected(io.corvid.broker.ClientInfo client, io.corvid.broker.DisconnectReason reason) {
                // The close event comes before the closed connection's session work runs.
                memory.load().sessions().stream().filter(s -> s.clientId().equals("leaving"))
                        .forEach(s -> storedAtTheClose.add(s.will()));
            }
        });
        TestClient leaving = client("leaving");
        Will will = new Will("wills/leaving", new byte[] {9}, QoS.AT_LEAST_ONCE, false, Properties.EMPTY);
        leaving.connect(TestClient.connect(MQTT_5, "leaving", false, 60,
                Properties.builder().put(io.corvid.broker.packet.Property.SESSION_EXPIRY_INTERVAL, 3600L).build(),
                will));
        assertEquals("wills/leaving", memory.load().sessions().get(0).will().topic(), "kept while connected");
        leaving.send(Disconnect.NORMAL);
        leaving.awaitClosed();
        Await.until("the close event came", () -> !storedAtTheClose.isEmpty());
        assertNull(storedAtTheClose.get(0), "the will was still in the store when the connection closed");
    }
}
