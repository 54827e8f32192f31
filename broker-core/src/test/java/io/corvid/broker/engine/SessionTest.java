package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.SessionInfo;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionTest extends EngineTestSupport {

    private int publishFromApp(String topic, String payload, QoS qos) {
        return engine().publishFromApplication(new Publish(topic, qos, false, false, 0,
                payload.getBytes(StandardCharsets.UTF_8), Properties.EMPTY));
    }

    private TestClient reconnect(String clientId, boolean cleanStart, boolean expectPresent) {
        TestClient client = client(clientId);
        assertEquals(expectPresent, client.connect(MQTT_3_1_1, cleanStart).sessionPresent());
        return client;
    }

    @Test
    void persistentSessionKeepsSubscriptionsAndQueuesQos1And2WhileOffline() {
        TestClient first = client("offline");
        first.connect(MQTT_3_1_1, false);
        first.subscribe("news/#", QoS.EXACTLY_ONCE);
        first.send(Disconnect.NORMAL);
        first.awaitClosed();
        events.await("disconnected offline");

        assertEquals(1, publishFromApp("news/1", "one", QoS.AT_LEAST_ONCE));
        assertEquals(1, publishFromApp("news/2", "two", QoS.EXACTLY_ONCE));
        assertEquals(1, publishFromApp("news/3", "three", QoS.AT_MOST_ONCE));
        events.await("dropped offline news/3 CLIENT_OFFLINE");
        SessionInfo info = engine().session("offline").orElseThrow();
        assertFalse(info.connected());
        assertEquals(2, info.queuedMessages());

        TestClient second = reconnect("offline", false, true);
        assertEquals("news/1", second.receive().topic());
        assertEquals("news/2", second.receive().topic());
        second.expectNothing();
    }

    @Test
    void cleanSessionDiscardsSubscriptionsOnDisconnect() {
        TestClient first = client("clean");
        first.connect(MQTT_3_1_1, true);
        first.subscribe("t", QoS.AT_LEAST_ONCE);
        first.send(Disconnect.NORMAL);
        first.awaitClosed();
        events.await("session-ended clean");
        assertEquals(0, publishFromApp("t", "x", QoS.AT_LEAST_ONCE));
        assertTrue(engine().session("clean").isEmpty());
    }

    @Test
    void unacknowledgedMessagesAreResentWithDupAndTheSamePacketIdentifier() {
        TestClient first = client("redo");
        first.connect(MQTT_3_1_1, false);
        first.subscribe("r/#", QoS.EXACTLY_ONCE);
        publishFromApp("r/1", "q1", QoS.AT_LEAST_ONCE);
        publishFromApp("r/2", "q2", QoS.EXACTLY_ONCE);
        publishFromApp("r/3", "q2-released", QoS.EXACTLY_ONCE);
        Publish q1 = first.expect(Publish.class);
        Publish q2 = first.expect(Publish.class);
        Publish q2Released = first.expect(Publish.class);
        first.send(new PubRec(q2Released.packetId()));
        assertEquals(q2Released.packetId(), first.expect(PubRel.class).packetId());
        first.dropNetwork();
        events.await("disconnected redo");

        TestClient second = reconnect("redo", false, true);
        Publish again1 = second.expect(Publish.class);
        assertTrue(again1.dup());
        assertEquals(q1.packetId(), again1.packetId());
        assertEquals("r/1", again1.topic());
        Publish again2 = second.expect(Publish.class);
        assertTrue(again2.dup());
        assertEquals(q2.packetId(), again2.packetId());
        assertEquals(q2Released.packetId(), second.expect(PubRel.class).packetId(),
                "a released QoS 2 message is resumed with PUBREL, not resent");
        second.send(new PubAck(again1.packetId()));
        second.send(new PubRec(again2.packetId()));
        assertEquals(again2.packetId(), second.expect(PubRel.class).packetId());
        second.send(new PubComp(again2.packetId()));
        second.send(new PubComp(q2Released.packetId()));
        second.expectNothing();
    }

    private static Properties sessionExpiry(long seconds) {
        return Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, seconds).build();
    }

    @Test
    void takeoverClosesTheOldConnectionWith0x8EAndKeepsTheSession() {
        TestClient first = client("dup");
        first.connect(TestClient.connect(MQTT_5, "dup", false, 60, sessionExpiry(300), null));
        first.subscribe("kept", QoS.AT_LEAST_ONCE);
        TestClient second = client("dup");
        assertTrue(second.connect(TestClient.connect(MQTT_5, "dup", false, 60, sessionExpiry(300), null))
                .sessionPresent());
        assertEquals(ReasonCode.SESSION_TAKEN_OVER, first.expect(Disconnect.class).reasonCode());
        first.awaitClosed();
        events.await("disconnected dup SERVER SESSION_TAKEN_OVER");
        publishFromApp("kept", "still", QoS.AT_LEAST_ONCE);
        assertEquals("kept", second.receive().topic());
        assertEquals(1, events.count(e -> e.startsWith("disconnected dup")));
        assertEquals(1, engine().connectedClientCount());
    }

    /**
     * A session with expiry 0 lasts as long as its connection, which the takeover closes: the new
     * connection gets a new session even without clean start, as in Mosquitto. Found by the
     * simulation (seeds 36 and 103: a QoS 2 message delivered twice to a client that had, rightly,
     * forgotten the session).
     */
    @Test
    void takeoverEndsASessionThatLastsOnlyAsLongAsItsConnection() {
        TestClient first = client("brief");
        first.connect(MQTT_5, false); // no Session Expiry Interval: 0
        first.subscribe("brief/topic", QoS.AT_LEAST_ONCE);
        TestClient second = client("brief");
        assertFalse(second.connect(MQTT_5, false).sessionPresent());
        first.awaitClosed();
        assertEquals(0, publishFromApp("brief/topic", "gone", QoS.AT_LEAST_ONCE), "the subscription ended with the session");
        second.expectNothing();

        TestClient clean311 = client("brief311");
        clean311.connect(MQTT_3_1_1, true);
        clean311.subscribe("brief/311", QoS.AT_LEAST_ONCE);
        TestClient resumer = client("brief311");
        assertFalse(resumer.connect(MQTT_3_1_1, false).sessionPresent(), "a clean session ends with its connection");
        clean311.awaitClosed();
        assertEquals(0, publishFromApp("brief/311", "gone", QoS.AT_LEAST_ONCE), "the subscription ended with the session");
        resumer.expectNothing();
    }

    @Test
    void takeoverOfMqtt311ClientClosesWithoutDisconnectPacket() {
        TestClient first = client("dup3");
        first.connect(MQTT_3_1_1, true);
        TestClient second = client("dup3");
        assertFalse(second.connect(MQTT_3_1_1, true).sessionPresent());
        first.awaitClosed();
        assertTrue(first.connection.received.isEmpty(), "3.1.1 has no server DISCONNECT");
    }

    @Test
    void manyTakeoversInARowLeaveExactlyOneConnection() {
        java.util.List<TestClient> storm = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            TestClient client = client("storm");
            client.send(TestClient.connect(MQTT_5, "storm", false, 60, Properties.EMPTY, null));
            storm.add(client);
        }
        // Whichever attaches last wins; only once every earlier CONNECT is settled is the next one last.
        Await.until("every CONNECT of the storm is answered or its connection closed", () -> storm.stream()
                .allMatch(c -> c.connection.isClosed() || !c.connection.received.isEmpty()));
        TestClient last = client("storm");
        assertEquals(ReasonCode.SUCCESS, last.connect(MQTT_5, false).reasonCode());
        Await.until("one connection is left (now " + engine().connectedClientCount() + ")",
                () -> engine().connectedClientCount() == 1);
        assertTrue(engine().client("storm").isPresent());
    }

    @Test
    void packetIdentifiersAreAssignedAtSendTimeSoALargeQueueNeverExhaustsThem() {
        settings.maxQueuedMessages(100_000).maxInflight(100);
        TestClient first = client("big");
        first.connect(MQTT_3_1_1, false);
        first.subscribe("bulk", QoS.AT_LEAST_ONCE);
        first.send(Disconnect.NORMAL);
        first.awaitClosed();
        events.await("disconnected big");
        int count = 70_000;
        for (int i = 0; i < count; i++) {
            publishFromApp("bulk", Integer.toString(i), QoS.AT_LEAST_ONCE);
        }
        TestClient second = reconnect("big", false, true);
        Set<Integer> inFlight = new HashSet<>();
        for (int i = 0; i < count; i++) {
            Publish publish = second.expect(Publish.class);
            assertEquals(Integer.toString(i), new String(publish.payload(), StandardCharsets.UTF_8));
            assertTrue(inFlight.add(publish.packetId()), "identifier reused while in flight");
            second.send(new PubAck(publish.packetId()));
            inFlight.remove(publish.packetId());
        }
        assertEquals(0, engine().session("big").orElseThrow().queuedMessages());
    }

    @Test
    void inflightWindowRespectsTheClientsReceiveMaximum() {
        TestClient client = client("window");
        client.connect(TestClient.connect(MQTT_5, "window", true, 60,
                Properties.builder().put(Property.RECEIVE_MAXIMUM, 2).build(), null));
        client.subscribe("w", QoS.AT_LEAST_ONCE);
        for (int i = 0; i < 5; i++) {
            publishFromApp("w", Integer.toString(i), QoS.AT_LEAST_ONCE);
        }
        Publish a = client.expect(Publish.class);
        Publish b = client.expect(Publish.class);
        client.expectNothing();
        client.send(new PubAck(a.packetId()));
        Publish c = client.expect(Publish.class);
        assertEquals("2", new String(c.payload(), StandardCharsets.UTF_8));
        client.expectNothing();
        client.send(new PubAck(b.packetId()));
        client.send(new PubAck(c.packetId()));
        client.expect(Publish.class);
        client.expect(Publish.class);
    }

    @Test
    void mqtt5SessionExpiresAfterItsInterval() {
        TestClient client = client("short");
        client.connect(TestClient.connect(MQTT_5, "short", true, 60,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 1L).build(), null));
        client.subscribe("s", QoS.AT_LEAST_ONCE);
        client.send(Disconnect.NORMAL);
        client.awaitClosed();
        assertTrue(engine().session("short").isPresent());
        events.await("session-ended short");
        assertTrue(engine().session("short").isEmpty());
        assertEquals(0, publishFromApp("s", "x", QoS.AT_LEAST_ONCE));
    }

    @Test
    void queueLimitDropsMessagesForOfflineSessions() {
        settings.maxQueuedMessages(3);
        TestClient client = client("full");
        client.connect(MQTT_3_1_1, false);
        client.subscribe("f", QoS.AT_LEAST_ONCE);
        client.send(Disconnect.NORMAL);
        client.awaitClosed();
        events.await("disconnected full");
        for (int i = 0; i < 5; i++) {
            publishFromApp("f", Integer.toString(i), QoS.AT_LEAST_ONCE);
        }
        events.await("dropped full f QUEUE_FULL");
        TestClient back = reconnect("full", false, true);
        for (int i = 0; i < 3; i++) {
            assertEquals(Integer.toString(i), new String(back.receive().payload(), StandardCharsets.UTF_8));
        }
        back.expectNothing();
        assertEquals(2, events.count(e -> e.equals("dropped full f QUEUE_FULL")));
    }

    @Test
    void slowConnectedConsumerIsDisconnectedWhenItsQueueOverflowsUnderTheDisconnectPolicy() {
        settings.maxQueuedMessages(5).queueOverflowPolicy(io.corvid.broker.QueueOverflowPolicy.DISCONNECT);
        TestClient client = client("slow");
        client.connect(MQTT_5, true);
        client.subscribe("fast", QoS.AT_LEAST_ONCE);
        client.connection.writable = false;
        for (int i = 0; i < 6; i++) {
            publishFromApp("fast", Integer.toString(i), QoS.AT_LEAST_ONCE);
        }
        assertEquals(ReasonCode.QUOTA_EXCEEDED, client.expect(Disconnect.class).reasonCode());
        client.awaitClosed();
        events.await("dropped slow fast QUEUE_FULL");
    }

    @Test
    void messagesLargerThanTheClientsMaximumPacketSizeAreDroppedForThatClient() {
        TestClient client = client("tiny");
        client.connect(TestClient.connect(MQTT_5, "tiny", true, 60,
                Properties.builder().put(Property.MAXIMUM_PACKET_SIZE, 64L).build(), null));
        client.subscribe("big/#", QoS.AT_LEAST_ONCE);
        engine().publishFromApplication(new Publish("big/1", QoS.AT_LEAST_ONCE, false, false, 0, new byte[100],
                Properties.EMPTY));
        engine().publishFromApplication(new Publish("big/2", QoS.AT_LEAST_ONCE, false, false, 0, new byte[10],
                Properties.EMPTY));
        assertEquals("big/2", client.receive().topic());
        events.await("dropped tiny big/1 PACKET_TOO_LARGE");
    }

    @Test
    void expiredMessagesAreNotDeliveredAndRemainingExpiryIsSent() {
        TestClient client = client("exp");
        client.connect(TestClient.connect(MQTT_5, "exp", true, 60,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 600L).build(), null));
        client.subscribe("e", QoS.AT_LEAST_ONCE);
        client.send(Disconnect.NORMAL);
        client.awaitClosed();
        events.await("disconnected exp");
        engine().publishFromApplication(new Publish("e", QoS.AT_LEAST_ONCE, false, false, 0, new byte[] {1},
                Properties.builder().put(Property.MESSAGE_EXPIRY_INTERVAL, 1L).build()));
        engine().publishFromApplication(new Publish("e", QoS.AT_LEAST_ONCE, false, false, 0, new byte[] {2},
                Properties.builder().put(Property.MESSAGE_EXPIRY_INTERVAL, 3600L).build()));
        clock.advanceMillis(1500);
        TestClient back = client("exp");
        assertTrue(back.connect(TestClient.connect(MQTT_5, "exp", false, 60,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 600L).build(), null)).sessionPresent());
        Publish survivor = back.receive();
        assertEquals(2, survivor.payload()[0]);
        long remaining = survivor.properties().getLong(Property.MESSAGE_EXPIRY_INTERVAL, -1);
        assertTrue(remaining >= 3598 && remaining <= 3599, "remaining expiry " + remaining);
        events.await("dropped exp e EXPIRED");
    }
}
