package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.Test;

/** The $SYS topics read by real clients: Paho after known traffic, and Debian's mosquitto_sub. */
class SysTopicsIT {
    /** The last topic of a round; the first round publishes every topic. */
    private static final String LAST_OF_A_ROUND = "$SYS/broker/bytes/sent";

    private static void awaitFirstRound(TestBroker broker) {
        Await.until("the first $SYS round", () -> !broker.broker.retained(LAST_OF_A_ROUND).isEmpty());
    }

    /** Reads the client's messages until every topic of {@code expected} last had its value; fails on timeout. */
    private static void awaitValues(PahoV5Client reader, Map<String, String> expected) {
        Map<String, String> latest = new HashMap<>();
        long deadline = System.nanoTime() + Await.TIMEOUT.toNanos();
        while (!latest.entrySet().containsAll(expected.entrySet())) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            Received message = Await.next("$SYS values " + expected + " (latest: " + latest + ")", reader.received(), left);
            latest.put(message.topic(), message.text());
        }
    }

    @Test
    void aPahoClientReadsTheCountsOfKnownTraffic() {
        try (TestBroker broker = TestBroker.start(builder -> builder.sysInterval(Duration.ofMillis(200)));
             PahoV5Client publisher = PahoV5Client.create(broker, Ids.next("pub")).connect(options -> { });
             PahoV5Client reader = PahoV5Client.create(broker, Ids.next("reader")).connect(options -> { })) {
            for (int i = 0; i < 5; i++) {
                publisher.publish("it/sys/" + i, "x", 1, false);
            }
            reader.subscribe("$SYS/broker/clients/connected", 0);
            reader.subscribe("$SYS/broker/publish/messages/received", 0);
            reader.subscribe("$SYS/broker/messages/received", 0);
            // Packets from clients: 2 CONNECT, 5 PUBLISH, 3 SUBSCRIBE; the $SYS messages are not counted.
            awaitValues(reader, Map.of("$SYS/broker/clients/connected", "2",
                    "$SYS/broker/publish/messages/received", "5", "$SYS/broker/messages/received", "10"));

            publisher.disconnect();
            awaitValues(reader, Map.of("$SYS/broker/clients/connected", "1", "$SYS/broker/messages/received", "11"));
        }
    }

    @Test
    void clientsCannotPublishToSysWhateverTheirProtocol() throws Exception {
        try (TestBroker broker = TestBroker.start(builder -> builder.sysInterval(Duration.ZERO));
             PahoV5Client watcher = PahoV5Client.create(broker, Ids.next("watcher")).connect(options -> { });
             PahoV5Client v5 = PahoV5Client.create(broker, Ids.next("forger5")).connect(options -> { });
             PahoV3Client v3 = PahoV3Client.create(broker, Ids.next("forger3")).connect(options -> { })) {
            watcher.subscribe("$SYS/#", 2);
            IMqttToken token = v5.publishAsync("$SYS/broker/clients/connected", "999".getBytes(UTF_8), 1, true);
            token.waitForCompletion(Await.TIMEOUT.toMillis());
            assertEquals("[135]", Arrays.toString(token.getReasonCodes()), "0x87 Not authorized in the PUBACK");
            v3.publish("$SYS/broker/clients/connected", "999", 1, true);
            v3.publish("$SYS/broker/clients/connected", "999", 2, true);

            broker.broker.publish("$SYS/it/marker", "end".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
            assertEquals("$SYS/it/marker", watcher.next().topic(), "nothing the clients published got through");
            assertTrue(broker.broker.retained("$SYS/#").isEmpty(), "nor was it retained");
            assertTrue(v3.isConnected() && v5.isConnected(), "refused, not disconnected");
        }
    }

    @Test
    void mosquittoSubGetsEveryRetainedValueAndHashGetsNone() {
        try (TestBroker broker = TestBroker.start(builder -> builder.sysInterval(Duration.ofHours(1)))) {
            awaitFirstRound(broker);
            List<Publish> retained = broker.broker.retained("$SYS/#");
            Set<String> topics = retained.stream().map(Publish::topic).collect(Collectors.toCollection(TreeSet::new));

            try (Mosquitto.Sub wildcards = Mosquitto.sub(broker, "-i", "mosq-wild", "-t", "#", "-t", "+/broker/#",
                    "-F", Mosquitto.FORMAT)) {
                broker.awaitSubscription("mosq-wild", "+/broker/#");
                try (Mosquitto.Sub sys = Mosquitto.sub(broker, "-V", "mqttv5", "-i", "mosq-sys", "-t", "$SYS/#",
                        "-C", Integer.toString(topics.size()), "-F", Mosquitto.FORMAT)) {
                    assertEquals(0, sys.awaitExit(), "mosquitto_sub -C " + topics.size() + ": " + sys.stderr());
                    List<Received> got = sys.remainingLines().stream().map(Mosquitto::parse).toList();
                    assertEquals(topics, got.stream().map(Received::topic).collect(Collectors.toCollection(TreeSet::new)));
                    assertTrue(got.stream().allMatch(Received::retain), "all retained: " + got);
                    Map<String, String> values = got.stream().collect(Collectors.toMap(Received::topic, Received::text));
                    assertTrue(values.get("$SYS/broker/version").matches("corvid \\d+\\.\\d+\\.\\d+.*"),
                            values.get("$SYS/broker/version"));
                    assertTrue(values.get("$SYS/broker/uptime").matches("\\d+ seconds"));
                    assertTrue(values.get("$SYS/broker/load/bytes/received/1min").matches("\\d+\\.\\d\\d"));
                }
                broker.broker.publish("plain/broker/marker", "end".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
                assertEquals("plain/broker/marker", wildcards.next().topic(), "# and +/broker/# saw no $SYS topic");
            }
        }
    }
}
