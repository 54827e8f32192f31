package io.corvid.broker.metrics;

import io.corvid.broker.Broker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.UnaryOperator;

/** A broker on a free loopback port with its {@code corvid.*} meters in a Prometheus registry. */
final class MeteredBroker implements AutoCloseable {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final CorvidMetrics metrics = new CorvidMetrics(registry);
    final Broker broker;

    MeteredBroker() {
        this(UnaryOperator.identity());
    }

    MeteredBroker(UnaryOperator<Broker.Builder> settings) {
        broker = settings.apply(new Broker.Builder().host("127.0.0.1").port(0).metricsRecorder(metrics.recorder()))
                .build().start();
        metrics.bindTo(broker);
    }

    String uri() {
        return "tcp://127.0.0.1:" + broker.port();
    }

    Scrape scrape() {
        return new Scrape(registry.scrape());
    }

    /** The value of one sample in a fresh scrape. */
    double value(String sample) {
        return scrape().value(sample);
    }

    @Override
    public void close() {
        broker.close();
        registry.close();
    }
}
