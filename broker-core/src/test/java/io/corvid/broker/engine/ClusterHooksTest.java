package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.ClusterMessage;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.RetainHandling;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.Unsubscribe;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the engine tells a {@link io.corvid.broker.Cluster}, and what it does with messages from one. */
class ClusterHooksTest extends EngineTestSupport {
    private final RecordingCluster recording = new RecordingCluster();

    @BeforeEach
    void joinCluster() {
        cluster = recording;
        recording.start(engine().clusterContext());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private void unsubscribe(TestClient client, String filter) {
        client.send(new Unsubscribe(client.nextId(), List.of(filter), Properties.EMPTY));
        client.expect(io.corvid.broker.packet.UnsubAck.class);
    }

    @Test
    void aFilterIsReportedWhenItGainsItsFirstSubscriberAndLosesItsLast() {
        TestClient first = client("first");
        first.connect(MQTT_3_1_1, true);
        TestClient second = client("second");
        second.connect(MQTT_3_1_1, true);

        first.subscribe("a/+", QoS.AT_LEAST_ONCE);
        second.subscribe("a/+", QoS.AT_MOST_ONCE);
        first.subscribe("a/+", QoS.EXACTLY_ONCE); // replaces its own subscription: no new subscriber
        assertEquals(List.of("+a/+"), recording.filterEvents);
        assertEquals(2, engine().localFilterCount("a/+"));

        unsubscribe(first, "a/+");
        assertEquals(List.of("+a/+"), recording.filterEvents);
        unsubscribe(second, "a/+");
        assertEquals(List.of("+a/+", "-a/+"), recording.filterEvents);
        assertEquals(0, engine().localFilterCount("a/+"));
    }

    @Test
    void anEndingSessionTakesItsFiltersAway() {
        TestClient client = client("leaving");
        client.connect(MQTT_3_1_1, true);
        client.subscribe("x/#", QoS.AT_MOST_ONCE);
        client.subscribe("y", QoS.AT_MOST_ONCE);
        client.send(Disconnect.NORMAL);
        client.awaitClosed();

        Await.until("both filters removed", () -> recording.filterEvents.size() == 4);
        assertEquals(List.of("+x/#", "+y", "-x/#", "-y"), recording.filterEvents.stream().sorted(
                (a, b) -> a.charAt(0) == b.charAt(0) ? a.compareTo(b) : a.charAt(0) == '+' ? -1 : 1).toList());
    }

    @Test
    void aSharedGroupIsReportedByItsWholeFilterWhenItGainsItsFirstMemberHereAndLosesItsLast() {
        TestClient first = client("member-1");
        first.connect(MQTT_5, true);
        TestClient second = client("member-2");
        second.connect(MQTT_5, true);
        first.subscribe("$share/g/jobs/+", QoS.AT_LEAST_ONCE);
        second.subscribe("$share/g/jobs/+", QoS.AT_LEAST_ONCE);
        second.subscribe("$share/h/jobs/+", QoS.AT_LEAST_ONCE);
        assertEquals(List.of("+$share/g/jobs/+", "+$share/h/jobs/+"), recording.filterEvents);

        unsubscribe(first, "$share/g/jobs/+");
        assertEquals(2, recording.filterEvents.size(), "group g still has a member here");
        unsubscribe(second, "$share/g/jobs/+");
        assertEquals("-$share/g/jobs/+", recording.filterEvents.get(2));
    }

    @Test
    void theClusterIsToldWhichSharedGroupsAMemberHereTook() {
        TestClient member = client("member");
        member.connect(MQTT_5, true);
        member.subscribe("$share/g/jobs/+", QoS.AT_MOST_ONCE);
        member.subscribe("$share/g/other/+", QoS.AT_MOST_ONCE);

        engine().publishFromApplication(Publish.atMostOnce("jobs/1", bytes("x"), false));
        engine().publishFromApplication(Publish.atMostOnce("nobody/1", bytes("y"), false));

        assertEquals(List.of(List.of("$share/g/jobs/+"), List.of()), recording.servedShares);
        assertEquals("jobs/1", member.receive().topic());
    }

    @Test
    void aPublishedMessageGoesToTheClusterWithWhatTheOtherNodesNeed() {
        TestClient publisher = client("publisher");
        publisher.connect(MQTT_5, true);
        Properties properties = Properties.builder().userProperty("k", "v")
                .put(Property.MESSAGE_EXPIRY_INTERVAL, 90L).put(Property.CONTENT_TYPE, "text/plain").build();
        publisher.publish(new Publish("t/1", QoS.AT_LEAST_ONCE, true, false, publisher.nextId(), bytes("hi"),
                properties));

        assertEquals(1, recording.published.size());
        ClusterMessage message = recording.published.get(0);
        assertEquals("t/1", message.topic());
        assertArrayEquals(bytes("hi"), message.payload());
        assertEquals(QoS.AT_LEAST_ONCE, message.qos());
        assertTrue(message.retain());
        assertEquals("publisher", message.publisherId());
        assertEquals(90, message.expirySeconds());
        assertEquals("text/plain", message.properties().getString(Property.CONTENT_TYPE));
        assertEquals(1, message.properties().userProperties().size());
        assertFalse(message.properties().contains(Property.MESSAGE_EXPIRY_INTERVAL),
                "expiry travels as seconds left, not as the property");
    }

    @Test
    void applicationMessagesGoToTheClusterAndSysTopicsDoNot() {
        engine().publishFromApplication(Publish.atMostOnce("app/news", bytes("x"), false));
        engine().publishSys("$SYS/broker/uptime", bytes("1 seconds"));
        assertEquals(1, recording.published.size());
        assertEquals("app/news", recording.published.get(0).topic());
        assertNull(recording.published.get(0).publisherId());
        assertEquals(ClusterMessage.NEVER_EXPIRES, recording.published.get(0).expirySeconds());
    }

    @Test
    void subscribersOnOtherNodesCountAsMatchingSubscribers() {
        TestClient publisher = client("publisher");
        publisher.connect(MQTT_5, true);
        publisher.send(new Publish("nobody/here", QoS.AT_LEAST_ONCE, false, false, 7, bytes("x"), Properties.EMPTY));
        assertEquals(ReasonCode.NO_MATCHING_SUBSCRIBERS, publisher.expect(PubAck.class).reasonCode());

        recording.remoteNodesWithSubscribers = 1;
        publisher.send(new Publish("somebody/there", QoS.AT_LEAST_ONCE, false, false, 8, bytes("x"), Properties.EMPTY));
        assertEquals(ReasonCode.SUCCESS, publisher.expect(PubAck.class).reasonCode());
    }

    @Test
    void aMessageFromAnotherNodeReachesLocalSubscribersOnlyAndIsNotForwardedAgain() {
        TestClient subscriber = client("subscriber");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("remote/#", QoS.EXACTLY_ONCE);

        int handed = recording.context.deliver(new ClusterMessage("remote/1", bytes("from B"), QoS.EXACTLY_ONCE, false,
                Properties.builder().userProperty("origin", "B").build(), "someone", 30));

        assertEquals(1, handed);
        Publish received = subscriber.receive();
        assertEquals("remote/1", received.topic());
        assertEquals(QoS.EXACTLY_ONCE, received.qos());
        assertEquals("B", received.properties().userProperties().get(0).value());
        assertEquals(30, received.properties().getLong(Property.MESSAGE_EXPIRY_INTERVAL, -1));
        assertTrue(recording.published.isEmpty(), "a message from the cluster went back to it");
    }

    @Test
    void aRetainedMessageFromAnotherNodeIsKeptForLaterSubscribersAndAnEmptyOneDeletesIt() {
        recording.context.deliver(new ClusterMessage("status/b", bytes("up"), QoS.AT_LEAST_ONCE, true,
                Properties.EMPTY, "b", ClusterMessage.NEVER_EXPIRES));
        assertEquals(1, engine().retainedMessageCount());
        TestClient late = client("late");
        late.connect(MQTT_3_1_1, true);
        late.subscribe("status/+", QoS.AT_LEAST_ONCE);
        Publish retained = late.receive();
        assertTrue(retained.retain());
        assertEquals("up", new String(retained.payload(), StandardCharsets.UTF_8));

        recording.context.deliver(new ClusterMessage("status/b", new byte[0], QoS.AT_MOST_ONCE, true,
                Properties.EMPTY, "b", ClusterMessage.NEVER_EXPIRES));
        assertEquals(0, engine().retainedMessageCount());
    }

    @Test
    void anInstalledRetainedMessageIsKeptForLaterSubscribersWithoutBeingDeliveredOrForwarded() {
        TestClient current = client("current");
        current.connect(MQTT_5, true);
        current.subscribe("config/+", QoS.AT_LEAST_ONCE);

        recording.context.installRetained(new ClusterMessage("config/a", bytes("v1"), QoS.AT_LEAST_ONCE, true,
                Properties.EMPTY, "writer", 60));
        current.expectNothing();
        assertTrue(recording.published.isEmpty(), "an installed message went to the cluster");

        TestClient late = client("late");
        late.connect(MQTT_5, true);
        late.subscribe("config/+", QoS.AT_LEAST_ONCE);
        Publish retained = late.receive();
        assertEquals("v1", new String(retained.payload(), StandardCharsets.UTF_8));
        assertTrue(retained.retain());
        assertEquals(60, retained.properties().getLong(Property.MESSAGE_EXPIRY_INTERVAL, -1));

        recording.context.installRetained(new ClusterMessage("config/a", new byte[0], QoS.AT_MOST_ONCE, true,
                Properties.EMPTY, null, ClusterMessage.NEVER_EXPIRES));
        assertEquals(0, engine().retainedMessageCount());
        current.expectNothing();
    }

    @Test
    void aMessageDeliveredWithoutRetainingReachesSubscribersButLeavesTheRetainedMessageAlone() {
        engine().publishFromApplication(Publish.atMostOnce("state", bytes("kept"), true));
        TestClient subscriber = client("subscriber");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("state", QoS.AT_MOST_ONCE);
        assertEquals("kept", new String(subscriber.receive().payload(), StandardCharsets.UTF_8));

        assertEquals(1, recording.context.deliverWithoutRetaining(new ClusterMessage("state", bytes("stale"),
                QoS.AT_MOST_ONCE, true, Properties.EMPTY, "elsewhere", ClusterMessage.NEVER_EXPIRES)));
        assertEquals("stale", new String(subscriber.receive().payload(), StandardCharsets.UTF_8));
        assertEquals("kept", new String(engine().retained("state").get(0).payload(), StandardCharsets.UTF_8));
    }

    @Test
    void theRetainedMessagesListedForTheClusterAreTheLiveNonSysOnesWithTheirSecondsLeft() {
        engine().publishFromApplication(Publish.atMostOnce("forever", bytes("f"), true));
        engine().publishFromApplication(new Publish("soon", QoS.AT_LEAST_ONCE, true, false, 1, bytes("s"),
                Properties.builder().put(Property.MESSAGE_EXPIRY_INTERVAL, 100L).build()));
        engine().publishFromApplication(new Publish("gone", QoS.AT_MOST_ONCE, true, false, 0, bytes("g"),
                Properties.builder().put(Property.MESSAGE_EXPIRY_INTERVAL, 5L).build()));
        engine().publishSys("$SYS/broker/uptime", bytes("1 seconds"));
        clock.advanceMillis(10_000);

        java.util.Map<String, ClusterMessage> listed = new java.util.TreeMap<>();
        recording.context.retainedMessages().forEach(message -> listed.put(message.topic(), message));

        assertEquals(List.of("forever", "soon"), List.copyOf(listed.keySet()));
        assertEquals(ClusterMessage.NEVER_EXPIRES, listed.get("forever").expirySeconds());
        assertEquals(90, listed.get("soon").expirySeconds());
        assertEquals(QoS.AT_LEAST_ONCE, listed.get("soon").qos());
        assertTrue(listed.get("soon").retain());
    }

    @Test
    void aMessageFromAnotherNodeReachesSharedGroupsOnlyWhenNamedAndThenNobodyElse() {
        TestClient member = client("member");
        member.connect(MQTT_5, true);
        member.subscribe("$share/g/jobs/+", QoS.AT_MOST_ONCE);
        TestClient plain = client("plain");
        plain.connect(MQTT_5, true);
        plain.subscribe("jobs/+", QoS.AT_MOST_ONCE);

        assertEquals(1, recording.context.deliver(new ClusterMessage("jobs/remote", bytes("r"), QoS.AT_MOST_ONCE,
                false, Properties.EMPTY, null, ClusterMessage.NEVER_EXPIRES)), "only the plain subscriber");
        assertEquals(1, recording.context.deliverShared(new ClusterMessage("jobs/for-g", bytes("g"), QoS.AT_MOST_ONCE,
                false, Properties.EMPTY, null, ClusterMessage.NEVER_EXPIRES),
                List.of("$share/g/jobs/+", "$share/gone/jobs/+")), "group g only: group 'gone' has no member here");
        assertEquals(0, recording.context.deliverShared(new ClusterMessage("jobs/for-h", bytes("h"), QoS.AT_MOST_ONCE,
                false, Properties.EMPTY, null, ClusterMessage.NEVER_EXPIRES), List.of("$share/h/jobs/+")));
        engine().publishFromApplication(Publish.atMostOnce("jobs/local", bytes("l"), false));

        assertEquals("jobs/remote", plain.receive().topic());
        assertEquals("jobs/local", plain.receive().topic(), "the plain subscriber took a message meant for a group");
        assertEquals("jobs/for-g", member.receive().topic(), "the group took a message not meant for it");
        assertEquals("jobs/local", member.receive().topic());
        assertTrue(recording.published.stream().noneMatch(m -> m.topic().startsWith("jobs/for")),
                "a message for a group went back to the cluster");
    }

    @Test
    void noLocalHoldsForMessagesFromOtherNodesToo() {
        TestClient client = client("same-client");
        client.connect(MQTT_5, true);
        client.subscribe(new Subscription("echo", QoS.AT_MOST_ONCE, true, false, RetainHandling.SEND_ON_SUBSCRIBE));

        assertEquals(0, recording.context.deliver(new ClusterMessage("echo", bytes("mine"), QoS.AT_MOST_ONCE, false,
                Properties.EMPTY, "same-client", ClusterMessage.NEVER_EXPIRES)));
        assertEquals(1, recording.context.deliver(new ClusterMessage("echo", bytes("theirs"), QoS.AT_MOST_ONCE, false,
                Properties.EMPTY, "other-client", ClusterMessage.NEVER_EXPIRES)));
        assertEquals("theirs", new String(client.receive().payload(), StandardCharsets.UTF_8));
    }

    /** A stopping broker stops its cluster right after disconnectAll: the wills must be out by then. */
    @Test
    void theWillsOfClientsDisconnectedAtShutdownReachTheClusterBeforeDisconnectAllReturns() {
        for (int i = 0; i < 5; i++) {
            TestClient client = client("device-" + i);
            client.connect(TestClient.connect(MQTT_5, "device-" + i, true, 60, Properties.EMPTY,
                    new io.corvid.broker.packet.Will("wills/" + i, bytes("gone"), QoS.AT_LEAST_ONCE, false,
                            Properties.EMPTY)));
        }
        engine().disconnectAll(5000);
        assertEquals(5, recording.published.size(), "wills handed to the cluster: " + recording.published);
    }

    @Test
    void anExpiredMessageFromAnotherNodeIsNotDelivered() {
        TestClient subscriber = client("subscriber");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("t", QoS.AT_LEAST_ONCE);
        recording.context.deliver(new ClusterMessage("t", bytes("stale"), QoS.AT_LEAST_ONCE, false,
                Properties.EMPTY, null, 0));
        subscriber.expectNothing();
    }
}
