package io.corvid.broker.engine;

/**
 * One counter's rate per minute, smoothed exponentially over 1, 5 and 15 minutes, as Mosquitto
 * computes its {@code $SYS/broker/load/...} figures: at each sample the rate since the last
 * one, {@code r}, moves each average {@code a} to {@code r + e^(-t/w) * (a - r)}, where
 * {@code t} is the time since the last sample and {@code w} the window. Sampling at uneven
 * intervals therefore gives the same averages as sampling at even ones. The first sample only
 * sets the starting point; the averages start at 0.
 *
 * <p>Not thread safe: one {@link SysTopics} round at a time samples it.
 */
final class LoadAverage {
    /** The windows, in minutes, in the order of {@link #perMinute(int)}. */
    static final int[] WINDOW_MINUTES = {1, 5, 15};

    private final double[] averages = new double[WINDOW_MINUTES.length];
    private boolean started;
    private long lastCount;
    private long lastNanos;

    /** Takes the counter's value {@code count} read at {@code nanos} (monotonic nanoseconds). */
    void sample(long count, long nanos) {
        if (!started) {
            started = true;
            lastCount = count;
            lastNanos = nanos;
            return;
        }
        long elapsedNanos = nanos - lastNanos;
        if (elapsedNanos <= 0) {
            return;
        }
        double elapsedSeconds = elapsedNanos / 1e9;
        double ratePerMinute = (count - lastCount) * 60.0 / elapsedSeconds;
        for (int i = 0; i < averages.length; i++) {
            double decay = Math.exp(-elapsedSeconds / (WINDOW_MINUTES[i] * 60.0));
            averages[i] = ratePerMinute + decay * (averages[i] - ratePerMinute);
        }
        lastCount = count;
        lastNanos = nanos;
    }

    /** The average rate per minute over the window {@code WINDOW_MINUTES[window]}. */
    double perMinute(int window) {
        return averages[window];
    }
}
