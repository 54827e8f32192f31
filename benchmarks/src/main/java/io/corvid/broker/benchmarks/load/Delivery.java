package io.corvid.broker.benchmarks.load;

import java.util.Locale;

/**
 * The arithmetic of the pressure scenarios' reports, apart so that it can be tested: delivery
 * ratio, rate between first and last arrival, and the run's status.
 */
public final class Delivery {

    private Delivery() {
    }

    /** {@code delivered / expected} to three places, or "na" when nothing was expected. */
    public static String ratio(long delivered, long expected) {
        return expected <= 0 ? "na" : String.format(Locale.ROOT, "%.3f", (double) delivered / expected);
    }

    /**
     * Messages per second between the first and the last arrival: {@code count - 1} intervals
     * over that span. 0 with fewer than two messages. The span starts at the first arrival, not
     * at the first send, so that it measures how fast the subscriber was served, not setup.
     */
    public static double rate(long count, long firstNanos, long lastNanos) {
        long span = lastNanos - firstNanos;
        return count < 2 || span <= 0 ? 0 : (count - 1) * 1e9 / span;
    }

    /**
     * The run's status: "ERROR" when the generator's own side failed (a publisher lost its
     * connection, the broker refused a message), "incomplete" when not everything was sent,
     * acknowledged and delivered before the run ended, "dup" when something arrived twice,
     * else "ok". Being disconnected by the broker is a result, reported apart; it makes a run
     * incomplete when messages were owed.
     */
    public static String status(boolean generatorError, boolean complete, long duplicates) {
        if (generatorError) {
            return "ERROR";
        }
        if (!complete) {
            return "incomplete";
        }
        return duplicates > 0 ? "dup" : "ok";
    }

    /** Figures joined by commas, one word for a RESULT line: per subscriber. */
    public static String list(long[] values) {
        StringBuilder text = new StringBuilder();
        for (long value : values) {
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(value);
        }
        return text.toString();
    }
}
