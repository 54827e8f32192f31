package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Shared subscriptions across three brokers in one JVM: each message goes to exactly one member
 * of a group cluster-wide, a member on the publishing node first, otherwise one node with members
 * in turn. The nodes are started once for the class (each test uses its own group and topics).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedSubscriptionClusterTest {
    private static final int MESSAGES = 300;

    private Node a;
    private Node b;
    private Node c;
    private final List<Client> clients = new ArrayList<>();

    @BeforeAll
    void startNodes() {
        String name = "shared-" + UUID.randomUUID();
        a = Node.start(name, null);
        b = Node.start(name, a);
        c = Node.start(name, a);
        awaitLinked(a, b, c);
    }

    @AfterEach
    void closeClients() {
        clients.forEach(Client::close);
        clients.clear();
    }

    @AfterAll
    void stopNodes() {
        for (Node node : new Node[] {c, b, a}) {
            if (node != null) {
                node.close();
            }
        }
    }

    private static void awaitLinked(Node... nodes) {
        for (Node node : nodes) {
            for (Node other : nodes) {
                if (node != other) {
                    Await.until(node.nodeId() + " is connected to " + other.nodeId(),
                            () -> node.cluster.isConnectedTo(other.nodeId()));
                }
            }
        }
    }

    private static void awaitRoute(Node from, Node to, String filter) {
        Await.until(from.nodeId() + " routes " + filter + " to " + to.nodeId(), () -> from.knowsRoute(to, filter));
    }

    private Client client(Node node, String id) {
        Client client = new Client(node, id);
        clients.add(client);
        return client;
    }

    /** A member of {@code share} that also subscribes to {@code end}, the marker that closes a run. */
    private Client member(Node node, String id, String share, String end) {
        Client member = client(node, id);
        member.subscribe(share, 1);
        member.subscribe(end, 1);
        return member;
    }

    /**
     * What {@code member} received up to the end marker. The marker leaves the publishing node
     * after the run on the same link and reaches the member's session after the run's messages,
     * so a copy that came twice would be here already.
     */
    private static List<String> receivedUntil(Client member, String end) {
        List<String> payloads = new ArrayList<>();
        while (true) {
            Client.Received received = member.next();
            if (received.topic().equals(end)) {
                return payloads;
            }
            payloads.add(received.payload());
        }
    }

    private static void publishRun(Client publisher, String topic, int from, int to) {
        for (int i = from; i < to; i++) {
            publisher.publish(topic + "/" + i, "m" + i, 1, false);
        }
    }

    private static Set<String> expected(int from, int to) {
        Set<String> payloads = new HashSet<>();
        for (int i = from; i < to; i++) {
            payloads.add("m" + i);
        }
        return payloads;
    }

    /** Asserts that the lists together hold each expected payload exactly once. */
    private static void assertExactlyOnce(Set<String> expected, List<List<String>> received) {
        List<String> all = new ArrayList<>();
        received.forEach(all::addAll);
        assertEquals(expected.size(), all.size(), "messages received by the group, duplicates included");
        assertEquals(expected, new HashSet<>(all));
    }

    @Test
    void aGroupWithMembersOnThreeNodesGetsEveryMessageExactlyOnceAlsoWhenThePublishersNodeLosesItsMember() {
        String share = "$share/exact/exact/#";
        Client onA = member(a, "exact-a", share, "exact-end");
        Client onB = member(b, "exact-b", share, "exact-end");
        Client onC = member(c, "exact-c", share, "exact-end");
        for (Node node : List.of(b, c)) {
            awaitRoute(a, node, share);
            awaitRoute(a, node, "exact-end");
        }
        Client publisher = client(a, "exact-pub");

        publishRun(publisher, "exact", 0, MESSAGES / 3);
        onA.unsubscribe(share); // From now on the group is served on B and C only.
        publishRun(publisher, "exact", MESSAGES / 3, MESSAGES);
        publisher.publish("exact-end", "end", 1, false);

        List<String> gotA = receivedUntil(onA, "exact-end");
        List<String> gotB = receivedUntil(onB, "exact-end");
        List<String> gotC = receivedUntil(onC, "exact-end");
        assertExactlyOnce(expected(0, MESSAGES), List.of(gotA, gotB, gotC));
        assertEquals(expected(0, MESSAGES / 3), new HashSet<>(gotA), "the member on the publishing node, while it was one");
        assertTrue(!gotB.isEmpty() && !gotC.isEmpty(), "B got " + gotB.size() + ", C got " + gotC.size());
    }

    @Test
    void aGroupWithoutMemberOnThePublishersNodeGetsEveryMessageSpreadOverTheOtherNodes() {
        String share = "$share/spread/spread/#";
        Client onB = member(b, "spread-b", share, "spread-end");
        Client onC = member(c, "spread-c", share, "spread-end");
        for (Node node : List.of(b, c)) {
            awaitRoute(a, node, share);
            awaitRoute(a, node, "spread-end");
        }
        Client publisher = client(a, "spread-pub");
        long unservedBefore = b.cluster.unservedSharedMessages() + c.cluster.unservedSharedMessages();

        publishRun(publisher, "spread", 0, MESSAGES);
        publisher.publish("spread-end", "end", 1, false);

        List<String> gotB = receivedUntil(onB, "spread-end");
        List<String> gotC = receivedUntil(onC, "spread-end");
        assertExactlyOnce(expected(0, MESSAGES), List.of(gotB, gotC));
        // Round-robin over the two nodes: half each, give or take what a slow link sent elsewhere.
        assertTrue(gotB.size() >= MESSAGES / 3 && gotC.size() >= MESSAGES / 3,
                "B got " + gotB.size() + ", C got " + gotC.size());
        assertEquals(unservedBefore, b.cluster.unservedSharedMessages() + c.cluster.unservedSharedMessages());
    }

    @Test
    void aMemberOnThePublishersNodeIsPreferred() {
        String share = "$share/near/near/#";
        Client onA = member(a, "near-a", share, "near-end");
        Client onB = member(b, "near-b", share, "near-end");
        Client onC = member(c, "near-c", share, "near-end");
        for (Node from : List.of(a, b, c)) {
            for (Node to : List.of(a, b, c)) {
                if (from != to) {
                    awaitRoute(from, to, share);
                    awaitRoute(from, to, "near-end");
                }
            }
        }
        long forwardedByA = a.cluster.forwardedMessages();
        Client fromA = client(a, "near-pub-a");
        Client fromB = client(b, "near-pub-b");

        publishRun(fromA, "near", 0, 50);
        publishRun(fromB, "near", 50, 100);
        fromA.publish("near-end", "end", 1, false);
        fromB.publish("near-end", "end", 1, false);

        assertEquals(expected(0, 50), new HashSet<>(receivedUntil(onA, "near-end")));
        assertEquals(expected(50, 100), new HashSet<>(receivedUntil(onB, "near-end")));
        assertEquals(List.of(), receivedUntil(onC, "near-end"));
        // A marker from each publisher: A and B each still have one to hand over.
        for (Client member : List.of(onA, onB, onC)) {
            assertEquals("near-end", member.next().topic());
        }
        Await.until("A counted its two markers", () -> a.cluster.forwardedMessages() >= forwardedByA + 2);
        assertEquals(forwardedByA + 2, a.cluster.forwardedMessages(), "A forwarded a message of the group");
    }

    @Test
    void subscribersAndAGroupOnOneNodeGetOneFrame() {
        String share = "$share/mix/mix/#";
        Client plain = client(b, "mix-plain");
        plain.subscribe("mix/#", 1);
        Client member = client(b, "mix-member");
        member.subscribe(share, 1);
        awaitRoute(a, b, "mix/#");
        awaitRoute(a, b, share);
        long forwardedByA = a.cluster.forwardedMessages();
        long receivedByB = b.cluster.receivedMessages();

        client(a, "mix-pub").publish("mix/1", "both", 1, false);

        assertEquals(new Client.Received("mix/1", "both", 1, false), plain.next());
        assertEquals(new Client.Received("mix/1", "both", 1, false), member.next());
        assertEquals(forwardedByA + 1, a.cluster.forwardedMessages(), "one frame for the subscriber and the group");
        assertEquals(receivedByB + 1, b.cluster.receivedMessages());
    }

    @Test
    void whenANodeHoldingMembersStopsTheRemainingMembersGetTheLaterMessages() throws Exception {
        Node d = Node.start(clusterName(), a);
        CompletableFuture<Void> stopping = null;
        try {
            awaitLinked(a, b, c, d);
            String share = "$share/stop/stop/#";
            Client onB = member(b, "stop-b", share, "stop-end");
            Client onD = client(d, "stop-d");
            onD.subscribe(share, 1);
            awaitRoute(a, b, share);
            awaitRoute(a, b, "stop-end");
            awaitRoute(a, d, share);
            Client publisher = client(a, "stop-pub");
            int phase = MESSAGES / 3;

            // Before: both members take turns, and have everything.
            publishRun(publisher, "stop", 0, phase);
            List<String> before = new ArrayList<>();
            Await.until("B and D received the first " + phase, () -> {
                onB.received.drainTo(new ListAdder(before));
                onD.received.drainTo(new ListAdder(before));
                return before.size() >= phase;
            });

            // During: D stops while messages flow. A message may be lost only if A still routed the
            // group to D when it was published (at most once between nodes).
            stopping = CompletableFuture.runAsync(d::close);
            Set<String> mayBeLost = new HashSet<>();
            for (int i = phase; i < 2 * phase; i++) {
                if (a.knowsRoute(d, share)) {
                    mayBeLost.add("m" + i);
                }
                publisher.publish("stop/" + i, "m" + i, 1, false);
            }
            stopping.get();
            Await.until("A forgets D's routes", () -> !a.knowsRoute(d, share));

            // After: B has the group alone.
            publishRun(publisher, "stop", 2 * phase, MESSAGES);
            publisher.publish("stop-end", "end", 1, false);
            List<String> all = new ArrayList<>(before);
            all.addAll(receivedUntil(onB, "stop-end"));
            onD.received.drainTo(new ListAdder(all));

            assertEquals(all.size(), new HashSet<>(all).size(), "a message reached the group twice");
            Set<String> lost = expected(0, MESSAGES);
            lost.removeAll(all);
            assertTrue(mayBeLost.containsAll(lost), "lost " + lost + ", of which only these were in flight to D: "
                    + mayBeLost);
            assertTrue(all.containsAll(expected(2 * phase, MESSAGES)), "B missed later messages");
        } finally {
            if (stopping == null) {
                d.close();
            }
        }
    }

    private String clusterName() {
        return a.cluster.hazelcastInstance().getConfig().getClusterName();
    }

    /** Drains received messages into a list of payloads. */
    private static final class ListAdder extends java.util.AbstractCollection<Client.Received> {
        private final List<String> payloads;

        ListAdder(List<String> payloads) {
            this.payloads = payloads;
        }

        @Override
        public boolean add(Client.Received received) {
            payloads.add(received.payload());
            return true;
        }

        @Override
        public java.util.Iterator<Client.Received> iterator() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int size() {
            return 0;
        }
    }
}
