package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
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
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Will;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 3.1.1 and MQTT 5.0 clients on the same topics: what a 5.0 client publishes reaches
 * 3.1.1 subscribers with its topic (never an alias), payload, QoS and retain flag and without
 * its properties; what a 3.1.1 client publishes reaches 5.0 subscribers with no properties at
 * all (no expiry, no format, no user properties), so every 5.0 default applies. Mqtt31IT
 * covers MQTT 3.1 with 5.0.
 */
class MixedVersionsIT {
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
    void mqtt5PublisherWithPropertiesAndAliasesReachesMqtt311Subscribers() {
        String root = Ids.next("to-v3");
        List<String> topics = List.of(root + "/a", root + "/b", root + "/a", root + "/c", root + "/b", root + "/a");
        try (MqttTestClient paho3 = Library.PAHO_V3.connect(broker, Ids.next("paho3"));
             MqttTestClient hive3 = Library.HIVEMQ_V3.connect(broker, Ids.next("hive3"));
             RawClient raw3 = RawClient.open(broker, ProtocolVersion.MQTT_3_1_1);
             HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("hive5"), b -> b)) {
            raw3.connect(RawClient.connectPacket(ProtocolVersion.MQTT_3_1_1, Ids.next("raw3"), true, 60, null, 0));
            paho3.subscribe(root + "/#", 2);
            hive3.subscribe(root + "/#", 2);
            raw3.send(new Subscribe(1, List.of(new Subscription(root + "/#", QoS.AT_LEAST_ONCE)), Properties.EMPTY));
            raw3.expect(SubAck.class);
            int i = 0;
            for (String topic : topics) {
                // HiveMQ gives repeated topics aliases; they must never reach a 3.1.1 client.
                Await.result("publish", publisher.client.publishWith().topic(topic).payload((topic + "#" + i++).getBytes(UTF_8))
                        .qos(MqttQos.EXACTLY_ONCE).messageExpiryInterval(600).contentType("text/plain")
                        .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).responseTopic("replies/x")
                        .correlationData(new byte[] {1}).userProperties().add("k", "v").applyUserProperties().send());
            }
            assertTrue(broker.events.of(RecordingListener.Published.class, e -> e.publisher() != null
                    && e.publisher().clientId().equals(publisher.clientId())).stream()
                    .anyMatch(e -> e.message().properties().contains(io.corvid.broker.packet.Property.TOPIC_ALIAS)),
                    "HiveMQ used topic aliases");
            for (MqttTestClient subscriber : List.of(paho3, hive3)) {
                for (int n = 0; n < topics.size(); n++) {
                    Received message = subscriber.next();
                    assertEquals(topics.get(n), message.topic(), subscriber.library() + " message " + n);
                    assertEquals(topics.get(n) + "#" + n, message.text());
                    assertEquals(2, message.qos());
                }
            }
            for (int n = 0; n < topics.size(); n++) {
                Publish publish = raw3.expect(Publish.class);
                assertEquals(topics.get(n), publish.topic(), "the topic on the 3.1.1 wire");
                assertEquals(QoS.AT_LEAST_ONCE, publish.qos());
                assertTrue(publish.properties().isEmpty(), "no properties in MQTT 3.1.1");
                raw3.send(new PubAck(publish.packetId()));
            }
        }
    }

    @Test
    void mqtt311PublisherReachesMqtt5SubscribersWithNoProperties() {
        String topic = Ids.next("from-v3");
        try (PahoV5Client paho5 = PahoV5Client.create(broker, Ids.next("paho5")).connect(options -> { });
             HiveMqV5Client hive5 = HiveMqV5Client.connect(broker, Ids.next("hive5"), b -> b);
             RawClient raw5 = V5.connected(broker, Ids.next("raw5"), Properties.EMPTY);
             MqttTestClient publisher = Library.PAHO_V3.connect(broker, Ids.next("paho3"))) {
            paho5.subscribe(topic, 2);
            hive5.subscribe(topic, 2);
            V5.subscribe(raw5, topic, QoS.AT_MOST_ONCE);
            publisher.publish(topic, "from 3.1.1", 2, false);

            MqttMessage atPaho = Await.next("Paho v5", paho5.messages());
            assertEquals("from 3.1.1", new String(atPaho.getPayload(), UTF_8));
            assertEquals(2, atPaho.getQos());
            MqttProperties properties = atPaho.getProperties();
            assertNull(properties.getMessageExpiryInterval());
            assertFalse(properties.getPayloadFormat());
            assertNull(properties.getContentType());
            assertNull(properties.getResponseTopic());
            assertNull(properties.getCorrelationData());
            assertTrue(properties.getUserProperties().isEmpty());

            Mqtt5Publish atHive = Await.next("HiveMQ v5", hive5.publishes());
            assertEquals(MqttQos.EXACTLY_ONCE, atHive.getQos());
            assertTrue(atHive.getMessageExpiryInterval().isEmpty() && atHive.getPayloadFormatIndicator().isEmpty()
                    && atHive.getContentType().isEmpty() && atHive.getResponseTopic().isEmpty()
                    && atHive.getCorrelationData().isEmpty() && atHive.getUserProperties().asList().isEmpty(),
                    atHive.toString());

            Publish onTheWire = raw5.expect(Publish.class);
            assertTrue(onTheWire.properties().isEmpty(), "no properties: " + onTheWire.properties());
        }
    }

    @Test
    void retainedMessagesCrossVersionsBothWays() {
        String fromV5 = Ids.next("retained-v5");
        String fromV3 = Ids.next("retained-v3");
        try (HiveMqV5Client hive5 = HiveMqV5Client.connect(broker, Ids.next("hive5"), b -> b);
             MqttTestClient paho3 = Library.PAHO_V3.connect(broker, Ids.next("paho3"))) {
            Await.result("retained from 5.0", hive5.client.publishWith().topic(fromV5).payload("v5".getBytes(UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).retain(true).contentType("text/plain").messageExpiryInterval(600)
                    .userProperties().add("k", "v").applyUserProperties().send());
            paho3.publish(fromV3, "v3", 1, true);
        }
        try (MqttTestClient hive3 = Library.HIVEMQ_V3.connect(broker, Ids.next("hive3"));
             PahoV5Client paho5 = PahoV5Client.create(broker, Ids.next("paho5")).connect(options -> { })) {
            hive3.subscribe(fromV5, 1);
            Received atV3 = hive3.next();
            assertEquals("v5", atV3.text());
            assertTrue(atV3.retain());
            paho5.subscribe(fromV3, 1);
            MqttMessage atV5 = Await.next("retained from 3.1.1", paho5.messages());
            assertEquals("v3", new String(atV5.getPayload(), UTF_8));
            assertTrue(atV5.isRetained());
            assertNull(atV5.getProperties().getMessageExpiryInterval());
            paho5.publish(fromV3, new byte[0], 1, true);
            paho5.publish(fromV5, new byte[0], 1, true);
        }
    }

    @Test
    void willsCrossVersionsBothWays() {
        String willTopic = Ids.next("mixed-will");
        try (MqttTestClient watcher3 = Library.PAHO_V3.connect(broker, Ids.next("watch3"));
             HiveMqV5Client watcher5 = HiveMqV5Client.connect(broker, Ids.next("watch5"), b -> b)) {
            watcher3.subscribe(willTopic, 1);
            watcher5.subscribe(willTopic, 1);
            RawClient dying3 = RawClient.open(broker, ProtocolVersion.MQTT_3_1_1);
            dying3.connect(RawClient.connectPacket(ProtocolVersion.MQTT_3_1_1, Ids.next("dying3"), true, 60,
                    new Will(willTopic, "3.1.1 will".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false, Properties.EMPTY), 0));
            dying3.kill();
            assertEquals("3.1.1 will", watcher3.next().text());
            Mqtt5Publish at5 = Await.next("the 3.1.1 will at a 5.0 client", watcher5.publishes());
            assertEquals("3.1.1 will", new String(at5.getPayloadAsBytes(), UTF_8));
            assertTrue(at5.getUserProperties().asList().isEmpty() && at5.getContentType().isEmpty());

            RawClient dying5 = V5.connected(broker, V5.connect(Ids.next("dying5"), true,
                    new Will(willTopic, "5.0 will".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false,
                            V5.props(io.corvid.broker.packet.Property.CONTENT_TYPE, "text/plain",
                                    io.corvid.broker.packet.Property.USER_PROPERTY, "k=v")), Properties.EMPTY));
            dying5.kill();
            assertEquals("5.0 will", watcher3.next().text(), "a 5.0 will reaches a 3.1.1 client");
            Mqtt5Publish will5 = Await.next("the 5.0 will", watcher5.publishes());
            assertEquals("text/plain", will5.getContentType().orElseThrow().toString());
        }
    }

    @Test
    void sharedSubscriptionsAreFor5Only() throws Exception {
        String topic = Ids.next("shared-mixed");
        try (MqttTestClient paho3 = Library.PAHO_V3.connect(broker, Ids.next("paho3"));
             MqttTestClient hive3 = Library.HIVEMQ_V3.connect(broker, Ids.next("hive3"));
             PahoV5Client paho5 = PahoV5Client.create(broker, Ids.next("paho5")).connect(options -> { });
             MqttTestClient publisher = Library.PAHO_V3.connect(broker, Ids.next("pub3"))) {
            assertEquals(0x80, paho3.trySubscribe("$share/g/" + topic, 1), "MQTT 3.1.1: SUBACK failure");
            assertEquals(0x80, hive3.trySubscribe("$share/g/" + topic, 1), "MQTT 3.1.1: SUBACK failure");
            hive3.subscribe(topic, 1);
            paho5.subscribe("$share/g/" + topic, 1);
            MqttProperties withId = new MqttProperties();
            withId.setSubscriptionIdentifier(9);
            paho5.client.subscribe(new MqttSubscription[] {new MqttSubscription(topic, 1)}, null, null, withId)
                    .waitForCompletion(Await.TIMEOUT.toMillis());
            publisher.publish(topic, "both", 1, false);
            assertEquals("both", hive3.next().text());
            MqttMessage first = Await.next("Paho v5", paho5.messages());
            MqttMessage second = Await.next("Paho v5", paho5.messages());
            assertEquals("both", new String(first.getPayload(), UTF_8));
            assertEquals("both", new String(second.getPayload(), UTF_8));
            assertTrue(first.getProperties().getSubscriptionIdentifiers().contains(9)
                    || second.getProperties().getSubscriptionIdentifiers().contains(9),
                    "the 5.0 subscription's identifier travels with the 3.1.1 publisher's message");
        }
    }
}
