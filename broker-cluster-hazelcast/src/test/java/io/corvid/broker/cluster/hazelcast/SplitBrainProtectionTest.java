package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Split-brain protection of client identifier ownership: with a minimum cluster size of 2, a node
 * left alone refuses new CONNECTs (0x88) rather than become a second owner, keeps serving the
 * clients it has, and accepts again once another node has joined it; a node whose member stopped
 * is a side of one. A network partition is exercised here as member loss only: on one side of a
 * split Hazelcast sees exactly this once its failure detection has removed the other side.
 */
class SplitBrainProtectionTest {
    private static final int SERVER_UNAVAILABLE = 0x88;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    @Test
    void aNodeLeftAloneRefusesNewClientsKeepsItsOwnAndAcceptsAgainWhenANodeJoins() {
        String name = "quorum-" + UUID.randomUUID();
        Node a = track(Node.startWithMinimumSize(name, null, 2));
        Node b = Node.startWithMinimumSize(name, a, 2);
        Client resident;
        try {
            Await.until("A and B have the minimum size", () -> a.cluster.hasMinimumClusterSize()
                    && b.cluster.hasMinimumClusterSize());
            resident = track(new Client(a, "resident"));
            resident.subscribe("quorum/#", 1);
            Client onB = track(new Client(b, "visitor"));
            assertEquals(a.nodeId(), a.cluster.ownerOf("resident"));
            assertEquals(b.nodeId(), a.cluster.ownerOf("visitor"));
            assertTrue(onB.isConnected());
        } finally {
            b.close();
        }

        Await.until("A is alone and below the minimum", () -> a.broker.clusterMembers().size() == 1
                && !a.cluster.hasMinimumClusterSize());
        assertEquals(SERVER_UNAVAILABLE, refusedConnect(a, "newcomer"));
        assertEquals(SERVER_UNAVAILABLE, refusedConnect(a, "visitor"), "B's client cannot move to A either");
        // The client A had keeps its connection and session, and is served as before.
        assertTrue(resident.isConnected());
        resident.publish("quorum/alone", "still served", 1, false);
        assertEquals(new Client.Received("quorum/alone", "still served", 1, false), resident.next());

        Node c = track(Node.startWithMinimumSize(name, a, 2));
        Await.until("A and C have the minimum size", () -> a.cluster.hasMinimumClusterSize()
                && c.cluster.hasMinimumClusterSize());
        Client newcomer = track(new Client(a, "newcomer"));
        Client visitor = track(new Client(c, "visitor"));
        assertTrue(newcomer.isConnected() && visitor.isConnected());
        assertEquals(a.nodeId(), c.cluster.ownerOf("newcomer"));
        assertEquals(c.nodeId(), a.cluster.ownerOf("visitor"));
        // And A's own client, connected all along, is still the owner's.
        assertEquals(a.nodeId(), c.cluster.ownerOf("resident"));
        assertTrue(resident.isConnected());
    }

    @Test
    void aNodeWhoseMemberStoppedRefusesNewClientsAndKeepsItsOwn() {
        String name = "quorum-out-" + UUID.randomUUID();
        Node a = track(Node.startWithMinimumSize(name, null, 2));
        Node b = track(Node.startWithMinimumSize(name, a, 2));
        Await.until("A and B have the minimum size", () -> a.cluster.hasMinimumClusterSize()
                && b.cluster.hasMinimumClusterSize());
        Client kept = track(new Client(b, "kept"));
        kept.subscribe("kept/#", 1);

        // B's member dies as in a crash or out of memory; its broker lives on, out of the cluster.
        b.cluster.hazelcastInstance().getLifecycleService().terminate();
        Await.until("B is out of the cluster", () -> b.broker.clusterMembers().isEmpty()
                && !b.cluster.hasMinimumClusterSize());

        assertEquals(SERVER_UNAVAILABLE, refusedConnect(b, "late"), "a node out of the cluster is a side of one");
        assertTrue(kept.isConnected());
        kept.publish("kept/alone", "still served", 1, false);
        assertEquals(new Client.Received("kept/alone", "still served", 1, false), kept.next());
    }

    @Test
    void withoutAMinimumSizeALoneNodeAcceptsClients() {
        Node alone = track(Node.start("quorum-off-" + UUID.randomUUID(), null));
        assertTrue(alone.cluster.hasMinimumClusterSize());
        Client client = track(new Client(alone, "lone"));
        assertTrue(client.isConnected());
        assertEquals(alone.nodeId(), alone.cluster.ownerOf("lone"));
    }

    @Test
    void aNodeStartedAloneWithAMinimumSizeStartsButRefusesClientsUntilTheSecondJoins() {
        String name = "quorum-first-" + UUID.randomUUID();
        Node first = track(Node.startWithMinimumSize(name, null, 2));
        assertFalse(first.cluster.hasMinimumClusterSize());
        assertEquals(SERVER_UNAVAILABLE, refusedConnect(first, "early"));

        Node second = track(Node.startWithMinimumSize(name, first, 2));
        Await.until("both have the minimum size", () -> first.cluster.hasMinimumClusterSize()
                && second.cluster.hasMinimumClusterSize());
        assertTrue(track(new Client(first, "early")).isConnected());
    }

    /** Connects {@code clientId} to {@code node}, expecting a refusal; returns CONNACK's reason code. */
    private static int refusedConnect(Node node, String clientId) {
        try {
            MqttAsyncClient client = new MqttAsyncClient(node.uri(), clientId, new MemoryPersistence());
            try {
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setAutomaticReconnect(false);
                MqttException refused = assertThrows(MqttException.class,
                        () -> client.connect(options).waitForCompletion(Await.TIMEOUT.toMillis()));
                return refused.getReasonCode();
            } finally {
                client.close(true);
            }
        } catch (MqttException e) {
            throw new AssertionError("cannot close the client " + clientId, e);
        }
    }
}
