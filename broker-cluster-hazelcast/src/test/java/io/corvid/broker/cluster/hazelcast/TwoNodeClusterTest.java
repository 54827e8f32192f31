package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.ClusterMember;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two brokers in one JVM, each with its own Hazelcast member, driven by Paho clients: nodes A and
 * B serve as one broker. The nodes are shared by the tests, which use topics of their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoNodeClusterTest {
    private Node a;
    private Node b;
    private final List<Client> clients = new ArrayList<>();

    @BeforeAll
    void startNodes() {
        String name = "two-" + UUID.randomUUID();
        a = Node.start(name, null);
        b = Node.start(name, a);
        Await.until("A and B see each other and their data planes are connected",
                () -> a.cluster.isConnectedTo(b.nodeId()) && b.cluster.isConnectedTo(a.nodeId()));
    }

    @AfterAll
    void stopNodes() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(Client::close);
        clients.clear();
    }

    private Client client(Node node, String id) {
        Client client = new Client(node, id);
        clients.add(client);
        return client;
    }

    /** Subscribes on {@code node} and waits until {@code other} routes the filter to it. */
    private void subscribeAndAwaitRoute(Client client, Node node, Node other, String filter, int qos) {
        client.subscribe(filter, qos);
        Await.until(other.nodeId() + " routes " + filter + " to " + node.nodeId(), () -> other.knowsRoute(node, filter));
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void aMessagePublishedOnOneNodeReachesASubscriberOnTheOther(int qos) {
        Client subscriber = client(b, "sub-q" + qos);
        subscribeAndAwaitRoute(subscriber, b, a, "room/" + qos, qos);
        Client publisher = client(a, "pub-q" + qos);

        publisher.publish("room/" + qos, "hello at " + qos, qos, false);

        assertEquals(new Client.Received("room/" + qos, "hello at " + qos, qos, false), subscriber.next());
    }

    @Test
    void wildcardFiltersMatchAcrossNodes() {
        Client subscriber = client(b, "wild-sub");
        subscribeAndAwaitRoute(subscriber, b, a, "sensors/+/temp", 1);
        subscribeAndAwaitRoute(subscriber, b, a, "alerts/#", 1);
        Client publisher = client(a, "wild-pub");

        publisher.publish("sensors/kitchen/temp", "21", 1, false);
        publisher.publish("sensors/kitchen/humidity", "40", 1, false); // matches neither filter
        publisher.publish("alerts", "parent level", 1, false);
        publisher.publish("alerts/fire/floor2", "deep", 1, false);

        // One publisher's messages reach another node in order: the unmatched one would show up
        // before "deep" if it had been forwarded.
        assertEquals("sensors/kitchen/temp", subscriber.next().topic());
        assertEquals("alerts", subscriber.next().topic());
        assertEquals("alerts/fire/floor2", subscriber.next().topic());
    }

    @Test
    void aFilterUnsubscribedOnBIsNoLongerForwardedToB() {
        Client subscriber = client(b, "unsub-sub");
        subscribeAndAwaitRoute(subscriber, b, a, "news/#", 0);
        subscribeAndAwaitRoute(subscriber, b, a, "marker/unsub", 0);
        subscriber.unsubscribe("news/#");
        Await.until("A forgets B's news/#", () -> !a.knowsRoute(b, "news/#"));
        Client publisher = client(a, "unsub-pub");
        long forwardedBefore = a.cluster.forwardedMessages();

        publisher.publish("news/today", "not for B any more", 0, false);
        assertEquals(forwardedBefore, a.cluster.forwardedMessages(), "A forwarded a message nobody on B wants");

        publisher.publish("marker/unsub", "marker", 0, false);
        assertEquals("marker/unsub", subscriber.next().topic(), "B received news/today after unsubscribing");
    }

    @Test
    void aMessageCrossesOnceWhateverNumberOfFiltersAndSubscribersMatchOnTheOtherSide() {
        Client local = client(a, "once-local");
        local.subscribe("once/#", 1);
        Client overlapping = client(b, "once-overlapping");
        for (String filter : List.of("once/#", "once/+", "+/b", "once/b")) {
            subscribeAndAwaitRoute(overlapping, b, a, filter, 1);
        }
        Client another = client(b, "once-another");
        another.subscribe("once/b", 1);
        Client publisher = client(a, "once-pub");
        long forwardedBefore = a.cluster.forwardedMessages();
        long receivedBefore = b.cluster.receivedMessages();

        publisher.publish("once/b", "exactly one copy each", 1, false);
        publisher.publish("once/marker", "marker", 1, false);

        assertEquals("once/b", local.next().topic());
        assertEquals("once/marker", local.next().topic());
        assertEquals("once/b", overlapping.next().topic());
        assertEquals("once/marker", overlapping.next().topic(), "a second copy of once/b reached the client");
        assertEquals("once/b", another.next().topic());
        Await.until("B counted the two messages", () -> b.cluster.receivedMessages() >= receivedBefore + 2);
        assertEquals(receivedBefore + 2, b.cluster.receivedMessages(), "a message crossed to B twice");
        assertEquals(forwardedBefore + 2, a.cluster.forwardedMessages(), "each message crosses to B once");
        // The broker's metrics (Prometheus, /api/v1/metrics) read the same counters.
        assertEquals(a.cluster.forwardedMessages(), a.broker.metrics().clusterMessagesForwarded());
        assertEquals(b.cluster.receivedMessages(), b.broker.metrics().clusterMessagesReceived());
        assertEquals(b.cluster.droppedMessages(), b.broker.metrics().clusterMessagesDropped());
        assertEquals(2, a.broker.metrics().clusterMembers());
        assertTrue(another.received.isEmpty(), "once-another got more than once/b: " + another.received);
    }

    @Test
    void aRetainedMessageReachesTheOtherNodeForItsLaterSubscribers() {
        Client publisher = client(a, "retain-pub");
        publisher.publish("status/device-7", "online", 1, true);
        Await.until("B holds the retained message", () -> b.broker.retained("status/#").size() == 1);

        Client late = client(b, "retain-late");
        late.subscribe("status/+", 1);
        assertEquals(new Client.Received("status/device-7", "online", 1, true), late.next());

        publisher.publish("status/device-7", "", 1, true); // an empty retained message deletes it everywhere
        Await.until("B dropped the retained message", () -> b.broker.retained("status/#").isEmpty());
    }

    @Test
    void bothNodesListTheMembersWithTheirDataAddresses() {
        List<ClusterMember> members = a.broker.clusterMembers();
        assertEquals(2, members.size(), members.toString());
        ClusterMember self = members.stream().filter(ClusterMember::local).findFirst().orElseThrow();
        assertEquals(a.nodeId(), self.nodeId());
        assertEquals(a.cluster.dataAddress(), self.dataAddress());
        ClusterMember other = members.stream().filter(member -> !member.local()).findFirst().orElseThrow();
        assertEquals(b.nodeId(), other.nodeId());
        assertNotNull(other.dataAddress());
        assertFalse(b.broker.clusterMembers().isEmpty());
    }
}
