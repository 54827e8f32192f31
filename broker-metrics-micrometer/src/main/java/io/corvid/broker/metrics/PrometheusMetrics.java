package io.corvid.broker.metrics;

import io.corvid.broker.Broker;
import io.corvid.broker.MetricsRecorder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Everything the broker and its process measure, in a Prometheus registry ready to scrape: the
 * {@code corvid.*} meters of {@link CorvidMetrics} and the JVM and Netty meters of
 * {@link ProcessMeters}. For the standalone launcher, whose admin listener serves {@link #scrape()}
 * at {@code /metrics} with {@link #CONTENT_TYPE}:
 * <pre>{@code
 * PrometheusMetrics metrics = new PrometheusMetrics();
 * Broker broker = new Broker.Builder().metricsRecorder(metrics.recorder()).build().start();
 * metrics.bindTo(broker);
 * String text = metrics.scrape();
 * }</pre>
 */
public final class PrometheusMetrics implements AutoCloseable {
    /** The content type of {@link #scrape()}: Prometheus' text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ProcessMeters process = new ProcessMeters();
    private final CorvidMetrics corvid;

    /** A registry with the latency meters and the JVM and Netty meters bound. */
    public PrometheusMetrics() {
        corvid = new CorvidMetrics(registry);
        process.bindTo(registry);
    }

    /** What to give {@link Broker.Builder#metricsRecorder}. */
    public MetricsRecorder recorder() {
        return corvid.recorder();
    }

    /** Binds the counters and gauges of a running broker; see {@link CorvidMetrics#bindTo}. */
    public void bindTo(Broker broker) {
        corvid.bindTo(broker);
    }

    /** Every meter in Prometheus' text exposition format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape();
    }

    /** The registry, for other binders or another format. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Removes the garbage collection listener and closes the registry. */
    @Override
    public void close() {
        process.close();
        registry.close();
    }
}
