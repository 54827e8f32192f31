package io.corvid.broker.metrics;

import io.corvid.broker.BrokerMetrics;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The gauges that walk every session ({@link BrokerMetrics#sessionsConnected()},
 * {@link BrokerMetrics#sessionsOffline()}, {@link BrokerMetrics#subscriptions()},
 * {@link BrokerMetrics#queuedMessages()}, {@link BrokerMetrics#inflightMessages()}), read
 * together and kept for {@link #MAX_AGE_NANOS}.
 *
 * <p>A scrape reads six gauges from these five walks; without the snapshot every gauge would walk
 * the sessions on its own, and a registry that publishes several times in a second (two
 * Prometheus servers, a scrape next to a push) would repeat them all. With it, one scrape costs
 * each walk once at most and scrapes within a second of each other share them.
 */
final class SessionTotals {
    /** How long one reading serves: shorter than any sensible scrape interval, longer than one scrape. */
    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final BrokerMetrics source;
    private final LongSupplier nanoTime;
    private Snapshot snapshot;
    private long takenAtNanos;

    SessionTotals(BrokerMetrics source, LongSupplier nanoTime) {
        this.source = source;
        this.nanoTime = nanoTime;
    }

    long connected() {
        return current().connected();
    }

    long offline() {
        return current().offline();
    }

    long subscriptions() {
        return current().subscriptions();
    }

    long queuedMessages() {
        return current().queuedMessages();
    }

    long inflightMessages() {
        return current().inflightMessages();
    }

    private synchronized Snapshot current() {
        long now = nanoTime.getAsLong();
        if (snapshot == null || now - takenAtNanos >= MAX_AGE_NANOS) {
            snapshot = new Snapshot(source.sessionsConnected(), source.sessionsOffline(), source.subscriptions(),
                    source.queuedMessages(), source.inflightMessages());
            takenAtNanos = now;
        }
        return snapshot;
    }

    private record Snapshot(long connected, long offline, long subscriptions, long queuedMessages,
                            long inflightMessages) {
    }
}
