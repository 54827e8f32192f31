package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.DropReason;
import io.corvid.broker.SessionInfo;
import io.corvid.broker.it.Await;
import io.corvid.broker.it.HiveMqV5Client;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.Library;
import io.corvid.broker.it.MqttTestClient;
import io.corvid.broker.it.PahoV5Client;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.Received;
import io.corvid.broker.it.RecordingListener;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import java.util.OptionalLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 Session Expiry Interval (in CONNECT and DISCONNECT) and Clean Start, from Paho v5,
 * the HiveMQ client and raw packets: the granted interval, sessions that end when it runs out
 * (with the broker's session-ended event and their queue dropped), and what Clean Start keeps
 * or discards.
 */
class SessionExpiryIT {
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
    void grantedExpiryIsCappedByTheBrokerAndAnnouncedInConnAck() throws Exception {
        try (TestBroker capped = TestBroker.start(b -> b.maxSessionExpiryInterval(60))) {
            String hiveId = Ids.next("capped-hive");
            try (HiveMqV5Client hive = HiveMqV5Client.connect(capped, hiveId,
                    b -> b.cleanStart(true).sessionExpiryInterval(3600))) {
                assertEquals(OptionalLong.of(60), hive.connAck().getSessionExpiryInterval(), "CONNACK Session Expiry Interval");
                assertEquals(60, capped.broker.session(hiveId).orElseThrow().expiryIntervalSeconds());
            }
            String pahoId = Ids.next("capped-paho");
            try (PahoV5Client paho = PahoV5Client.create(capped, pahoId)) {
                IMqttToken token = paho.tryConnect(options -> options.setSessionExpiryInterval(7200L));
                assertEquals(60L, token.getResponseProperties().getSessionExpiryInterval(), "CONNACK Session Expiry Interval");
            }
            try (HiveMqV5Client below = HiveMqV5Client.connect(capped, Ids.next("below"),
                    b -> b.cleanStart(true).sessionExpiryInterval(30))) {
                assertEquals(OptionalLong.empty(), below.connAck().getSessionExpiryInterval(),
                        "a granted interval equal to the requested one is not repeated");
            }
        }
    }

    @Test
    void expiredSessionIsRemovedWithItsQueueAndTheEventIsRaised() {
        String clientId = Ids.next("expiring-hive");
        String topic = Ids.next("expiring");
        long disconnectedAt;
        try (HiveMqV5Client client = HiveMqV5Client.connect(broker, clientId,
                b -> b.cleanStart(false).sessionExpiryInterval(1))) {
            client.subscribe(topic, 1);
            client.disconnect();
            disconnectedAt = System.nanoTime();
        }
        broker.awaitNotConnected(clientId);
        try (MqttTestClient publisher = Library.PAHO_V5.connect(broker, Ids.next("pub"))) {
            publisher.publish(topic, "never delivered", 1, false);
        }
        Await.until("the message queued for the offline session",
                () -> broker.broker.session(clientId).map(SessionInfo::queuedMessages).orElse(0) == 1);
        assertEquals(1, broker.broker.session(clientId).orElseThrow().expiryIntervalSeconds());

        broker.events.awaitSessionEnd(clientId);
        long livedMillis = (System.nanoTime() - disconnectedAt) / 1_000_000;
        assertTrue(livedMillis >= 900, "the session outlived its connection by its 1 s, ended after " + livedMillis + " ms");
        assertTrue(broker.broker.session(clientId).isEmpty(), "the expired session is removed");
        assertEquals(1, broker.events.of(RecordingListener.Dropped.class, e -> e.clientId().equals(clientId)
                && e.reason() == DropReason.SESSION_ENDED
                && new String(e.message().payload(), UTF_8).equals("never delivered")).size(),
                "the queued message is dropped with the session");

        try (HiveMqV5Client again = HiveMqV5Client.connect(broker, clientId,
                b -> b.cleanStart(false).sessionExpiryInterval(0))) {
            assertFalse(again.sessionPresent(), "nothing to resume");
            assertTrue(broker.broker.session(clientId).orElseThrow().subscriptions().isEmpty());
        }
    }

    @Test
    void sessionWithExpiryZeroEndsWhenTheConnectionDoes() {
        String clientId = Ids.next("zero-paho");
        try (PahoV5Client client = PahoV5Client.create(broker, clientId).connect(options -> {
            options.setCleanStart(false);
            options.setSessionExpiryInterval(0L);
        })) {
            client.subscribe(Ids.next("zero"), 1);
            client.disconnect();
        }
        broker.events.awaitSessionEnd(clientId);
        assertTrue(broker.broker.session(clientId).isEmpty());
        try (PahoV5Client client = PahoV5Client.create(broker, clientId).connect(options -> options.setCleanStart(false))) {
            assertFalse(client.sessionPresent());
        }
    }

    @Test
    void disconnectCanLengthenAndShortenTheExpiry() {
        String clientId = Ids.next("change-hive");
        String topic = Ids.next("change");
        try (HiveMqV5Client client = HiveMqV5Client.connect(broker, clientId,
                b -> b.cleanStart(true).sessionExpiryInterval(5))) {
            client.subscribe(topic, 1);
            Await.result("DISCONNECT with Session Expiry Interval 120",
                    client.client.disconnectWith().sessionExpiryInterval(120).send());
        }
        broker.awaitNotConnected(clientId);
        // The session is detached a moment after the connection is gone.
        Await.until("the session's expiry set to 120 s by DISCONNECT", () -> broker.broker.session(clientId)
                .map(s -> !s.connected() && s.expiryIntervalSeconds() == 120).orElse(false));
        try (HiveMqV5Client client = HiveMqV5Client.connect(broker, clientId,
                b -> b.cleanStart(false).sessionExpiryInterval(5))) {
            assertTrue(client.sessionPresent());
            assertTrue(broker.hasSubscription(clientId, topic));
            Await.result("DISCONNECT with Session Expiry Interval 0",
                    client.client.disconnectWith().sessionExpiryInterval(0).send());
        }
        broker.events.awaitSessionEnd(clientId);
        assertTrue(broker.broker.session(clientId).isEmpty(), "expiry 0 on DISCONNECT ends the session at once");
    }

    @Test
    void rawDisconnectSettingAnExpiryAfterConnectAskedForNoneIsAProtocolError() {
        String clientId = Ids.next("raw-expiry");
        try (RawClient raw = V5.connected(broker, clientId, Properties.EMPTY)) {
            raw.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, V5.props(Property.SESSION_EXPIRY_INTERVAL, 30L)));
            Disconnect answer = V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
            assertTrue(answer.properties().contains(Property.REASON_STRING), "a reason string says why: " + answer);
        }
        broker.events.awaitSessionEnd(clientId);
    }

    @Test
    void rawInvalidDisconnectDoesNotCountAsNormalSoTheWillIsPublished() {
        // MQTT 5.0 3.14.2.2.2: the server "does not treat it as a valid DISCONNECT packet".
        String willTopic = Ids.next("invalid-disconnect") + "/will";
        try (HiveMqV5Client watcher = HiveMqV5Client.connect(broker, Ids.next("watcher"), b -> b)) {
            watcher.subscribe(willTopic, 1);
            Will will = new Will(willTopic, "not a normal end".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false, Properties.EMPTY);
            try (RawClient raw = V5.connected(broker, V5.connect(Ids.next("raw-will"), true, will, Properties.EMPTY))) {
                raw.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, V5.props(Property.SESSION_EXPIRY_INTERVAL, 30L)));
                V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
            }
            assertEquals("not a normal end", watcher.next().text());
        }
    }

    @Test
    void rawSessionThatNeverExpiresAndSessionPresent() {
        String clientId = Ids.next("raw-forever");
        Properties forever = V5.props(Property.SESSION_EXPIRY_INTERVAL, 0xFFFF_FFFFL);
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            ConnAck connAck = raw.connect(V5.connect(clientId, false, forever));
            assertFalse(connAck.sessionPresent(), "clean start 0 without a session: a new one");
            assertFalse(connAck.properties().contains(Property.SESSION_EXPIRY_INTERVAL), "granted as asked: " + connAck);
            raw.send(Disconnect.NORMAL);
            raw.awaitClosedByBroker(Await.TIMEOUT);
        }
        broker.awaitNotConnected(clientId);
        Await.until("0xFFFFFFFF: the session never expires", () -> broker.broker.session(clientId)
                .map(s -> !s.connected() && s.expiryIntervalSeconds() == -1).orElse(false));
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            assertTrue(raw.connect(V5.connect(clientId, false, Properties.EMPTY)).sessionPresent(), "resumed");
            raw.send(Disconnect.NORMAL);
        }
        broker.events.awaitSessionEnd(clientId); // the second connection asked for expiry 0
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            assertFalse(raw.connect(V5.connect(clientId, false, forever)).sessionPresent());
            raw.send(Disconnect.NORMAL);
        }
        broker.awaitNotConnected(clientId);
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            assertFalse(raw.connect(V5.connect(clientId, true, forever)).sessionPresent(), "clean start 1 discards it");
            raw.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, V5.props(Property.SESSION_EXPIRY_INTERVAL, 0L)));
        }
        broker.events.await("second session end of " + clientId, 2, RecordingListener.SessionEnded.class,
                e -> e.clientId().equals(clientId));
    }

    @Test
    void cleanStartZeroResumesTheSessionAndCleanStartOneDiscardsIt() {
        String clientId = Ids.next("clean-start");
        String topic = Ids.next("clean-start");
        try (PahoV5Client client = PahoV5Client.create(broker, clientId).connect(options -> {
            options.setCleanStart(false);
            options.setSessionExpiryInterval(300L);
        })) {
            assertFalse(client.sessionPresent());
            client.subscribe(topic, 1);
            client.disconnect();
        }
        broker.awaitNotConnected(clientId);
        MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"));
        try (publisher) {
            publisher.publish(topic, "kept", 1, false);
            try (PahoV5Client client = PahoV5Client.create(broker, clientId).connect(options -> {
                options.setCleanStart(false);
                options.setSessionExpiryInterval(300L);
            })) {
                assertTrue(client.sessionPresent(), "clean start 0 resumes the session");
                assertEquals("kept", client.next().text(), "with what was queued for it");
                client.disconnect();
            }
            broker.awaitNotConnected(clientId);
            publisher.publish(topic, "discarded", 1, false);
            Await.until("queued", () -> broker.broker.session(clientId).map(SessionInfo::queuedMessages).orElse(0) == 1);
            int endsBefore = broker.events.sessionEnds(clientId).size();
            try (HiveMqV5Client client = HiveMqV5Client.connect(broker, clientId,
                    b -> b.cleanStart(true).sessionExpiryInterval(300))) {
                assertFalse(client.sessionPresent(), "clean start 1 starts afresh");
                assertEquals(endsBefore + 1, broker.events.sessionEnds(clientId).size(), "the old session ended");
                assertTrue(broker.broker.session(clientId).orElseThrow().subscriptions().isEmpty(), "its subscriptions went with it");
                assertFalse(broker.events.of(RecordingListener.Dropped.class, e -> e.clientId().equals(clientId)
                        && e.reason() == DropReason.SESSION_ENDED).isEmpty(), "its queue was dropped");
                client.subscribe(topic, 1);
                publisher.publish(topic, "marker", 1, false);
                assertEquals("marker", client.next().text(), "nothing of the old session was delivered");
            }
        }
    }

    @Test
    void cleanStartPublishesTheDelayedWillOfTheSessionItEnds() {
        String clientId = Ids.next("will-clean");
        String willTopic = Ids.next("will-clean") + "/status";
        try (HiveMqV5Client watcher = HiveMqV5Client.connect(broker, Ids.next("watcher"), b -> b)) {
            watcher.subscribe(willTopic, 1);
            Will will = new Will(willTopic, "old session over".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false,
                    V5.props(Property.WILL_DELAY_INTERVAL, 3600L));
            RawClient raw = V5.connected(broker, V5.connect(clientId, true, will,
                    V5.props(Property.SESSION_EXPIRY_INTERVAL, 3600L)));
            raw.kill();
            broker.awaitNotConnected(clientId);
            assertTrue(watcher.received().isEmpty(), "the will waits for its delay");
            try (HiveMqV5Client client = HiveMqV5Client.connect(broker, clientId, b -> b.cleanStart(true))) {
                assertFalse(client.sessionPresent());
                Received published = watcher.next();
                assertEquals("old session over", published.text(), "clean start ends the old session: its will is due");
                assertEquals(1, published.qos());
            }
        }
    }

    @Test
    void resumingInTimeSuppressesTheDelayedWill() {
        // The reverse of the test above: clean start 0 resumes the session and suppresses the will.
        String clientId = Ids.next("will-resume");
        String willTopic = Ids.next("will-resume") + "/status";
        try (HiveMqV5Client watcher = HiveMqV5Client.connect(broker, Ids.next("watcher"), b -> b)) {
            watcher.subscribe(willTopic, 1);
            Will will = new Will(willTopic, "should not".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false,
                    V5.props(Property.WILL_DELAY_INTERVAL, 3600L));
            RawClient raw = V5.connected(broker, V5.connect(clientId, true, will,
                    V5.props(Property.SESSION_EXPIRY_INTERVAL, 3600L)));
            raw.kill();
            broker.awaitNotConnected(clientId);
            try (RawClient again = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
                ConnAck connAck = again.connect(V5.connect(clientId, false, V5.props(Property.SESSION_EXPIRY_INTERVAL, 0L)));
                assertTrue(connAck.sessionPresent());
                assertNull(connAck.properties().get(Property.ASSIGNED_CLIENT_IDENTIFIER));
                again.send(Disconnect.NORMAL);
            }
            broker.events.awaitSessionEnd(clientId);
            try (MqttTestClient marker = Library.PAHO_V5.connect(broker, Ids.next("marker"))) {
                marker.publish(willTopic, "marker", 1, false);
            }
            assertEquals("marker", watcher.next().text(), "no will: the client came back in time and left normally");
        }
    }
}
