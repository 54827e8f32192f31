package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 topic aliases in both directions. Inbound: clients may use aliases up to the Topic
 * Alias Maximum the broker announces (4 here); a bad alias gets DISCONNECT 0x94 (above the
 * maximum, or 0) or 0x82 (never set). Outbound: the broker replaces repeated topics by aliases
 * for clients that announce a Topic Alias Maximum, and the HiveMQ client's application still
 * sees the right topic for every message, across more topics than aliases.
 */
class TopicAliasIT {
    private static final int BROKER_MAXIMUM = 4;

    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(b -> b.topicAliasMaximum(BROKER_MAXIMUM));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    // ------------------------------------------------------------ client to broker

    @Test
    void hiveMqPublishesWithAliasesUpToTheAnnouncedMaximum() {
        String root = Ids.next("alias-in");
        String publisherId = Ids.next("hive-alias");
        try (MqttTestClient subscriber = Library.PAHO_V3.connect(broker, Ids.next("sub"));
             HiveMqV5Client publisher = HiveMqV5Client.connect(broker, publisherId, b -> b)) {
            assertEquals(BROKER_MAXIMUM, publisher.connAck().getRestrictions().getTopicAliasMaximum(), "CONNACK Topic Alias Maximum");
            subscriber.subscribe(root + "/#", 1);
            List<String> sent = sequence(root, 7, 40);
            for (String topic : sent) {
                publisher.publish(topic, topic, 1, false);
            }
            assertEquals(sent, receivedTopics(subscriber, sent.size()), "every message on its own topic, in order");
            for (Received message : List.copyOf(subscriber.received())) {
                assertEquals(message.topic(), message.text());
            }
            List<Publish> published = broker.events.of(RecordingListener.Published.class,
                    e -> e.publisher() != null && e.publisher().clientId().equals(publisherId))
                    .stream().map(RecordingListener.Published::message).toList();
            Set<Integer> aliases = published.stream().map(p -> p.properties().getInt(Property.TOPIC_ALIAS, 0))
                    .filter(alias -> alias != 0).collect(Collectors.toSet());
            assertFalse(aliases.isEmpty(), "HiveMQ used topic aliases");
            assertTrue(aliases.stream().allMatch(alias -> alias >= 1 && alias <= BROKER_MAXIMUM),
                    "within the announced maximum: " + aliases);
        }
    }

    @Test
    void pahoPublishesWithTheAliasesItSets() throws Exception {
        String topic = Ids.next("alias-paho") + "/t";
        try (MqttTestClient subscriber = Library.HIVEMQ_V5.connect(broker, Ids.next("sub"));
             PahoV5Client publisher = PahoV5Client.create(broker, Ids.next("paho-alias")).connect(options -> { })) {
            subscriber.subscribe(topic, 1);
            for (int i = 0; i < 3; i++) {
                MqttProperties properties = new MqttProperties();
                properties.setTopicAlias(BROKER_MAXIMUM);
                publisher.client.publish(topic, new MqttMessage(("m" + i).getBytes(UTF_8), 1, false, properties))
                        .waitForCompletion(Await.TIMEOUT.toMillis());
            }
            for (int i = 0; i < 3; i++) {
                Received message = subscriber.next();
                assertEquals(topic, message.topic());
                assertEquals("m" + i, message.text());
            }
        }
    }

