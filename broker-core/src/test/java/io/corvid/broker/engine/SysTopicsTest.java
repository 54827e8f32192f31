package io.corvid.broker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.corvid.broker.BrokerMetrics;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * One {@link SysTopics} round at a time, on metrics, a clock and a heap the test sets: the
 * topics, their formats, change-only publishing and failed rounds.
 */
class SysTopicsTest {
    private static final Path OPERATIONS_DOC = Path.of("..", "docs", "operations.md");

    /** Metric values by method name; a method not set reads 0, one named in {@link #failing} throws. */
    private final Map<String, Long> values = new HashMap<>();
    private final Set<String> failing = new HashSet<>();
    private final BrokerMetrics metrics = (BrokerMetrics) Proxy.newProxyInstance(BrokerMetrics.class.getClassLoader(),
            new Class<?>[] {BrokerMetrics.class}, (proxy, method, args) -> {
                if (failing.contains(method.getName())) {
                    throw new IllegalStateException("cannot read " + method.getName());
                }
                if (method.getReturnType() != long.class || args != null) {
                    throw new UnsupportedOperationException(method.getName() + " is not read by SysTopics");
                }
                return values.getOrDefault(method.getName(), 0L);
            });
    private final ManualClock clock = new ManualClock();
    private long heapUsed = 50_000_000;
    private final SysTopics.Heap heap = new SysTopics.Heap() {
        @Override
        public long used() {
            return heapUsed;
        }

        @Override
        public long max() {
            return 1_073_741_824L;
        }
    };
    /** What the last round published, in order. */
    private final Map<String, String> published = new LinkedHashMap<>();
    private final SysTopics sys = new SysTopics(metrics, clock, heap, "1.2.3", this::record);
    /** The same on a node of a cluster. */
    private final SysTopics clusteredSys = new SysTopics(metrics, clock, heap, "1.2.3", true, this::record);
    private final Logger log = (Logger) LoggerFactory.getLogger(SysTopics.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    private void record(String topic, byte[] payload) {
        String previous = published.put(topic, new String(payload, StandardCharsets.UTF_8));
        assertEquals(null, previous, topic + " published twice in one round");
    }

    /** A clock that moves only when told. */
    private static final class ManualClock implements EngineClock {
        long nanos = 5_000_000_000L;

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public long currentTimeMillis() {
            return 1_700_000_000_000L + TimeUnit.NANOSECONDS.toMillis(nanos);
        }
    }

    @AfterEach
    void detachLog() {
        log.detachAppender(logged);
        log.setLevel(null);
        log.setAdditive(true);
    }

    private Map<String, String> round(long afterSeconds) {
        clock.nanos += TimeUnit.SECONDS.toNanos(afterSeconds);
        published.clear();
        sys.run();
        return new LinkedHashMap<>(published);
    }

    @Test
    void theFirstRoundPublishesEveryTopicInMosquittosFormats() {
        values.putAll(Map.ofEntries(Map.entry("clientsConnected", 3L), Map.entry("sessionsOffline", 2L),
                Map.entry("clientsConnectedPeak", 7L), Map.entry("sessionsExpired", 1L),
                Map.entry("queuedMessages", 40L), Map.entry("inflightMessages", 2L), Map.entry("subscriptions", 9L),
                Map.entry("retainedMessages", 11L), Map.entry("packetsReceived", 1234L),
                Map.entry("packetsSent", 2345L), Map.entry("messagesReceived", 1000L), Map.entry("messagesSent", 2000L),
                Map.entry("messagesDropped", 5L), Map.entry("bytesReceived", 123456789012L),
                Map.entry("bytesSent", 98765L)));
        Map<String, String> first = round(0);

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("$SYS/broker/version", "corvid 1.2.3");
        expected.put("$SYS/broker/uptime", "0 seconds");
        expected.put("$SYS/broker/clients/connected", "3");
        expected.put("$SYS/broker/clients/disconnected", "2");
        expected.put("$SYS/broker/clients/total", "5");
        expected.put("$SYS/broker/clients/maximum", "7");
        expected.put("$SYS/broker/clients/expired", "1");
        for (String load : new String[] {"messages/received", "messages/sent", "publish/dropped", "publish/received",
                "publish/sent", "bytes/received", "bytes/sent", "sockets", "connections"}) {
            for (String window : new String[] {"1min", "5min", "15min"}) {
                expected.put("$SYS/broker/load/" + load + "/" + window, "0.00");
            }
        }
        expected.put("$SYS/broker/messages/stored", "42");
        expected.put("$SYS/broker/subscriptions/count", "9");
        expected.put("$SYS/broker/retained messages/count", "11");
        expected.put("$SYS/broker/heap/current", "50000000");
        expected.put("$SYS/broker/heap/maximum", "1073741824");
        expected.put("$SYS/broker/messages/received", "1234");
        expected.put("$SYS/broker/messages/sent", "2345");
        expected.put("$SYS/broker/publish/messages/received", "1000");
        expected.put("$SYS/broker/publish/messages/sent", "2000");
        expected.put("$SYS/broker/publish/messages/dropped", "5");
        expected.put("$SYS/broker/bytes/received", "123456789012");
        expected.put("$SYS/broker/bytes/sent", "98765");
        assertEquals(expected, first);
    }

    @Test
    void laterRoundsPublishOnlyWhatChanged() {
        values.put("clientsConnected", 1L);
        round(0);
        assertEquals(Map.of("$SYS/broker/uptime", "10 seconds"), round(10), "nothing else changed");

        values.put("clientsConnected", 2L);
        values.put("clientsConnectedPeak", 2L);
        values.put("messagesReceived", 60L);
        heapUsed += 4096;
        Map<String, String> third = round(50);
        assertEquals(Set.of("$SYS/broker/uptime", "$SYS/broker/clients/connected", "$SYS/broker/clients/total",
                "$SYS/broker/clients/maximum", "$SYS/broker/publish/messages/received",
                "$SYS/broker/load/publish/received/1min", "$SYS/broker/load/publish/received/5min",
                "$SYS/broker/load/publish/received/15min", "$SYS/broker/heap/current"), third.keySet());
        assertEquals("60 seconds", third.get("$SYS/broker/uptime"));
        assertEquals("2", third.get("$SYS/broker/clients/total"));
        // 60 messages in 50 s: 72 per minute, weighted by 1 - e^(-50/60), two decimals as Mosquitto prints them.
        assertEquals("40.71", third.get("$SYS/broker/load/publish/received/1min"));
    }

    @Test
    void aLoadIsPublishedAgainWhileItDecays() {
        round(0);
        values.put("bytesReceived", 6_000L);
        assertEquals("3792.72", round(60).get("$SYS/broker/load/bytes/received/1min"));
        assertEquals("1395.26", round(60).get("$SYS/broker/load/bytes/received/1min"), "no traffic: e^-1 of it");
    }

    @Test
    void aFailedRoundIsLoggedOnceAndTheNextRoundTriesAgain() {
        logged.start();
        log.addAppender(logged);
        log.setLevel(Level.INFO); // the recovery is logged at INFO, the tests' log runs at WARN
        log.setAdditive(false);
        values.put("subscriptions", 4L);
        failing.add("subscriptions");
        round(0);
        round(10);
        assertEquals(1, logged.list.stream().filter(event -> event.getLevel() == Level.WARN).count(),
                "one WARN for two failed rounds: " + logged.list);

        failing.clear();
        Map<String, String> recovered = round(10);
        assertEquals("4", recovered.get("$SYS/broker/subscriptions/count"), "what a failed round missed comes now");
        assertTrue(recovered.containsKey("$SYS/broker/heap/maximum"), "as does everything after it in the round");
        assertTrue(logged.list.stream().anyMatch(event -> event.getLevel() == Level.INFO
                && event.getFormattedMessage().contains("works again")), logged.list.toString());
    }

    @Test
    void aClusteredNodePublishesTheClustersCountersAndOnlyWhatChanged() {
        values.putAll(Map.of("clusterMembers", 3L, "clusterMessagesForwarded", 120L,
                "clusterMessagesReceived", 80L, "clusterMessagesDropped", 2L));
        Map<String, String> first = clusteredRound(clusteredSys, 0);
        assertEquals("3", first.get("$SYS/broker/cluster/members"));
        assertEquals("120", first.get("$SYS/broker/cluster/messages/forwarded"));
        assertEquals("80", first.get("$SYS/broker/cluster/messages/received"));
        assertEquals("2", first.get("$SYS/broker/cluster/messages/dropped"));

        values.put("clusterMembers", 2L);
        values.put("clusterMessagesForwarded", 121L);
        Map<String, String> second = clusteredRound(clusteredSys, 10);
        assertEquals(Map.of("$SYS/broker/uptime", "10 seconds", "$SYS/broker/cluster/members", "2",
                "$SYS/broker/cluster/messages/forwarded", "121"), second);
    }

    @Test
    void aSingleNodePublishesNoClusterTopics() {
        values.put("clusterMembers", 1L);
        assertTrue(round(0).keySet().stream().noneMatch(topic -> topic.startsWith("$SYS/broker/cluster/")));
    }

    private Map<String, String> clusteredRound(SysTopics topics, long advanceSeconds) {
        clock.nanos += TimeUnit.SECONDS.toNanos(advanceSeconds);
        published.clear();
        topics.run();
        return new LinkedHashMap<>(published);
    }

    @Test
    void theVersionComesFromTheBuild() {
        String version = BrokerVersion.current();
        assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), "a Maven version, filtered in: " + version);
    }

    /** docs/operations.md lists every topic, and only those ({@code +} at the end of a load topic: 1min, 5min, 15min). */
    @Test
    void theOperationsGuideListsEveryTopic() throws IOException {
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(\\$SYS/broker/[^`]+)` \\|").matcher(Files.readString(OPERATIONS_DOC));
        while (row.find()) {
            String topic = row.group(1);
            if (topic.endsWith("/+")) {
                String stem = topic.substring(0, topic.length() - 1);
                for (int minutes : LoadAverage.WINDOW_MINUTES) {
                    documented.add(stem + minutes + "min");
                }
            } else {
                documented.add(topic);
            }
        }
        assertEquals(new TreeSet<>(clusteredRound(clusteredSys, 0).keySet()), documented,
                "the $SYS tables of " + OPERATIONS_DOC + " (a clustered node publishes every topic)");
    }
}
