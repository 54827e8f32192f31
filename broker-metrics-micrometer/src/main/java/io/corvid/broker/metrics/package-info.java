/**
 * The broker's metrics as Micrometer meters: {@link io.corvid.broker.metrics.CorvidMetrics} for any
 * Micrometer registry, {@link io.corvid.broker.metrics.PrometheusMetrics} for a Prometheus scrape with
 * the JVM and Netty memory as well.
 *
 * <pre>{@code
 * CorvidMetrics metrics = new CorvidMetrics(registry);
 * Broker broker = new Broker.Builder().metricsRecorder(metrics.recorder()).build().start();
 * metrics.bindTo(broker);
 * }</pre>
 *
 * Counters and gauges are read from {@link io.corvid.broker.BrokerMetrics} when the registry
 * publishes (a scrape), so they cost nothing while messages flow; the only meters updated on the
 * hot path are the publish-to-deliver latency timer, for one message in
 * {@value io.corvid.broker.MetricsRecorder#LATENCY_SAMPLE_INTERVAL} per publishing connection, and
 * the store commit timer, once per group commit.
 */
package io.corvid.broker.metrics;
