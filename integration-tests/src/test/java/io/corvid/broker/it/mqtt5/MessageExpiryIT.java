package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.corvid.broker.DropReason;
import io.corvid.broker.it.Await;
import io.corvid.broker.it.HiveMqV5Client;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.Library;
import io.corvid.broker.it.MqttTestClient;
import io.corvid.broker.it.PahoV5Client;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.RecordingListener;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.QoS;
import java.util.OptionalLong;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 Message Expiry Interval: a message whose interval runs out while it waits (in an
 * offline session's queue, or as a retained message) is not delivered, and a message that is
 * delivered late carries the time it has left, not the interval it was published with.
 *
 * <p>The waits are for wall-clock time to pass, which is the point: each is a condition on
 * the clock with a timeout, and one wait serves every client of a test.
 */
class MessageExpiryIT {
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
    void liveDeliveryForwardsTheIntervalAndNoneWhenThereIsNone() {
        String topic = Ids.next("expiry-live");
        try (PahoV5Client paho = PahoV5Client.create(broker, Ids.next("paho")).connect(options -> { });
             HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b)) {
            paho.subscribe(topic, 1);
            hive.subscribe(topic, 1);
            Await.result("publish with expiry", hive.client.publishWith().topic(topic).payload("expiring".getBytes(UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(120).send());
            hive.publish(topic, "forever", 1, false);

            Mqtt5Publish first = Await.next("HiveMQ message", hive.publishes());
            long hiveInterval = first.getMessageExpiryInterval().orElseThrow();
            assertTrue(hiveInterval >= 119 && hiveInterval <= 120, "forwarded interval " + hiveInterval);
            assertEquals(OptionalLong.empty(), Await.next("HiveMQ message", hive.publishes()).getMessageExpiryInterval());

            MqttMessage pahoFirst = Await.next("Paho message", paho.messages());
            long pahoInterval = pahoFirst.getProperties().getMessageExpiryInterval();
            assertTrue(pahoInterval >= 119 && pahoInterval <= 120, "forwarded interval " + pahoInterval);
            assertNull(Await.next("Paho message", paho.messages()).getProperties().getMessageExpiryInterval());
        }
    }

    @Test
    void queuedMessagesExpireAndTheOthersCarryTheTimeTheyHaveLeft() {
        String topic = Ids.next("expiry-queue");
        String pahoId = Ids.next("paho-offline");
        String hiveId = Ids.next("hive-offline");
        String rawId = Ids.next("raw-offline");
        String v3Id = Ids.next("paho3-offline");
        try (PahoV5Client paho = PahoV5Client.create(broker, pahoId).connect(options -> {
            options.setCleanStart(false);
            options.setSessionExpiryInterval(300L);
        })) {
            paho.subscribe(topic, 1);
            paho.disconnect();
        }
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, hiveId, b -> b.cleanStart(false).sessionExpiryInterval(300))) {
            hive.subscribe(topic, 1);
            hive.disconnect();
        }
        try (RawClient raw = V5.connected(broker, rawId, V5.props(Property.SESSION_EXPIRY_INTERVAL, 300L))) {
            V5.subscribe(raw, topic, QoS.AT_LEAST_ONCE);
            raw.send(Disconnect.NORMAL);
            raw.awaitClosedByBroker(Await.TIMEOUT);
        }
        try (MqttTestClient v3 = Library.PAHO_V3.connect(broker, v3Id, true)) {
            v3.subscribe(topic, 1);
            v3.disconnect();
        }
        for (String id : new String[] {pahoId, hiveId, rawId, v3Id}) {
            broker.awaitNotConnected(id);
        }

        long publishedAt;
        try (HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("pub"), b -> b)) {
            Await.result("publish expiring in 1 s", publisher.client.publishWith().topic(topic)
                    .payload("short".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1).send());
            Await.result("publish expiring in 60 s", publisher.client.publishWith().topic(topic)
                    .payload("long".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(60).send());
            publishedAt = System.currentTimeMillis(); // the broker received both before this
        }
        Await.until("both queued in each session", () -> queued(pahoId) == 2 && queued(hiveId) == 2 && queued(rawId) == 2
                && queued(v3Id) == 2);
        // Waiting for the clock is the point: the short message's second must run out.
        Await.until("1.5 s after publishing", () -> System.currentTimeMillis() > publishedAt + 1_500);

        try (PahoV5Client paho = PahoV5Client.create(broker, pahoId).connect(options -> {
            options.setCleanStart(false);
            options.setSessionExpiryInterval(300L);
        });
             HiveMqV5Client hive = HiveMqV5Client.connect(broker, hiveId, b -> b.cleanStart(false).sessionExpiryInterval(300));
             RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5);
             MqttTestClient v3 = Library.PAHO_V3.connect(broker, v3Id, true)) {
            assertTrue(paho.sessionPresent() && hive.sessionPresent() && v3.sessionPresent());
            ConnAck connAck = raw.connect(V5.connect(rawId, false, V5.props(Property.SESSION_EXPIRY_INTERVAL, 300L)));
            assertTrue(connAck.sessionPresent());

            MqttMessage pahoMessage = Await.next("Paho's first message", paho.messages());
            assertEquals("long", new String(pahoMessage.getPayload(), UTF_8), "the expired message is not delivered");
            assertReduced(pahoMessage.getProperties().getMessageExpiryInterval());

            Mqtt5Publish hiveMessage = Await.next("HiveMQ's first message", hive.publishes());
            assertEquals("long", new String(hiveMessage.getPayloadAsBytes(), UTF_8), "the expired message is not delivered");
            assertReduced(hiveMessage.getMessageExpiryInterval().orElseThrow());

            Publish rawMessage = raw.expect(Publish.class);
            assertEquals("long", V5.text(rawMessage), "the expired message is not delivered");
            assertReduced(rawMessage.properties().getLong(Property.MESSAGE_EXPIRY_INTERVAL, -1));
            raw.send(new PubAck(rawMessage.packetId()));

            assertEquals("long", v3.next().text(), "expiry applies to MQTT 3.1.1 subscribers too");

            for (String id : new String[] {pahoId, hiveId, rawId, v3Id}) {
                broker.events.await("EXPIRED drop for " + id, 1, RecordingListener.Dropped.class,
                        e -> e.clientId().equals(id) && e.reason() == DropReason.EXPIRED
                                && new String(e.message().payload(), UTF_8).equals("short"));
            }
            // And nothing else was waiting: the next message is a live one.
            hive.publish(topic, "marker", 1, false);
            assertEquals("marker", new String(Await.next("marker", paho.messages()).getPayload(), UTF_8));
            assertEquals("marker", new String(Await.next("marker", hive.publishes()).getPayloadAsBytes(), UTF_8));
            assertEquals("marker", V5.text(raw.expect(Publish.class)));
            assertEquals("marker", v3.next().text());
        }
    }

    @Test
    void retainedMessagesExpireAndTheOthersCarryTheTimeTheyHaveLeft() {
        String root = Ids.next("expiry-retained");
        long publishedAt;
        try (HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("pub"), b -> b)) {
            Await.result("retained, expiring in 1 s", publisher.client.publishWith().topic(root + "/short")
                    .payload("short".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE).retain(true).messageExpiryInterval(1).send());
            Await.result("retained, expiring in 60 s", publisher.client.publishWith().topic(root + "/long")
                    .payload("long".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE).retain(true).messageExpiryInterval(60).send());
            publishedAt = System.currentTimeMillis();
        }
        Await.until("1.5 s after publishing", () -> System.currentTimeMillis() > publishedAt + 1_500);

        try (PahoV5Client paho = PahoV5Client.create(broker, Ids.next("paho")).connect(options -> { });
             HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b);
             RawClient raw = V5.connected(broker, Ids.next("raw"), io.corvid.broker.packet.Properties.EMPTY)) {
            paho.subscribe(root + "/+", 1);
            hive.subscribe(root + "/+", 1);
            V5.subscribe(raw, root + "/+", QoS.AT_LEAST_ONCE);

            MqttMessage pahoMessage = Await.next("Paho's retained message", paho.messages());
            assertEquals("long", new String(pahoMessage.getPayload(), UTF_8), "the expired retained message is not sent");
            assertTrue(pahoMessage.isRetained());
            assertReduced(pahoMessage.getProperties().getMessageExpiryInterval());

            Mqtt5Publish hiveMessage = Await.next("HiveMQ's retained message", hive.publishes());
            assertEquals("long", new String(hiveMessage.getPayloadAsBytes(), UTF_8), "the expired retained message is not sent");
            assertTrue(hiveMessage.isRetain());
            assertReduced(hiveMessage.getMessageExpiryInterval().orElseThrow());

            Publish rawMessage = raw.expect(Publish.class);
            assertEquals("long", V5.text(rawMessage));
            assertTrue(rawMessage.retain());
            assertReduced(rawMessage.properties().getLong(Property.MESSAGE_EXPIRY_INTERVAL, -1));
            raw.send(new PubAck(rawMessage.packetId()));

            hive.publish(root + "/short", "marker", 1, false);
            assertEquals("marker", new String(Await.next("marker", paho.messages()).getPayload(), UTF_8), "only one retained message was sent");
            assertEquals("marker", new String(Await.next("marker", hive.publishes()).getPayloadAsBytes(), UTF_8));
            Publish rawMarker = raw.expect(Publish.class);
            assertEquals("marker", V5.text(rawMarker));
            assertFalse(rawMarker.properties().contains(Property.MESSAGE_EXPIRY_INTERVAL));
        }
    }

    private static int queued(String clientId) {
        return broker.broker.session(clientId).map(s -> s.queuedMessages()).orElse(0);
    }

    /** A 60 s interval after more than a second of waiting: 59 at most (whole seconds, rounded up), and not much less. */
    private static void assertReduced(Long interval) {
        assertTrue(interval != null && interval >= 50 && interval <= 59,
                "the interval forwarded is the time left, counted while the message waited: " + interval);
    }
}
