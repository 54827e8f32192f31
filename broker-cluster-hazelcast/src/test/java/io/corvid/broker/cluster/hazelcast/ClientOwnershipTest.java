package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Client identifier ownership across nodes: one owner per client identifier cluster-wide, the
 * newest CONNECT wins, the node that loses a client closes its connection as taken over (MQTT
 * 5.0: 0x8E) and ends its session. Two brokers shared by the tests (each test uses its own client
 * identifiers and topics); the node-loss test adds a third.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientOwnershipTest {
    private static final int SESSION_TAKEN_OVER = 0x8E;

    private String name;
    private Node a;
    private Node b;
    private final List<Client> clients = new ArrayList<>();

    @BeforeAll
    void startNodes() {
        name = "owners-" + UUID.randomUUID();
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
        return track(new Client(node, id));
    }

    private Client track(Client client) {
        clients.add(client);
        return client;
    }

    @Test
    void aClientConnectingOnBIsTakenOverFromAWhichDisconnectsItWithSessionTakenOver() {
        Client onA = client(a, "mover");
        assertEquals(a.nodeId(), a.cluster.ownerOf("mover"));

        Client onB = client(b, "mover");

        assertEquals(SESSION_TAKEN_OVER, Await.next("A's DISCONNECT of the old connection", onA.disconnects));
        assertEquals(b.nodeId(), a.cluster.ownerOf("mover"));
        Await.until("A forgets the client and its session", () -> a.broker.client("mover").isEmpty()
                && a.broker.session("mover").isEmpty());
        assertTrue(b.broker.client("mover").isPresent());

        onB.subscribe("mover/in", 1);
        Await.until("A routes mover/in to B", () -> a.knowsRoute(b, "mover/in"));
        client(a, "mover-publisher").publish("mover/in", "served on B", 1, false);
        assertEquals(new Client.Received("mover/in", "served on B", 1, false), onB.next());
        assertTrue(onB.isConnected());
        assertTrue(onB.disconnects.isEmpty(), "the new connection was kicked: " + onB.disconnects);
    }

    @Test
    void aSessionThatEndsReleasesItsClaimWhichKeepsItsEpochForAWhile() {
        com.hazelcast.map.IMap<String, ClientOwnership.Owner> owners =
                a.cluster.hazelcastInstance().getMap(ClientOwnership.MAP);
        client(b, "passing").close();
        Await.until("B released its claim", () -> owners.get("passing") != null && owners.get("passing").node() == null);
        assertEquals(1, owners.get("passing").epoch());
        assertEquals(TimeUnit.SECONDS.toMillis(ClientOwnership.RELEASED_TTL_SECONDS),
                owners.getEntryView("passing").getTtl(), "a released entry is not kept for ever");

        client(a, "passing");
        assertEquals(new ClientOwnership.Owner(a.nodeId(), 2, null), owners.get("passing"));
        assertTrue(owners.getEntryView("passing").getTtl() > TimeUnit.DAYS.toMillis(365),
                "a claimed entry expires: " + owners.getEntryView("passing").getTtl());
    }

    @Test
    void anMqtt311ConnectionTakenOverFromAnotherNodeIsClosed() throws Exception {
        MqttClient old = new MqttClient(a.uri(), "classic", new MemoryPersistence());
        CountDownLatch lost = new CountDownLatch(1);
        old.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.countDown();
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        old.connect(options);
        try {
            client(b, "classic");
            assertTrue(lost.await(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "A kept the 3.1.1 connection");
            Await.until("A forgets the client", () -> a.broker.client("classic").isEmpty());
        } finally {
            old.close(true);
        }
    }

    @Test
    void rapidAlternatingReconnectsEndWithTheNewestConnectionOnly() {
        List<Client> connections = new ArrayList<>();
        Node[] nodes = {a, b, a, b, a, b, a};
        for (Node node : nodes) {
            // Each waits for its CONNACK, not for the previous one's DISCONNECT.
            connections.add(client(node, "flapper"));
        }
        Client newest = connections.get(connections.size() - 1);
        for (Client older : connections.subList(0, connections.size() - 1)) {
            Await.until("an older connection is closed", () -> !older.isConnected());
        }
        assertEquals(a.nodeId(), a.cluster.ownerOf("flapper"));
        Await.until("B holds nothing of the client", () -> b.broker.client("flapper").isEmpty()
                && b.broker.session("flapper").isEmpty());

        // A round trip through the cluster after every notice went out: no stale one kicked the newest.
        newest.subscribe("flapper/in", 1);
        Await.until("B routes flapper/in to A", () -> b.knowsRoute(a, "flapper/in"));
        client(b, "flapper-publisher").publish("flapper/in", "still here", 1, false);
        assertEquals(new Client.Received("flapper/in", "still here", 1, false), newest.next());
        assertTrue(newest.isConnected());
        assertTrue(newest.disconnects.isEmpty(), "the newest connection was kicked: " + newest.disconnects);
        assertTrue(a.broker.client("flapper").isPresent());
    }

    @Test
    void concurrentConnectsOnBothNodesLeaveExactlyOneConnectionThatOfTheOwner() {
        List<CompletableFuture<Client>> attempts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Node node = i % 2 == 0 ? a : b;
            attempts.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new Client(node, "racer");
                } catch (AssertionError refused) {
                    return null; // overtaken while it connected: closed before its CONNACK
                }
            }));
        }
        List<Client> connected = new ArrayList<>();
        for (CompletableFuture<Client> attempt : attempts) {
            Client client = attempt.join();
            if (client != null) {
                connected.add(track(client));
            }
        }
        Await.until("exactly one connection is left", () -> connected.stream().filter(Client::isConnected).count() == 1);
        String owner = a.cluster.ownerOf("racer");
        Node owning = owner.equals(a.nodeId()) ? a : b;
        Node other = owning == a ? b : a;
        Await.until("the owner serves the client and the other node holds nothing of it",
                () -> owning.broker.client("racer").isPresent() && other.broker.client("racer").isEmpty()
                        && other.broker.session("racer").isEmpty());
        Client survivor = connected.stream().filter(Client::isConnected).findFirst().orElseThrow();
        survivor.subscribe("racer/in", 0);
        Await.until("the other node routes racer/in to the owner", () -> other.knowsRoute(owning, "racer/in"));
        client(other, "racer-publisher").publish("racer/in", "to the survivor", 1, false);
        assertEquals("to the survivor", survivor.next().payload());
        assertTrue(survivor.isConnected());
    }

    @Test
    void cleanStartFalseOnBAfterAStartsWithBsOwnSessionAndAsSessionEnds() {
        Client first = track(new Client(a, "keeper", false, 300));
        first.subscribe("kept/#", 1);
        first.close();
        Await.until("A keeps the offline session", () -> a.broker.session("keeper").isPresent()
                && !a.broker.session("keeper").get().connected());
        Client publisher = client(a, "keeper-publisher");
        publisher.publish("kept/1", "queued on A", 1, false);
        Await.until("the message waits in A's session", () -> a.broker.session("keeper").get().queuedMessages() == 1);

        Client onB = track(new Client(b, "keeper", false, 300));

        assertFalse(onB.sessionPresent, "B had no session of its own; A's is not handed over");
        Await.until("A ended its session, queued message and all", () -> a.broker.session("keeper").isEmpty());
        assertEquals(b.nodeId(), b.cluster.ownerOf("keeper"));
        assertEquals(0, b.broker.session("keeper").get().subscriptions().size(), "subscriptions came along");
        onB.subscribe("keeper/marker", 1);
        Await.until("A routes keeper/marker to B", () -> a.knowsRoute(b, "keeper/marker"));
        publisher.publish("kept/2", "not for the moved session", 1, false);
        publisher.publish("keeper/marker", "marker", 1, false);
        assertEquals(new Client.Received("keeper/marker", "marker", 1, false), onB.next());
        assertTrue(onB.received.isEmpty(), "the moved client received " + onB.received);

        // Back on A: A ended its session when B took the client, so there is none to resume there either.
        onB.close();
        Client backOnA = track(new Client(a, "keeper", false, 300));
        assertFalse(backOnA.sessionPresent);
        Await.until("B ended its session when A took the client back", () -> b.broker.session("keeper").isEmpty());
    }

    @Test
    void theClaimsOfANodeThatLeavesAreDroppedAndItsClientsAreAcceptedElsewhere() {
        Node c = Node.start(name, a);
        try {
            Await.until("A and B see C", () -> a.cluster.isConnectedTo(c.nodeId()) && b.cluster.isConnectedTo(c.nodeId()));
            Client stranded = new Client(c, "stranded", false, 300);
            Client parked = new Client(c, "parked", false, 300);
            parked.close();
            assertEquals(c.nodeId(), a.cluster.ownerOf("stranded"));
            assertEquals(c.nodeId(), a.cluster.ownerOf("parked"));

            // C's member dies without a goodbye, as in a crash; its broker and its client live on alone.
            c.cluster.hazelcastInstance().getLifecycleService().terminate();
            Await.until("A and B see C leave", () -> a.broker.clusterMembers().size() == 2
                    && b.broker.clusterMembers().size() == 2);
            Await.until("C's claims are dropped", () -> a.cluster.ownerOf("parked") == null
                    && a.cluster.ownerOf("stranded") == null);

            Client moved = client(b, "stranded");
            assertEquals(b.nodeId(), a.cluster.ownerOf("stranded"));
            assertTrue(moved.isConnected());
            assertTrue(b.broker.client("stranded").isPresent());
            // C is out of the cluster: nothing reaches it, and it still serves its own client.
            assertTrue(stranded.isConnected());
            stranded.close();
        } finally {
            c.close();
        }
        assertNull(a.cluster.ownerOf("parked"));
    }
}
