package io.corvid.broker.benchmarks.load;

import java.util.BitSet;

/**
 * What one subscriber received of one publisher's messages: which sequence numbers arrived
 * (one bit each), how many arrived more than once, and the highest one so far.
 *
 * <p>Written by the subscriber's connection thread only; {@link #nextExpected()} is read by the
 * publisher's thread for end-to-end flow control, and the counts are read after the run, when
 * the subscriber's thread has gone quiet (callers synchronise on the owning {@link Receiver}).
 */
public final class StreamTracker {
    private final Sender sender;
    private final BitSet seen = new BitSet();
    private long distinct;
    private long duplicates;
    private volatile long nextExpected;
    private volatile boolean dead;

    /**
     * @param sender the publisher to wake when it waits for this subscriber, or null
     */
    public StreamTracker(Sender sender) {
        this.sender = sender;
    }

    /**
     * Records one arrival.
     *
     * @return true when the sequence number is new, false for a duplicate
     */
    public boolean record(int sequence) {
        if (sequence < 0) {
            throw new IllegalArgumentException("negative sequence number " + sequence);
        }
        boolean fresh = !seen.get(sequence);
        if (fresh) {
            seen.set(sequence);
            distinct++;
            if (sequence >= nextExpected) {
                nextExpected = sequence + 1L;
            }
        } else {
            duplicates++;
        }
        if (sender != null) {
            sender.delivered(this, sequence);
        }
        return fresh;
    }

    /** One past the highest sequence number seen: what flow control counts as delivered. */
    public long nextExpected() {
        return nextExpected;
    }

    /** Different sequence numbers received. */
    public long distinct() {
        return distinct;
    }

    /** Arrivals of a sequence number already seen. */
    public long duplicates() {
        return duplicates;
    }

    /** How many of the sequence numbers {@code from} (inclusive) to {@code to} (exclusive) never arrived. */
    public long missing(long from, long to) {
        if (to <= from) {
            return 0;
        }
        int start = (int) from;
        int end = (int) to;
        long present = seen.get(start, end).cardinality();
        return (end - start) - present;
    }

    /**
     * The first {@code limit} runs of sequence numbers below {@code to} that never arrived, as
     * "a-b" or "a", for diagnosis.
     */
    public java.util.List<String> missingRanges(long to, int limit) {
        java.util.List<String> ranges = new java.util.ArrayList<>();
        int end = (int) to;
        int from = seen.nextClearBit(0);
        while (from < end && ranges.size() < limit) {
            int next = Math.min(end, seen.nextSetBit(from) < 0 ? end : seen.nextSetBit(from));
            ranges.add(next - 1 == from ? Integer.toString(from) : from + "-" + (next - 1));
            from = seen.nextClearBit(next);
        }
        return ranges;
    }

    /** The subscriber's connection was lost: flow control stops waiting for it. */
    public void markDead() {
        dead = true;
        if (sender != null) {
            sender.wake(this);
        }
    }

    /** Whether the subscriber's connection was lost. */
    public boolean isDead() {
        return dead;
    }
}
