package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corvid.broker.Authentication;
import io.corvid.broker.Broker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The cluster's counters under {@code $SYS/broker/cluster/}, as a client of each node reads them. */
class ClusterSysTopicsTest {

    /** The latest value of {@code $SYS/broker/cluster/<topic>} that {@code client} received, or -1. */
    private static long value(Client client, Map<String, String> latest, String topic) {
        for (Client.Received received = client.received.poll(); received != null; received = client.received.poll()) {
            latest.put(received.topic(), received.payload());
        }
        String value = latest.get("$SYS/broker/cluster/" + topic);
        return value == null ? -1 : Long.parseLong(value);
    }

    @Test
    void eachNodePublishesTheMembersAndTheMessagesItForwardedAndReceived() {
        String name = "sys-" + UUID.randomUUID();
        Duration everySecond = Duration.ofSeconds(1);
        try (Node a = Node.start(name, null, null, everySecond);
             Node b = Node.start(name, a, null, everySecond);
             Client readerOnA = new Client(a, "sys-a");
             Client readerOnB = new Client(b, "sys-b");
             Client subscriber = new Client(b, "sub");
             Client publisher = new Client(a, "pub")) {
            Map<String, String> onA = new HashMap<>();
            Map<String, String> onB = new HashMap<>();
            readerOnA.subscribe("$SYS/broker/cluster/#", 0);
            readerOnB.subscribe("$SYS/broker/cluster/#", 0);
            Await.until("A and B publish 2 members",
                    () -> value(readerOnA, onA, "members") == 2 && value(readerOnB, onB, "members") == 2);

            subscriber.subscribe("counted/#", 1);
            Await.until("A routes counted/# to B", () -> a.knowsRoute(b, "counted/#"));
            for (int i = 0; i < 3; i++) {
                publisher.publish("counted/" + i, "m" + i, 1, false);
            }
            Await.until("A's forwarded and B's received count the three messages",
                    () -> value(readerOnA, onA, "messages/forwarded") >= 3
                            && value(readerOnB, onB, "messages/received") >= 3);
            Await.until("nothing dropped, on either node",
                    () -> value(readerOnA, onA, "messages/dropped") == 0
                            && value(readerOnB, onB, "messages/dropped") == 0);
        }
    }

    @Test
    void aBrokerWithoutAClusterPublishesNoClusterTopics() {
        try (Broker single = new Broker.Builder().host("127.0.0.1").port(0).sysInterval(Duration.ofSeconds(1))
                .ioThreads(1).authentication(Authentication.allowAll()).build().start()) {
            Await.until("the first $SYS round", () -> !single.retained("$SYS/broker/uptime").isEmpty());
            assertEquals(List.of(), single.retained("$SYS/broker/cluster/#"), "cluster topics on a single node");
        }
    }
}
