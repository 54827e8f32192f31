package io.corvid.broker.it.mqtt5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.it.Await;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.Library;
import io.corvid.broker.it.MqttTestClient;
import io.corvid.broker.it.PahoV5Client;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.Received;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 shared subscriptions {@code $share/{group}/{filter}}: round robin inside a group,
 * one copy per group, no retained messages on subscribe, and the documented re-routing policy
 * (docs/mqtt5.md): when a member's client goes away its queued, unsent messages move to a
 * connected member at once while the ones in flight wait for it; when a member's session ends,
 * its messages in flight move too.
 */
class SharedSubscriptionIT {
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
    void roundRobinInsideEachGroupAndOneCopyPerGroup() {
        String topic = Ids.next("shared-rr") + "/jobs";
        int messages = 30;
        try (MqttTestClient a1 = Library.HIVEMQ_V5.connect(broker, Ids.next("a1"));
             MqttTestClient a2 = Library.PAHO_V5.connect(broker, Ids.next("a2"));
             MqttTestClient a3 = Library.HIVEMQ_V5.connect(broker, Ids.next("a3"));
             MqttTestClient b1 = Library.PAHO_V5.connect(broker, Ids.next("b1"));
             MqttTestClient b2 = Library.HIVEMQ_V5.connect(broker, Ids.next("b2"));
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            List<MqttTestClient> groupA = List.of(a1, a2, a3);
            List<MqttTestClient> groupB = List.of(b1, b2);
            for (MqttTestClient member : groupA) {
                member.subscribe("$share/a/" + topic, 1);
            }
            for (MqttTestClient member : groupB) {
                member.subscribe("$share/b/" + topic, 1);
            }
            for (int i = 0; i < messages; i++) {
                publisher.publish(topic, Integer.toString(i), 1, false);
            }
            assertRoundRobin("group a", groupA, messages);
            assertRoundRobin("group b", groupB, messages);
        }
    }

    /** Every message reached exactly one member, each member got its equal share, and in turn. */
    private static void assertRoundRobin(String group, List<MqttTestClient> members, int messages) {
        Await.until(group + " received every message",
                () -> members.stream().mapToInt(m -> m.received().size()).sum() >= messages);
        Map<Integer, Integer> memberOf = new HashMap<>();
        for (int m = 0; m < members.size(); m++) {
            List<Received> got = List.copyOf(members.get(m).received());
            assertEquals(messages / members.size(), got.size(), group + ": member " + m + "'s share: " + got);
            for (Received message : got) {
                Integer previous = memberOf.put(Integer.parseInt(message.text()), m);
                assertEquals(null, previous, group + ": message " + message.text() + " went to two members");
            }
        }
        assertEquals(messages, memberOf.size(), group + ": one copy of every message");
        for (int i = 0; i + members.size() < messages; i++) {
            assertEquals(memberOf.get(i), memberOf.get(i + members.size()), group + ": strict rotation at message " + i);
            assertNotEquals(memberOf.get(i), memberOf.get(i + 1), group + ": consecutive messages go to different members");
        }
    }

