package io.corvid.broker;

/**
 * Receives the measurements that are distributions rather than counters, for a metrics
 * library to keep: {@link Broker.Builder#metricsRecorder(MetricsRecorder)}. Counters and gauges
 * are read from {@link BrokerMetrics} instead.
 *
 * <p>Methods are called on I/O and store threads, on the hot path: they must be quick, never
 * block, and never throw.
 */
public interface MetricsRecorder {

    /**
     * The time from a PUBLISH being accepted to one of its deliveries being written to a
     * subscriber's connection (handed to the transport; the flush follows within the same
     * batch). Sampled: one published message in {@link #LATENCY_SAMPLE_INTERVAL} of each
     * publishing connection is timed (the first one included), and every delivery of it is
     * reported. Messages published by the application and wills are not timed.
     *
     * @param nanos publish-to-deliver time in nanoseconds
     */
    default void deliveryLatency(long nanos) {
    }

    /**
     * One commit of the durable session store.
     *
     * @param nanos      how long the commit took
     * @param operations how many writes it made durable together (the group-commit batch size)
     */
    default void storeCommit(long nanos, int operations) {
    }

    /** One published message in this many per publishing connection has its deliveries timed. */
    int LATENCY_SAMPLE_INTERVAL = 64;
}
