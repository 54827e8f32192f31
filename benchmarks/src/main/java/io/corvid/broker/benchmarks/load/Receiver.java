package io.corvid.broker.benchmarks.load;

import org.HdrHistogram.Histogram;

/**
 * The counting end of one subscriber, whatever client carries it: per publisher a
 * {@link StreamTracker}, a latency histogram of the measured messages, and totals.
 *
 * <p>A client calls {@link #onMessage} from its connection thread. The methods synchronise on
 * this object: uncontended while the run goes, they make the figures safe to read afterwards.
 */
public final class Receiver {
    /** Longest latency recorded, in microseconds; longer ones are recorded as this. */
    static final long MAX_LATENCY_MICROS = 600_000_000L;

    private final int index;
    private final StreamTracker[] streams;
    private final Histogram latencyMicros = new Histogram(MAX_LATENCY_MICROS, 3);
    private final Runnable onConnectionLost;
    private volatile long received;
    private long unexpected;
    private boolean lost;
    private String lostReason;
    private long firstArrivalNanos;
    private long lastArrivalNanos;
    private long markAfter;
    private long markNanos;

    /**
     * @param index            the subscriber's index in its scenario
     * @param streams          per publisher index the tracker of its messages, or null where
     *                         this subscriber expects none
     * @param onConnectionLost called once if the connection drops during the run, or null
     */
    public Receiver(int index, StreamTracker[] streams, Runnable onConnectionLost) {
        this.index = index;
        this.streams = streams.clone();
        this.onConnectionLost = onConnectionLost;
    }

    /** The subscriber's index. */
    public int index() {
        return index;
    }

    /**
     * Counts one received payload.
     *
     * @param nowNanos System.nanoTime() at arrival
     */
    public synchronized void onMessage(byte[] payload, long nowNanos) {
        if (received == 0) {
            firstArrivalNanos = nowNanos;
        }
        lastArrivalNanos = nowNanos;
        received++;
        if (received == markAfter) {
            markNanos = nowNanos;
        }
        if (!Payload.hasHeader(payload)) {
            unexpected++;
            return;
        }
        int publisher = Payload.publisher(payload);
        StreamTracker stream = publisher < streams.length ? streams[publisher] : null;
        if (stream == null) {
            unexpected++;
            return;
        }
        boolean fresh = stream.record(Payload.sequence(payload));
        // With a mark set, only what arrives after it counts: the steady state, not the start.
        if (fresh && Payload.measured(payload) && received > markAfter) {
            long micros = Math.max(0, (nowNanos - Payload.sendNanos(payload)) / 1_000);
            latencyMicros.recordValue(Math.min(micros, MAX_LATENCY_MICROS));
        }
    }

    /** The connection dropped: record it and stop flow control from waiting for this subscriber. */
    public void connectionLost() {
        connectionLost(null);
    }

    /** The connection dropped, for {@code reason} (or null): as {@link #connectionLost()}, keeping the reason. */
    public void connectionLost(String reason) {
        synchronized (this) {
            if (lost) {
                return;
            }
            lost = true;
            lostReason = reason;
        }
        for (StreamTracker stream : streams) {
            if (stream != null) {
                stream.markDead();
            }
        }
        if (onConnectionLost != null) {
            onConnectionLost.run();
        }
    }

    /** Whether the connection dropped during the run. */
    public synchronized boolean lost() {
        return lost;
    }

    /** Why the connection dropped, or null. */
    public synchronized String lostReason() {
        return lostReason;
    }

    /** System.nanoTime() of the first arrival; meaningless while {@link #received()} is 0. */
    /**
     * Notes the arrival time of the {@code count}th message, for a rate from there on
     * ({@link #markNanos}); latencies are then recorded only for the messages after it.
     */
    public synchronized void markAfter(long count) {
        markAfter = count;
    }

    /** When the message set by {@link #markAfter} arrived; 0 if it has not. */
    public synchronized long markNanos() {
        return markNanos;
    }

    public synchronized long firstArrivalNanos() {
        return firstArrivalNanos;
    }

    /** System.nanoTime() of the latest arrival; meaningless while {@link #received()} is 0. */
    public synchronized long lastArrivalNanos() {
        return lastArrivalNanos;
    }

    /** Messages received so far, of any publisher, duplicates included. */
    public long received() {
        return received;
    }

    /** Messages whose payload named no publisher this subscriber expects. */
    public synchronized long unexpected() {
        return unexpected;
    }

    /** The tracker of one publisher's messages, or null. */
    public synchronized StreamTracker stream(int publisher) {
        return publisher < streams.length ? streams[publisher] : null;
    }

    /** Different messages received from every expected publisher. */
    public synchronized long distinct() {
        long total = 0;
        for (StreamTracker stream : streams) {
            if (stream != null) {
                total += stream.distinct();
            }
        }
        return total;
    }

    /** Duplicates received from every expected publisher. */
    public synchronized long duplicates() {
        long total = 0;
        for (StreamTracker stream : streams) {
            if (stream != null) {
                total += stream.duplicates();
            }
        }
        return total;
    }

    /** Adds this subscriber's latencies to {@code into}. */
    public synchronized void addLatencies(Histogram into) {
        into.add(latencyMicros);
    }

    /** Missing messages of a publisher in a sequence range, see {@link StreamTracker#missing}. */
    public synchronized long missing(int publisher, long from, long to) {
        StreamTracker stream = stream(publisher);
        return stream == null ? 0 : stream.missing(from, to);
    }
}
