package io.corvid.broker.benchmarks.load;

/**
 * How a subscriber of the pressure scenarios treats what the broker sends it.
 *
 * @param holdAfterSubAck     stop reading as soon as the SUBACK arrived (a stuck or late reader;
 *                            {@link NettyMqttConnection#holdReads} resumes)
 * @param busyNanosPerMessage time spent per message in the read path, busy, as an application
 *                            that works on each message before it reads the next
 * @param lossIsResult        a disconnection by the broker is what the run measures (recorded on
 *                            the {@link Receiver}), not a failure of the generator
 */
public record ReadPolicy(boolean holdAfterSubAck, long busyNanosPerMessage, boolean lossIsResult) {

    /** Reads everything at once; a lost connection is an error: the throughput scenarios. */
    public static final ReadPolicy NORMAL = new ReadPolicy(false, 0, false);

    /**
     * Spends the per-message time. Busy-spins rather than sleeps: a sleep of tens of
     * microseconds lasts far longer than asked and would yield the event loop's thread.
     */
    public void spend() {
        if (busyNanosPerMessage <= 0) {
            return;
        }
        long end = System.nanoTime() + busyNanosPerMessage;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
