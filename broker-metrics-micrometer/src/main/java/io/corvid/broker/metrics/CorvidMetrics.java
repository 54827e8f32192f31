package io.corvid.broker.metrics;

import io.corvid.broker.Broker;
import io.corvid.broker.MetricsRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;

/**
 * A broker's metrics in a Micrometer registry: its latency distributions, which the broker must be
 * given when it is built, and its counters and gauges, bound once it runs. One object does both, in
 * that order:
 * <pre>{@code
 * CorvidMetrics metrics = new CorvidMetrics(registry);
 * Broker broker = new Broker.Builder().metricsRecorder(metrics.recorder()).build().start();
 * metrics.bindTo(broker);
 * }</pre>
 * The meters are named {@code corvid.*} (see docs/operations.md, section Metrics, for the list).
 * JVM and Netty memory are not among them: {@link ProcessMeters} binds those, and
 * {@link PrometheusMetrics} binds everything to a Prometheus registry.
 *
 * <p>Cost: counters and gauges are read from the broker when the registry publishes. While
 * messages flow the registry sees only the {@code corvid.delivery.latency} timer, recorded for
 * every delivery of one message in {@value MetricsRecorder#LATENCY_SAMPLE_INTERVAL} per publishing
 * connection, and the store timers, once per group commit.
 *
 * <p>Several brokers can share a registry when each has its own {@code CorvidMetrics} with a tag
 * that tells them apart: {@code new CorvidMetrics(registry, Tags.of("broker", "edge-1"))}.
 */
public final class CorvidMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    private final DistributionRecorder recorder;
    /** Once bound; holds the broker's metrics strongly, which Micrometer's function counters do not. */
    private BrokerMeters brokerMeters;

    /** Registers the latency meters in {@code registry}; the broker's meters follow at {@link #bindTo}. */
    public CorvidMetrics(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /** Same, with {@code tags} on every meter. */
    public CorvidMetrics(MeterRegistry registry, Iterable<Tag> tags) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
        this.recorder = new DistributionRecorder(registry, this.tags);
    }

    /** What to give {@link Broker.Builder#metricsRecorder}: it records into this registry's timers. */
    public MetricsRecorder recorder() {
        return recorder;
    }

    /**
     * Binds the counters and gauges of a running broker (its {@link Broker#metrics()}). Once only:
     * a broker's meters are bound for its lifetime.
     *
     * @throws IllegalStateException if a broker was bound already, or this one is not running
     */
    public synchronized void bindTo(Broker broker) {
        Objects.requireNonNull(broker, "broker");
        if (brokerMeters != null) {
            throw new IllegalStateException("a broker is bound already; use one CorvidMetrics per broker");
        }
        BrokerMeters meters = new BrokerMeters(broker.metrics(), tags);
        meters.bindTo(registry);
        brokerMeters = meters;
    }
}
