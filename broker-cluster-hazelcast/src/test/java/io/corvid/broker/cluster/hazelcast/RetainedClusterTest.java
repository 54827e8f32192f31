package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.SessionStore;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.store.InMemorySessionStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retained messages cluster-wide: nodes A and B run, node C joins later and must have what was
 * retained (and not what was deleted or has expired) before it serves. Each test has a cluster of
 * its own, so that C always joins one that has history.
 */
class RetainedClusterTest {
    private final List<Node> nodes = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();
    private String name;
    private Node a;
    private Node b;

    @BeforeEach
    void startAAndB() {
        name = "retained-" + UUID.randomUUID();
        a = node(null);
        b = node(a);
        Await.until("A and B see each other and their data planes are connected",
                () -> a.cluster.isConnectedTo(b.nodeId()) && b.cluster.isConnectedTo(a.nodeId()));
    }

    @AfterEach
    void stopAll() {
        clients.forEach(Client::close);
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
    }

    private Node node(Node seed) {
        return node(seed, null);
    }

    private Node node(Node seed, SessionStore store) {
        Node node = Node.start(name, seed, store);
        nodes.add(node);
        return node;
    }

    private Client client(Node node, String id) {
        Client client = new Client(node, id);
        clients.add(client);
        return client;
    }

    /**
     * Subscribes on {@code node} to {@code filter}, then publishes a plain message on {@code fence}
     * (which the filter matches) from the same node: retained messages are queued at the
     * subscription, so whatever comes before the fence is what was retained.
     */
    private List<Client.Received> retainedFor(Node node, String filter, String fence) {
        Client subscriber = client(node, "sub-" + UUID.randomUUID());
        subscriber.subscribe(filter, 1);
        client(node, "fence-" + UUID.randomUUID()).publish(fence, "fence", 1, false);
        List<Client.Received> retained = new ArrayList<>();
        for (Client.Received next = subscriber.next(); !next.topic().equals(fence); next = subscriber.next()) {
            retained.add(next);
        }
        return retained;
    }

    @Test
    void aNodeStartedLaterReceivesWhatWasRetainedBeforeItJoined() {
        client(a, "publisher").publish("late/config", "v1", 1, true);
        Await.until("B holds it", () -> "v1".equals(b.retained("late/config")));
        Await.until("the cluster's map holds it", () -> "v1".equals(a.clusterRetainedPayload("late/config")));

        Node c = node(a);
        assertEquals("v1", c.retained("late/config"), "loaded before C served");
        assertEquals(List.of(new Client.Received("late/config", "v1", 1, true)),
                retainedFor(c, "late/#", "late/fence"));
    }

    @Test
    void anEmptyRetainedMessageDeletesClusterWideIncludingForALateJoiner() {
        client(a, "publisher").publish("gone/lamp", "on", 1, true);
        Await.until("B holds it", () -> "on".equals(b.retained("gone/lamp")));
        client(b, "deleter").publish("gone/lamp", "", 1, true);
        Await.until("A dropped it", () -> a.retained("gone/lamp") == null);
        Await.until("the cluster's map holds its deletion", () -> {
            RetainedValue value = a.clusterRetained("gone/lamp");
            return value != null && value.isDeletion();
        });
        assertNull(b.retained("gone/lamp"));

        Node c = node(b);
        assertNull(c.retained("gone/lamp"));
        assertEquals(List.of(), retainedFor(c, "gone/#", "gone/fence"));
    }

    @Test
    void anExpiredRetainedMessageIsNotDeliveredToALateJoiner() {
        a.broker.publish(new Publish("brief/alarm", QoS.AT_LEAST_ONCE, true, false, 1,
                "ring".getBytes(StandardCharsets.UTF_8),
                Properties.builder().put(Property.MESSAGE_EXPIRY_INTERVAL, 1L).build()));
        a.broker.publish("brief/steady", "calm".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, true);
        Await.until("B holds both", () -> "ring".equals(b.retained("brief/alarm"))
                && "calm".equals(b.retained("brief/steady")));
        RetainedValue stored = a.clusterRetained("brief/alarm");
        assertNotNull(stored, "the cluster's map holds it");
        Await.until("the cluster's map reads it as expired", () -> a.clusterRetained("brief/alarm").isDeletion());

        Node c = node(a);
        assertNull(c.retained("brief/alarm"));
        assertEquals(List.of(new Client.Received("brief/steady", "calm", 1, true)),
                retainedFor(c, "brief/#", "brief/fence"));
    }

    @Test
    void twoNodesWritingOneTopicAtOnceEndWithTheSameValueEverywhere() throws Exception {
        int each = 200;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Node node : List.of(a, b)) {
                String writer = node == a ? "a" : "b";
                done.add(writers.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        node.broker.publish("race/x", (writer + "-" + i).getBytes(StandardCharsets.UTF_8),
                                QoS.AT_LEAST_ONCE, true);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> writer : done) {
                writer.get();
            }
        } finally {
            writers.shutdownNow();
        }

        Await.until("A, B and the cluster's map agree on race/x", () -> {
            String inMap = a.clusterRetainedPayload("race/x");
            return inMap != null && inMap.equals(a.retained("race/x")) && inMap.equals(b.retained("race/x"));
        });
        String agreed = a.retained("race/x");
        assertTrue(agreed.endsWith("-" + (each - 1)), "the last write of one of the two nodes wins: " + agreed);
        Node c = node(a);
        assertEquals(agreed, c.retained("race/x"), "a late joiner too");
    }

    @Test
    void aRestartedNodesStoredRetainedMessagesGiveWayToTheClustersAndThoseTheClusterLacksAreShared() {
        client(a, "publisher").publish("stored/changed", "fresh", 1, true);
        client(a, "publisher-2").publish("stored/deleted", "", 1, true);
        Await.until("the cluster's map holds both", () -> "fresh".equals(a.clusterRetainedPayload("stored/changed"))
                && a.clusterRetained("stored/deleted") != null);
        InMemorySessionStore store = new InMemorySessionStore();
        for (String[] stored : new String[][] {{"stored/changed", "stale"}, {"stored/deleted", "old"},
                {"stored/only-here", "mine"}}) {
            store.saveRetained(new SessionStore.StoredMessage(0, stored[0], stored[1].getBytes(StandardCharsets.UTF_8),
                    QoS.AT_LEAST_ONCE, true, Properties.EMPTY, null, Long.MAX_VALUE, new int[0], 0, false));
        }

        Node c = node(a, store);

        assertEquals("fresh", c.retained("stored/changed"), "the cluster's copy wins");
        assertNull(c.retained("stored/deleted"), "the cluster's deletion wins");
        assertEquals("mine", c.retained("stored/only-here"), "kept");
        Map<String, String> kept = new TreeMap<>();
        store.load().retained().forEach(m -> kept.put(m.topic(), new String(m.payload(), StandardCharsets.UTF_8)));
        assertEquals(Map.of("stored/changed", "fresh", "stored/only-here", "mine"), kept, "and written through");
        Await.until("the others have the one the cluster lacked", () -> "mine".equals(a.retained("stored/only-here"))
                && "mine".equals(b.retained("stored/only-here"))
                && "mine".equals(a.clusterRetainedPayload("stored/only-here")));
    }
}
