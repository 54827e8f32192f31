package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Topic filters against topic names through real clients: {@code +}, {@code #}, empty levels,
 * case, and the {@code $} rule (a topic starting with {@code $} is not matched by a filter
 * starting with a wildcard). The broker serves this class alone, so that filters such as
 * {@code #} see only the table's topics.
 */
class WildcardIT {
    /** Where a publication ends: every client also subscribes to it, and receiving it means all earlier ones arrived. */
    private static final String END = "end";

    /** Topics published by a client. */
    private static final List<String> TOPICS = List.of("a", "a/b", "a/b/c", "a/b/c/d", "a/c", "b/b", "A/b", "/a", "a/",
            "a//b", "/", "//", "a/$b", "$app/a");
    /** Topics published by the application ({@code $SYS} is the broker's own). */
    private static final List<String> SYS_TOPICS = List.of("$SYS/broker/load", "$SYS/x");

    /** Filter -> the topics (of TOPICS and SYS_TOPICS) it must receive, each exactly once. */
    private static final Map<String, Set<String>> TABLE = new LinkedHashMap<>();

    static {
        TABLE.put("#", Set.of("a", "a/b", "a/b/c", "a/b/c/d", "a/c", "b/b", "A/b", "/a", "a/", "a//b", "/", "//", "a/$b"));
        TABLE.put("+", Set.of("a"));
        TABLE.put("+/+", Set.of("a/b", "a/c", "b/b", "A/b", "/a", "a/", "/", "a/$b"));
        TABLE.put("+/+/+", Set.of("a/b/c", "a//b", "//"));
        TABLE.put("+/#", Set.of("a", "a/b", "a/b/c", "a/b/c/d", "a/c", "b/b", "A/b", "/a", "a/", "a//b", "/", "//",
                "a/$b"));
        TABLE.put("a/#", Set.of("a", "a/b", "a/b/c", "a/b/c/d", "a/c", "a/", "a//b", "a/$b"));
        TABLE.put("a/+", Set.of("a/b", "a/c", "a/", "a/$b"));
        TABLE.put("a/+/c", Set.of("a/b/c"));
        TABLE.put("a/+/b", Set.of("a//b"));
        TABLE.put("a/b/+/d", Set.of("a/b/c/d"));
        TABLE.put("a/b/c/d/#", Set.of("a/b/c/d"));
        TABLE.put("+/b", Set.of("a/b", "b/b", "A/b"));
        TABLE.put("A/#", Set.of("A/b"));
        TABLE.put("a/b", Set.of("a/b"));
        TABLE.put("a//b", Set.of("a//b"));
        TABLE.put("a/", Set.of("a/"));
        TABLE.put("/#", Set.of("/a", "/", "//"));
        TABLE.put("/+", Set.of("/a", "/"));
        TABLE.put("a/$b", Set.of("a/$b"));
        TABLE.put("$SYS/#", Set.of("$SYS/broker/load", "$SYS/x"));
        TABLE.put("$SYS/+", Set.of("$SYS/x"));
        TABLE.put("$SYS/+/load", Set.of("$SYS/broker/load"));
        TABLE.put("+/broker/load", Set.of());
        TABLE.put("+/x", Set.of());
        TABLE.put("$app/#", Set.of("$app/a"));
        TABLE.put("$app/+", Set.of("$app/a"));
        TABLE.put("+/a", Set.of("/a"));
        TABLE.put("nothing/#", Set.of());
    }

    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        // The broker's own $SYS topics off: the $SYS filters here must see only the test's topics.
        broker = TestBroker.start(builder -> builder.sysInterval(java.time.Duration.ZERO));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Library.class, names = {"HIVEMQ_V3", "HIVEMQ_V5"})
    void everyFilterReceivesExactlyItsTopics(Library library) {
        Map<String, MqttTestClient> subscribers = new LinkedHashMap<>();
        try (MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            for (String filter : TABLE.keySet()) {
                MqttTestClient client = library.connect(broker, Ids.next("wild"));
                subscribers.put(filter, client);
                client.subscribe(filter, 1);
                client.subscribe(END, 1);
            }
            for (String topic : TOPICS) {
                publisher.publish(topic, topic, 1, false);
            }
            for (String topic : SYS_TOPICS) {
                broker.broker.publish(topic, topic.getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
            }
            publisher.publish(END, END, 1, false);

            List<String> failures = new ArrayList<>();
            subscribers.forEach((filter, client) -> {
                List<String> got = receiveUntilEnd(client);
                Set<String> expected = TABLE.get(filter);
                if (got.size() != new HashSet<>(got).size() || !new HashSet<>(got).equals(expected)) {
                    failures.add(String.format("filter '%s': expected %s, received %s", filter, new TreeSet<>(expected), got));
                }
            });
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        } finally {
            subscribers.values().forEach(MqttTestClient::close);
        }
    }

    /** The topics a client received before the end marker (the marker itself, and copies of it, left out). */
    private static List<String> receiveUntilEnd(MqttTestClient client) {
        List<String> topics = new ArrayList<>();
        while (true) {
            Received message = client.next();
            if (message.topic().equals(END)) {
                return topics;
            }
            topics.add(message.topic());
        }
    }

    @Test
    void mosquittoSubSeesTheDollarRuleToo() {
        try (Mosquitto.Sub all = Mosquitto.sub(broker, "-i", "mosq-all", "-t", "#", "-q", "1", "-F", Mosquitto.FORMAT);
             Mosquitto.Sub sys = Mosquitto.sub(broker, "-V", "mqttv5", "-i", "mosq-sys", "-t", "$SYS/#", "-q", "1",
                     "-F", Mosquitto.FORMAT)) {
            broker.awaitSubscription("mosq-all", "#");
            broker.awaitSubscription("mosq-sys", "$SYS/#");
            broker.broker.publish("$SYS/uptime", "1".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
            broker.broker.publish("plain/uptime", "2".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
            broker.broker.publish("$SYS/end", "3".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
            assertEquals("$SYS/uptime", sys.next().topic());
            assertEquals("$SYS/end", sys.next().topic(), "$SYS/# does not match plain/uptime");
            assertEquals("plain/uptime", all.next().topic(), "# does not match $SYS topics");
        }
    }

    @Test
    void overlappingSubscriptionsDeliverAtTheHighestQos() {
        try (PahoV3Client client = PahoV3Client.create(broker, Ids.next("overlap")).connect(options -> { });
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            client.subscribe("overlap/+", 0);
            client.subscribe("overlap/#", 2);
            client.subscribe("overlap/x", 1);
            publisher.publish("overlap/x", "once", 2, false);
            publisher.publish("overlap/end", "end", 2, false);
            Received first = client.next();
            assertEquals("once", first.text());
            assertEquals(2, first.qos(), "MQTT 3.1.1: one copy, at the highest QoS of the matching subscriptions");
            assertEquals("end", client.next().text(), "MQTT 3.1.1: one copy for overlapping subscriptions");
        }
    }

    @Test
    void sharedSubscriptionHandsEachMessageToOneMemberOfTheGroup() {
        int messages = 40;
        try (MqttTestClient first = Library.HIVEMQ_V5.connect(broker, Ids.next("share"));
             MqttTestClient second = Library.PAHO_V5.connect(broker, Ids.next("share"));
             MqttTestClient plain = Library.HIVEMQ_V5.connect(broker, Ids.next("plain"));
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            first.subscribe("$share/workers/jobs/#", 1);
            second.subscribe("$share/workers/jobs/#", 1);
            plain.subscribe("jobs/#", 1);
            for (int i = 0; i < messages; i++) {
                publisher.publish("jobs/" + i, "job " + i, 1, false);
            }
            Set<String> plainGot = new HashSet<>();
            for (int i = 0; i < messages; i++) {
                plainGot.add(plain.next().text());
            }
            assertEquals(messages, plainGot.size(), "a plain subscription gets every message");
            Await.until("the group received every message",
                    () -> first.received().size() + second.received().size() >= messages);
            List<String> shared = new ArrayList<>();
            first.received().forEach(m -> shared.add(m.text()));
            second.received().forEach(m -> shared.add(m.text()));
            assertEquals(messages, shared.size(), "no message went to both members");
            assertEquals(plainGot, new HashSet<>(shared));
        }
    }

    @Test
    void invalidFiltersAreRefused() {
        for (String filter : List.of("a/#/b", "a+", "a/b#", "#/a", "+a/b")) {
            try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
                raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_5, Ids.next("bad-filter"), true, 60, null, 0));
                raw.send(new Subscribe(1, List.of(new Subscription(filter, QoS.AT_LEAST_ONCE)), Properties.EMPTY));
                MqttPacket answer = raw.next();
                // MQTT 5.0 allows either a SUBACK with 0x8F or closing the connection (DISCONNECT 0x8F or
                // 0x81 Malformed Packet); what it does not allow is granting the subscription.
                if (answer instanceof SubAck subAck) {
                    assertEquals(ReasonCode.TOPIC_FILTER_INVALID, subAck.reasonCodes().get(0), filter);
                } else {
                    Disconnect disconnect = (Disconnect) answer;
                    assertTrue(disconnect.reasonCode() == ReasonCode.TOPIC_FILTER_INVALID
                            || disconnect.reasonCode() == ReasonCode.MALFORMED_PACKET
                            || disconnect.reasonCode() == ReasonCode.PROTOCOL_ERROR, filter + ": " + disconnect);
                }
            }
            try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1_1)) {
                raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_3_1_1, Ids.next("bad-filter"), true, 60, null, 0));
                raw.send(new Subscribe(1, List.of(new Subscription(filter, QoS.AT_LEAST_ONCE)), Properties.EMPTY));
                // MQTT 3.1.1: a SUBACK failure (0x80) or closing the connection.
                Await.until(filter + ": SUBACK or close", () -> !raw.pending().isEmpty() || raw.closedAtNanos.isDone());
                if (!raw.pending().isEmpty()) {
                    SubAck subAck = (SubAck) raw.next();
                    assertEquals(0x80, subAck.reasonCodes().get(0).value(), filter);
                }
            }
        }
    }
}
