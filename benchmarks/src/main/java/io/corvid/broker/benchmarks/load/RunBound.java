package io.corvid.broker.benchmarks.load;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Ends a pressure run: when everything arrived, when no subscriber that counts is connected any
 * more, when nothing moved for the stall time, or at the timeout. A broker that drops messages
 * (QoS 0), holds them or stops a publisher must still give a result, soon and never a hang:
 * the run then reports what did arrive.
 *
 * <p>{@link #check} is the decision, given the time, so that it can be tested without waiting;
 * {@link #await} polls it.
 */
public final class RunBound {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** Why a run ended. */
    public enum End {
        /** Every message arrived (and every publish was acknowledged). */
        COMPLETE,
        /** Every subscriber that counts was disconnected: nothing more can arrive. */
        DISCONNECTED,
        /** Nothing moved for the stall time. */
        STALLED,
        /** The timeout passed. */
        TIMEOUT;

        /** The name in results. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final long startNanos;
    private final long timeoutNanos;
    private final long stallNanos;
    private long lastProgress = Long.MIN_VALUE;
    private long lastProgressNanos;

    /**
     * @param timeoutSeconds longest the run takes from {@code startNanos}
     * @param stallSeconds   end when the progress figure did not change for this long; 0: never
     */
    public RunBound(long startNanos, double timeoutSeconds, double stallSeconds) {
        this.startNanos = startNanos;
        this.timeoutNanos = (long) (timeoutSeconds * 1e9);
        this.stallNanos = (long) (stallSeconds * 1e9);
        this.lastProgressNanos = startNanos;
    }

    /**
     * Decides whether the run ends now.
     *
     * @param complete whether everything arrived
     * @param hopeless whether nothing more can arrive (every subscriber that counts is gone)
     * @param progress a figure that changes whenever anything moves (messages sent, acknowledged, received)
     * @return why the run ends, or null while it goes on
     */
    public End check(long nowNanos, boolean complete, boolean hopeless, long progress) {
        if (complete) {
            return End.COMPLETE;
        }
        if (hopeless) {
            return End.DISCONNECTED;
        }
        if (progress != lastProgress) {
            lastProgress = progress;
            lastProgressNanos = nowNanos;
        } else if (stallNanos > 0 && nowNanos - lastProgressNanos >= stallNanos) {
            return End.STALLED;
        }
        if (nowNanos - startNanos >= timeoutNanos) {
            return End.TIMEOUT;
        }
        return null;
    }

    /** Polls {@link #check} every few milliseconds until the run ends. */
    public End await(BooleanSupplier complete, BooleanSupplier hopeless, LongSupplier progress)
            throws InterruptedException {
        while (true) {
            End end = check(System.nanoTime(), complete.getAsBoolean(), hopeless.getAsBoolean(),
                    progress.getAsLong());
            if (end != null) {
                return end;
            }
            TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
        }
    }
}
