package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corvid.broker.store.InMemorySessionStore;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions restored from the session store at start reach the route table: a persistent
 * session that outlived its node's restart gets what is published on another node meanwhile.
 */
class RestoredSessionClusterTest {

    @Test
    void aRestoredSubscriptionIsRoutedToTheRestartedNode() {
        String name = "restored-" + UUID.randomUUID();
        InMemorySessionStore store = new InMemorySessionStore();
        try (Node a = Node.start(name, null)) {
            try (Node before = Node.start(name, a, store)) {
                try (Client subscriber = new Client(before, "durable", false, 300)) {
                    subscriber.subscribe("orders/#", 1);
                }
            }
            try (Node after = Node.start(name, a, store)) {
                Await.until("A routes orders/# to the restarted node", () -> a.knowsRoute(after, "orders/#"));
                try (Client publisher = new Client(a, "shop")) {
                    publisher.publish("orders/42", "while you were away", 1, false);
                }
                Await.until("the restarted node queued the message for the offline session",
                        () -> after.broker.session("durable").map(session -> session.queuedMessages() == 1).orElse(false));
                try (Client back = new Client(after, "durable", false, 300)) {
                    assertEquals(new Client.Received("orders/42", "while you were away", 1, false), back.next());
                }
            }
        }
    }
}
