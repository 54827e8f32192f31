package io.corvid.broker.metrics;

import io.corvid.broker.MetricsRecorder;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The broker's distributions as Micrometer meters: the publish-to-deliver latency and the durable
 * store's commits. The meters are registered at construction, so that a scrape shows them (with
 * zero counts) before the first message.
 *
 * <p>Both timers publish a percentile histogram so that Prometheus gets {@code _bucket} series to
 * compute quantiles across brokers; the minimum and maximum expected values trim Micrometer's
 * default bucket ladder to the range that can occur, and the service level objectives add round
 * boundaries that alert rules can name.
 */
final class DistributionRecorder implements MetricsRecorder {
    private final Timer deliveryLatency;
    private final Timer storeCommit;
    private final DistributionSummary storeCommitBatch;

    DistributionRecorder(MeterRegistry registry, Iterable<Tag> tags) {
        // A delivery written from an idle loop takes tens of microseconds; one behind a slow
        // consumer's queue or a paused publisher can take seconds.
        deliveryLatency = Timer.builder("corvid.delivery.latency")
                .description("Time from a PUBLISH being accepted to a delivery of it being written to a subscriber's "
                        + "connection; one message in " + LATENCY_SAMPLE_INTERVAL + " per publishing connection is timed")
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)) // 100 µs
                .maximumExpectedValue(Duration.ofSeconds(10))
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100),
                        Duration.ofSeconds(1))
                .register(registry);
        // A commit to the operating system takes some tens of microseconds; one forced to disk
        // (FSYNC) milliseconds, and seconds on a disk that struggles.
        storeCommit = Timer.builder("corvid.store.commit")
                .description("Duration of one commit of the durable session store (a group commit of several writes)")
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000)) // 10 µs
                .maximumExpectedValue(Duration.ofSeconds(10))
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100))
                .register(registry);
        // The store's writer commits at most 16,384 tasks per batch; a task may carry a few writes.
        storeCommitBatch = DistributionSummary.builder("corvid.store.commit.batch")
                .description("Writes made durable together by one commit of the durable session store")
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(65_536.0)
                .serviceLevelObjectives(1, 10, 100, 1_000, 10_000)
                .register(registry);
    }

    @Override
    public void deliveryLatency(long nanos) {
        deliveryLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void storeCommit(long nanos, int operations) {
        storeCommit.record(nanos, TimeUnit.NANOSECONDS);
        storeCommitBatch.record(operations);
    }
}
