package io.corvid.broker.engine;

import io.corvid.broker.BrokerMetrics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's state under {@code $SYS/broker/}, with Mosquitto's topic names and value formats
 * (docs/operations.md lists them). Each {@link #publishRound() round} reads {@link BrokerMetrics}
 * once, its gauges walking the sessions, and publishes every topic whose value changed since it
 * was last published: all of them in the first round, the version only then.
 *
 * <p>Rounds run one at a time on the engine's scheduler; {@link #run()} is the timer's task and
 * never throws, so that one failed round does not end the timer.
 */
final class SysTopics {
    private static final Logger LOG = LoggerFactory.getLogger(SysTopics.class);
    private static final String BROKER = "$SYS/broker/";

    /** Where a round's values go: the engine publishes them, retained, as the broker itself. */
    @FunctionalInterface
    interface Publisher {
        void publish(String topic, byte[] payload);
    }

    /** The JVM heap, as {@code $SYS/broker/heap/...} reports it. */
    interface Heap {
        /** Bytes of heap in use now. */
        long used();

        /** The most bytes of heap the JVM will use ({@code -Xmx}). */
        long max();

        /** This JVM's heap. */
        static Heap runtime() {
            return new Heap() {
                @Override
                public long used() {
                    Runtime runtime = Runtime.getRuntime();
                    return runtime.totalMemory() - runtime.freeMemory();
                }

                @Override
                public long max() {
                    return Runtime.getRuntime().maxMemory();
                }
            };
        }
    }

    /** A counter whose rate is published as {@code $SYS/broker/load/{name}/{1,5,15}min}. */
    private record Load(String name, ToLongFunction<BrokerMetrics> counter, LoadAverage average) {
        Load(String name, ToLongFunction<BrokerMetrics> counter) {
            this(name, counter, new LoadAverage());
        }
    }

    private final BrokerMetrics metrics;
    private final EngineClock clock;
    private final Heap heap;
    private final Publisher publisher;
    private final String version;
    /** Whether this node belongs to a cluster: only then are the {@code cluster/...} topics published. */
    private final boolean clustered;
    private final long startedAtNanos;
    /** The value each topic was last published with. */
    private final Map<String, String> published = new HashMap<>();
    private final List<Load> loads = List.of(
            new Load("messages/received", BrokerMetrics::packetsReceived),
            new Load("messages/sent", BrokerMetrics::packetsSent),
            new Load("publish/dropped", BrokerMetrics::messagesDropped),
            new Load("publish/received", BrokerMetrics::messagesReceived),
            new Load("publish/sent", BrokerMetrics::messagesSent),
            new Load("bytes/received", BrokerMetrics::bytesReceived),
            new Load("bytes/sent", BrokerMetrics::bytesSent),
            new Load("sockets", BrokerMetrics::connectionsAccepted),
            new Load("connections", BrokerMetrics::connectsReceived));
    /** Whether the last round failed: the next failure is not logged at WARN again. */
    private boolean failing;

    /**
     * @param metrics   what the broker counts
     * @param clock     the engine's clock, for the uptime and the load averages
     * @param heap      the heap to report
     * @param version   the broker's version, for {@code $SYS/broker/version}
     * @param publisher where the values go
     */
    SysTopics(BrokerMetrics metrics, EngineClock clock, Heap heap, String version, Publisher publisher) {
        this(metrics, clock, heap, version, false, publisher);
    }

    /**
     * As {@link #SysTopics(BrokerMetrics, EngineClock, Heap, String, Publisher)}, with the
     * {@code $SYS/broker/cluster/...} topics when {@code clustered}: a single node does not
     * publish counters that would always read 0.
     */
    SysTopics(BrokerMetrics metrics, EngineClock clock, Heap heap, String version, boolean clustered,
              Publisher publisher) {
        this.metrics = metrics;
        this.clock = clock;
        this.heap = heap;
        this.version = version;
        this.clustered = clustered;
        this.publisher = publisher;
        this.startedAtNanos = clock.nanoTime();
    }

    /** One round, as the timer runs it: a failure is logged (at WARN once until a round works again), never thrown. */
    void run() {
        try {
            publishRound();
            if (failing) {
                failing = false;
                LOG.info("Publishing the $SYS topics works again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("Publishing the $SYS topics failed; the next round tries again (further failures are "
                        + "logged at DEBUG until one succeeds)", e);
            } else {
                LOG.debug("Publishing the $SYS topics failed again", e);
            }
        }
    }

    /** Reads the metrics and publishes what changed since the last round (everything the first time). */
    synchronized void publishRound() {
        long now = clock.nanoTime();
        publish("version", "corvid " + version);
        publish("uptime", TimeUnit.NANOSECONDS.toSeconds(now - startedAtNanos) + " seconds");

        long connected = metrics.clientsConnected();
        long offline = metrics.sessionsOffline();
        publish("clients/connected", connected);
        publish("clients/disconnected", offline);
        publish("clients/total", connected + offline);
        publish("clients/maximum", metrics.clientsConnectedPeak());
        publish("clients/expired", metrics.sessionsExpired());

        for (Load load : loads) {
            load.average().sample(load.counter().applyAsLong(metrics), now);
            for (int window = 0; window < LoadAverage.WINDOW_MINUTES.length; window++) {
                publish("load/" + load.name() + "/" + LoadAverage.WINDOW_MINUTES[window] + "min",
                        String.format(Locale.ROOT, "%.2f", load.average().perMinute(window)));
            }
        }

        publish("messages/stored", metrics.queuedMessages() + metrics.inflightMessages());
        publish("subscriptions/count", metrics.subscriptions());
        publish("retained messages/count", metrics.retainedMessages());
        publish("heap/current", heap.used());
        publish("heap/maximum", heap.max());

        publish("messages/received", metrics.packetsReceived());
        publish("messages/sent", metrics.packetsSent());
        publish("publish/messages/received", metrics.messagesReceived());
        publish("publish/messages/sent", metrics.messagesSent());
        publish("publish/messages/dropped", metrics.messagesDropped());
        publish("bytes/received", metrics.bytesReceived());
        publish("bytes/sent", metrics.bytesSent());

        if (clustered) {
            publish("cluster/members", metrics.clusterMembers());
            publish("cluster/messages/forwarded", metrics.clusterMessagesForwarded());
            publish("cluster/messages/received", metrics.clusterMessagesReceived());
            publish("cluster/messages/dropped", metrics.clusterMessagesDropped());
        }
    }

    private void publish(String name, long value) {
        publish(name, Long.toString(value));
    }

    private void publish(String name, String value) {
        String topic = BROKER + name;
        if (value.equals(published.get(topic))) {
            return;
        }
        publisher.publish(topic, value.getBytes(StandardCharsets.UTF_8));
        // Recorded once published: a round that fails before a topic tries that topic again next time.
        published.put(topic, value);
    }
}