    @Test
    void rawAliasesAreSetResolvedAndRemapped() {
        String a = Ids.next("alias-raw") + "/a";
        String b = Ids.next("alias-raw") + "/b";
        try (MqttTestClient subscriber = Library.HIVEMQ_V5.connect(broker, Ids.next("sub"));
             RawClient raw = V5.connected(broker, Ids.next("raw-alias"), Properties.EMPTY)) {
            subscriber.subscribe(a, 1);
            subscriber.subscribe(b, 1);
            Properties alias1 = V5.props(Property.TOPIC_ALIAS, 1);
            Properties aliasMax = V5.props(Property.TOPIC_ALIAS, BROKER_MAXIMUM);
            assertEquals(ReasonCode.SUCCESS, V5.publishQos1(raw, a, "set 1", alias1).reasonCode());
            assertEquals(ReasonCode.SUCCESS, V5.publishQos1(raw, b, "set max", aliasMax).reasonCode());
            assertEquals(ReasonCode.SUCCESS, V5.publishQos1(raw, "", "via 1", alias1).reasonCode());
            assertEquals(ReasonCode.SUCCESS, V5.publishQos1(raw, "", "via max", aliasMax).reasonCode());
            assertEquals(ReasonCode.SUCCESS, V5.publishQos1(raw, b, "remap 1", alias1).reasonCode());
            assertEquals(ReasonCode.SUCCESS, V5.publishQos1(raw, "", "via 1 again", alias1).reasonCode());
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Received message = subscriber.next();
                got.add(message.topic().equals(a) ? "a:" + message.text() : "b:" + message.text());
            }
            assertEquals(List.of("a:set 1", "b:set max", "a:via 1", "b:via max", "b:remap 1", "b:via 1 again"), got);
        }
    }

    @Test
    void rawAliasAboveTheMaximumGets0x94() {
        try (RawClient raw = V5.connected(broker, Ids.next("raw-alias"), Properties.EMPTY)) {
            raw.send(new Publish(Ids.next("alias"), QoS.AT_LEAST_ONCE, false, false, 1, "x".getBytes(UTF_8),
                    V5.props(Property.TOPIC_ALIAS, BROKER_MAXIMUM + 1)));
            V5.expectDisconnect(raw, ReasonCode.TOPIC_ALIAS_INVALID);
        }
    }

    @Test
    void rawAliasZeroGets0x94() {
        try (RawClient raw = V5.connected(broker, Ids.next("raw-alias"), Properties.EMPTY)) {
            raw.send(new Publish(Ids.next("alias"), QoS.AT_MOST_ONCE, false, false, 0, "x".getBytes(UTF_8),
                    V5.props(Property.TOPIC_ALIAS, 0)));
            V5.expectDisconnect(raw, ReasonCode.TOPIC_ALIAS_INVALID);
        }
    }

    @Test
    void rawAliasNeverSetGets0x82AndAliasesDoNotOutliveTheConnection() {
        String clientId = Ids.next("raw-alias");
        String topic = Ids.next("alias");
        try (RawClient raw = V5.connected(broker, clientId, Properties.EMPTY)) {
            raw.send(new Publish("", QoS.AT_LEAST_ONCE, false, false, 1, "x".getBytes(UTF_8),
                    V5.props(Property.TOPIC_ALIAS, 2)));
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
        try (RawClient raw = V5.connected(broker, clientId, Properties.EMPTY)) {
            assertEquals(ReasonCode.NO_MATCHING_SUBSCRIBERS,
                    V5.publishQos1(raw, topic, "sets 3", V5.props(Property.TOPIC_ALIAS, 3)).reasonCode());
        }
        try (RawClient raw = V5.connected(broker, clientId, Properties.EMPTY)) {
            raw.send(new Publish("", QoS.AT_LEAST_ONCE, false, false, 1, "x".getBytes(UTF_8),
                    V5.props(Property.TOPIC_ALIAS, 3)));
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void brokerWithoutAliasesAnnouncesNoneAndRefusesThem() {
        try (TestBroker noAliases = TestBroker.start(b -> b.topicAliasMaximum(0))) {
            String topic = Ids.next("no-alias");
            try (HiveMqV5Client publisher = HiveMqV5Client.connect(noAliases, Ids.next("hive"), b -> b);
                 MqttTestClient subscriber = Library.PAHO_V5.connect(noAliases, Ids.next("sub"))) {
                assertEquals(0, publisher.connAck().getRestrictions().getTopicAliasMaximum());
                subscriber.subscribe(topic, 1);
                for (int i = 0; i < 5; i++) {
                    publisher.publish(topic, "m" + i, 1, false);
                }
                for (int i = 0; i < 5; i++) {
                    assertEquals("m" + i, subscriber.next().text());
                }
                assertTrue(noAliases.events.of(RecordingListener.Published.class).stream()
                        .noneMatch(e -> e.message().properties().contains(Property.TOPIC_ALIAS)), "HiveMQ sent no alias");
            }
            try (RawClient raw = RawClient.open(noAliases, ProtocolVersion.MQTT_5)) {
                ConnAck connAck = raw.connect(V5.connect(Ids.next("raw"), true, Properties.EMPTY));
                assertFalse(connAck.properties().contains(Property.TOPIC_ALIAS_MAXIMUM), "no Topic Alias Maximum: 0");
                raw.send(new Publish(topic, QoS.AT_MOST_ONCE, false, false, 0, "x".getBytes(UTF_8),
                        V5.props(Property.TOPIC_ALIAS, 1)));
                V5.expectDisconnect(raw, ReasonCode.TOPIC_ALIAS_INVALID);
            }
        }
    }

    // ------------------------------------------------------------ broker to client

    /**
     * HiveMQ resolves the broker's aliases for its application. Paho v5 1.2.5 does not: it hands
     * an alias-only PUBLISH to the application with an empty topic (its ClientState maps the
     * alias to the empty topic name; eclipse-paho/paho.mqtt.java issue 866), so Paho takes no
     * part here; the raw client below checks the wire form.
     */
    @Test
    void hiveMqSeesTheRightTopicsThroughTheBrokersAliases() {
        String root = Ids.next("alias-out");
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive-out"),
                b -> b.restrictions().topicAliasMaximum(3).applyRestrictions());
             HiveMqV5Client qos0 = HiveMqV5Client.connect(broker, Ids.next("hive-out0"),
                     b -> b.restrictions().topicAliasMaximum(1).applyRestrictions());
             MqttTestClient publisher = Library.PAHO_V3.connect(broker, Ids.next("pub"))) {
            hive.subscribe(root + "/#", 1);
            qos0.subscribe(root + "/#", 0);
            // More topics than aliases, in an order that keeps the broker re-mapping them.
            List<String> sent = sequence(root, 7, 60);
            for (String topic : sent) {
                publisher.publish(topic, topic, 1, false);
            }
            assertEquals(sent, receivedTopics(hive, sent.size()), "HiveMQ: every topic right, in order");
            assertEquals(sent, receivedTopics(qos0, sent.size()), "HiveMQ with one alias at QoS 0: every topic right");
        }
    }

    @Test
    void rawClientSeesAliasesEstablishedUsedAndReassigned() {
        String root = Ids.next("alias-wire");
        String a = root + "/a";
        String b = root + "/b";
        String c = root + "/c";
        try (RawClient raw = V5.connected(broker, Ids.next("raw-out"), V5.props(Property.TOPIC_ALIAS_MAXIMUM, 2));
             RawClient plain = V5.connected(broker, Ids.next("raw-plain"), Properties.EMPTY);
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            V5.subscribe(raw, root + "/+", QoS.AT_MOST_ONCE);
            V5.subscribe(plain, root + "/+", QoS.AT_MOST_ONCE);
            for (String topic : List.of(a, b, a, c, b, b)) {
                publisher.publish(topic, topic, 0, false);
            }
            List<String> wire = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Publish publish = raw.expect(Publish.class);
                wire.add(publish.topic().replace(root + "/", "") + "#" + publish.properties().getInt(Property.TOPIC_ALIAS, 0)
                        + "=" + V5.text(publish).replace(root + "/", ""));
                Publish unaliased = plain.expect(Publish.class);
                assertEquals(V5.text(unaliased), unaliased.topic(), "no aliases for a client that announced no maximum");
                assertFalse(unaliased.properties().contains(Property.TOPIC_ALIAS));
            }
            // a and b take aliases 1 and 2; a again by alias; c replaces the least recently used (b);
            // b then replaces a, the least recently used; b again by alias.
            assertEquals(List.of("a#1=a", "b#2=b", "#1=a", "c#2=c", "b#1=b", "#1=b"), wire);
        }
    }

    @Test
    void outboundAliasesCanBeTurnedOff() {
        try (TestBroker off = TestBroker.start(b -> b.outboundTopicAliases(false));
             RawClient raw = V5.connected(off, Ids.next("raw"), V5.props(Property.TOPIC_ALIAS_MAXIMUM, 10));
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(off, Ids.next("pub"))) {
            String topic = Ids.next("alias-off");
            V5.subscribe(raw, topic, QoS.AT_LEAST_ONCE);
            publisher.publish(topic, "1", 1, false);
            publisher.publish(topic, "2", 1, false);
            for (int i = 0; i < 2; i++) {
                Publish publish = raw.expect(Publish.class);
                assertEquals(topic, publish.topic());
                assertFalse(publish.properties().contains(Property.TOPIC_ALIAS));
                raw.send(new PubAck(publish.packetId()));
            }
        }
    }

    /** {@code count} topics under {@code root}, cycling through {@code distinct} of them out of order. */
    private static List<String> sequence(String root, int distinct, int count) {
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            topics.add(root + "/t" + ((i * 3 + i / distinct) % distinct));
        }
        return topics;
    }

    private static List<String> receivedTopics(MqttTestClient client, int count) {
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Received message = Await.next(count + " messages for " + client.clientId(), client.received());
            assertEquals(message.topic(), message.text(), "topic as seen by the application");
            topics.add(message.topic());
        }
        return topics;
    }
}
