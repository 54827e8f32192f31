package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.replicatedmap.ReplicatedMap;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three brokers in one JVM, each with its own Hazelcast member: fan-out without loops, and a node that goes away. */
class ThreeNodeClusterTest {
    private Node a;
    private Node b;
    private Node c;
    private final List<Client> clients = new ArrayList<>();

    @BeforeEach
    void startNodes() {
        String name = "three-" + UUID.randomUUID();
        a = Node.start(name, null);
        b = Node.start(name, a);
        c = Node.start(name, a);
        Await.until("every data plane is connected to every other", () ->
                a.cluster.isConnectedTo(b.nodeId()) && a.cluster.isConnectedTo(c.nodeId())
                        && b.cluster.isConnectedTo(a.nodeId()) && b.cluster.isConnectedTo(c.nodeId())
                        && c.cluster.isConnectedTo(a.nodeId()) && c.cluster.isConnectedTo(b.nodeId()));
    }

    @AfterEach
    void stopNodes() {
        clients.forEach(Client::close);
        for (Node node : new Node[] {c, b, a}) {
            if (node != null) {
                node.close();
            }
        }
    }

    private Client client(Node node, String id) {
        Client client = new Client(node, id);
        clients.add(client);
        return client;
    }

    @Test
    void aMessageReachesEveryNodeOnceAndIsNeverForwardedAgain() {
        Client onA = client(a, "loop-a");
        onA.subscribe("loop/#", 2);
        Client onB = client(b, "loop-b");
        onB.subscribe("loop/#", 2);
        Client onC = client(c, "loop-c");
        onC.subscribe("loop/#", 2);
        for (Node node : List.of(a, b, c)) {
            for (Node other : List.of(a, b, c)) {
                if (node != other) {
                    Await.until(node.nodeId() + " routes loop/# to " + other.nodeId(), () -> node.knowsRoute(other, "loop/#"));
                }
            }
        }
        long forwardedByB = b.cluster.forwardedMessages();
        long forwardedByC = c.cluster.forwardedMessages();
        long forwardedByA = a.cluster.forwardedMessages();

        client(a, "loop-pub").publish("loop/1", "round", 2, false);
        client(a, "loop-pub-2").publish("loop/marker", "marker", 2, false);

        for (Client subscriber : List.of(onA, onB, onC)) {
            assertEquals("loop/1", subscriber.next().topic());
            assertEquals("loop/marker", subscriber.next().topic(), "a second copy of loop/1 came round");
        }
        Await.until("A counted what it forwarded", () -> a.cluster.forwardedMessages() >= forwardedByA + 4);
        assertEquals(forwardedByA + 4, a.cluster.forwardedMessages(), "two messages, each to B and to C");
        assertEquals(forwardedByB, b.cluster.forwardedMessages(), "B forwarded a message it received");
        assertEquals(forwardedByC, c.cluster.forwardedMessages(), "C forwarded a message it received");
    }

    @Test
    void aNodeThatStopsSendsTheWillsOfItsClientsBeforeItLeaves() {
        Client watcher = client(a, "watcher");
        watcher.subscribe("wills/#", 1);
        Await.until("C routes wills/# to A", () -> c.knowsRoute(a, "wills/#"));
        // Not closed by the test: the broker's shutdown ends its connection, which publishes the will.
        new Client(c, "device-9", true, 0, "wills/device-9", "device-9 went away");

        c.close();

        assertEquals(new Client.Received("wills/device-9", "device-9 went away", 1, false), watcher.next());
        Await.until("A and B see C leave", () -> a.broker.clusterMembers().size() == 2
                && b.broker.clusterMembers().size() == 2);
    }

    @Test
    void aNodeThatVanishesLosesItsRoutesAndTheOthersCarryOn() {
        Client onB = client(b, "stay-b");
        onB.subscribe("work/+", 1);
        Client onC = client(c, "gone-c");
        onC.subscribe("work/+", 1);
        onC.subscribe("only-c/#", 1);
        Await.until("A routes work/+ to B and C", () -> a.knowsRoute(b, "work/+") && a.knowsRoute(c, "work/+"));
        Await.until("B routes only-c/# to C", () -> b.knowsRoute(c, "only-c/#"));
        String cNode = c.nodeId();

        // C's Hazelcast member dies without saying goodbye, as in a crash.
        c.cluster.hazelcastInstance().getLifecycleService().terminate();
        assertEquals(List.of(), c.broker.clusterMembers(), "C still claims a cluster");

        Await.until("A and B forget C's routes", () -> !a.cluster.remoteRoutes().containsKey(cNode)
                && !b.cluster.remoteRoutes().containsKey(cNode));
        ReplicatedMap<String, Long> table = a.cluster.hazelcastInstance().getReplicatedMap(HazelcastSettings.ROUTES);
        Await.until("C's entries are purged from the route table", () -> table.keySet().stream()
                .noneMatch(key -> cNode.equals(RouteTable.nodeOf(key))));
        Await.until("A's data plane lets go of C", () -> !a.cluster.isConnectedTo(cNode));
        assertEquals(2, a.broker.clusterMembers().size());

        Client publisher = client(a, "after-c");
        long droppedBefore = a.cluster.droppedMessages();
        publisher.publish("work/1", "still served", 1, false);
        publisher.publish("only-c/x", "nobody left for this", 1, false);
        assertEquals(new Client.Received("work/1", "still served", 1, false), onB.next());
        assertEquals(droppedBefore, a.cluster.droppedMessages(), "A still tried to reach C");
        assertTrue(onB.received.isEmpty());
    }
}