    @Test
    void retainedMessagesAreNotSentOnASharedSubscription() {
        String topic = Ids.next("shared-retained");
        try (MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"));
             MqttTestClient hive = Library.HIVEMQ_V5.connect(broker, Ids.next("hive"));
             MqttTestClient paho = Library.PAHO_V5.connect(broker, Ids.next("paho"));
             RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY)) {
            publisher.publish(topic, "retained", 1, true);
            hive.subscribe("$share/h/" + topic, 1);
            paho.subscribe("$share/p/" + topic, 1);
            V5.subscribe(raw, "$share/r/" + topic, QoS.AT_LEAST_ONCE);
            publisher.publish(topic, "live", 1, false);
            assertEquals("live", hive.next().text(), "no retained message on a shared subscription");
            assertEquals("live", paho.next().text(), "no retained message on a shared subscription");
            Publish first = raw.expect(Publish.class);
            assertEquals("live", V5.text(first));
            assertFalse(first.retain());
        }
    }

    @Test
    void queuedMessagesOfADepartedMemberMoveToAConnectedMemberAndThoseInFlightWait() throws Exception {
        String topic = Ids.next("shared-leave");
        String filter = "$share/workers/" + topic;
        String slowId = Ids.next("slow");
        PahoV5Client slow = PahoV5Client.create(broker, slowId);
        slow.client.setManualAcks(true);
        try (MqttTestClient fast = Library.HIVEMQ_V5.connect(broker, Ids.next("fast"));
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            slow.connect(options -> {
                options.setCleanStart(true);
                options.setSessionExpiryInterval(300L);
                options.setReceiveMaximum(1);
            });
            slow.subscribe(filter, 1);
            fast.subscribe(filter, 1);
            for (int i = 0; i < 6; i++) {
                publisher.publish(topic, "m" + i, 1, false);
            }
            // Round robin: three for each member; the slow one acknowledges nothing and allows one in flight.
            Await.until("the slow member holds 1 in flight and 2 queued", () -> broker.broker.session(slowId)
                    .map(s -> s.inflightMessages() == 1 && s.queuedMessages() == 2).orElse(false));
            Received inFlight = slow.next();
            Await.until("the fast member got its three", () -> fast.received().size() == 3);

            slow.kill();
            slow.close();
            Await.until("the queued two moved to the connected member", () -> fast.received().size() == 5);
            Await.until("the slow session keeps only the message in flight", () -> broker.broker.session(slowId)
                    .map(s -> !s.connected() && s.inflightMessages() == 1 && s.queuedMessages() == 0).orElse(false));
            // New messages go to the connected member while the other is away.
            publisher.publish(topic, "m6", 1, false);
            publisher.publish(topic, "m7", 1, false);
            Await.until("both new messages at the connected member", () -> fast.received().size() == 7);

            Set<String> all = new HashSet<>();
            fast.received().forEach(m -> all.add(m.text()));
            assertFalse(all.contains(inFlight.text()), "the message in flight stays with its member");
            try (PahoV5Client back = PahoV5Client.create(broker, slowId).connect(options -> {
                options.setCleanStart(false);
                options.setSessionExpiryInterval(300L);
            })) {
                assertTrue(back.sessionPresent());
                Received again = back.next();
                assertEquals(inFlight.text(), again.text(), "the message in flight is resent to its member");
                // (Paho v5 does not pass the DUP flag on to the application; PersistentSessionIT checks it with Paho v3.)
                assertEquals(inFlight.packetId(), again.packetId(), "with its packet identifier");
                all.add(again.text());
            }
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                expected.add("m" + i);
            }
            assertEquals(expected, all, "every message delivered");
        } finally {
            slow.close();
        }
    }

    @Test
    void messagesInFlightToAMemberWhoseSessionEndsMoveToAnotherMember() {
        String topic = Ids.next("shared-end");
        String filter = "$share/workers/" + topic;
        String rawId = Ids.next("raw-member");
        try (MqttTestClient other = Library.PAHO_V5.connect(broker, Ids.next("other"));
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            RawClient raw = V5.connected(broker, rawId, V5.props(Property.RECEIVE_MAXIMUM, 2));
            V5.subscribe(raw, filter, QoS.AT_LEAST_ONCE);
            other.subscribe(filter, 1);
            for (int i = 0; i < 6; i++) {
                publisher.publish(topic, "m" + i, 1, false);
            }
            Await.until("two in flight and one queued at the raw member", () -> broker.broker.session(rawId)
                    .map(s -> s.inflightMessages() == 2 && s.queuedMessages() == 1).orElse(false));
            List<String> rawGot = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                rawGot.add(V5.text(raw.expect(Publish.class))); // never acknowledged
            }
            raw.kill(); // session expiry 0: the session ends with the connection
            broker.events.awaitSessionEnd(rawId);
            Await.until("all six at the other member", () -> other.received().size() == 6);
            Set<String> got = new HashSet<>();
            other.received().forEach(m -> got.add(m.text()));
            assertEquals(6, got.size(), "each once: " + got);
            assertTrue(got.containsAll(rawGot), "the messages in flight moved too");
        }
    }

    @Test
    void rawMemberThatUnsubscribesLeavesTheGroup() {
        String topic = Ids.next("shared-unsub");
        String filter = "$share/g/" + topic;
        try (RawClient leaving = V5.connected(broker, Ids.next("raw-leaving"), Properties.EMPTY);
             RawClient staying = V5.connected(broker, Ids.next("raw-staying"), Properties.EMPTY);
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            V5.subscribe(leaving, filter, QoS.AT_MOST_ONCE);
            V5.subscribe(staying, filter, QoS.AT_MOST_ONCE);
            V5.subscribe(leaving, topic + "/marker", QoS.AT_MOST_ONCE);
            leaving.send(new io.corvid.broker.packet.Unsubscribe(99, List.of(filter), Properties.EMPTY));
            io.corvid.broker.packet.UnsubAck unsubAck = leaving.expect(io.corvid.broker.packet.UnsubAck.class);
            assertEquals(List.of(ReasonCode.SUCCESS), unsubAck.reasonCodes());
            for (int i = 0; i < 4; i++) {
                publisher.publish(topic, "m" + i, 0, false);
            }
            for (int i = 0; i < 4; i++) {
                assertEquals("m" + i, V5.text(staying.expect(Publish.class)), "the remaining member gets every message");
            }
            publisher.publish(topic + "/marker", "marker", 0, false);
            assertEquals("marker", V5.text(leaving.expect(Publish.class)), "nothing more through the group");
        }
    }

    @Test
    void rawInvalidShareNamesAreRefused() {
        try (RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY)) {
            for (String filter : List.of("$share/group", "$share//x", "$share/gr+oup/x", "$share/gr#/x")) {
                SubAck subAck = V5.subscribe(raw, Properties.EMPTY, new Subscription(filter, QoS.AT_LEAST_ONCE));
                assertEquals(ReasonCode.TOPIC_FILTER_INVALID, subAck.reasonCodes().get(0), filter);
            }
            SubAck ok = V5.subscribe(raw, Properties.EMPTY, new Subscription("$share/g/+/x/#", QoS.AT_LEAST_ONCE));
            assertEquals(ReasonCode.GRANTED_QOS_1, ok.reasonCodes().get(0));
        }
    }

    @Test
    void memberThatIsAlsoAPlainSubscriberGetsBothCopies() {
        String topic = Ids.next("shared-both");
        try (RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY);
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            V5.subscribe(raw, "$share/g/" + topic, QoS.AT_LEAST_ONCE);
            V5.subscribe(raw, topic, QoS.AT_LEAST_ONCE);
            publisher.publish(topic, "twice", 1, false);
            for (int i = 0; i < 2; i++) {
                MqttPacket packet = raw.next();
                Publish publish = (Publish) packet;
                assertEquals("twice", V5.text(publish));
                raw.send(new PubAck(publish.packetId()));
            }
            publisher.publish(topic, "marker", 0, false);
            Publish marker = raw.expect(Publish.class);
            assertEquals("marker", V5.text(marker));
        }
    }
}
