package io.corvid.broker.benchmarks.load;

/**
 * What the pressure scenarios (stuck, late-readers, slow-subscriber) add to {@link Settings}.
 * They send a fixed number of messages instead of running for a fixed time, because the
 * question is what becomes of each message, not how many pass per second.
 *
 * @param messages        messages each publisher sends
 * @param liveSubscribers stuck: subscribers that read normally beside the one that never reads
 * @param stuckPeer       stuck: whether the subscriber that never reads is there (false: the baseline)
 * @param timeoutSeconds  longest a run may take from its first message on
 * @param stallSeconds    a run also ends when nothing moved for this long; 0: only the timeout ends it
 * @param busyNanos       slow-subscriber: busy time per message in the subscriber's read path
 * @param steadyAfter     stuck: also report the live subscribers' rate after this many arrivals,
 *                        once the stuck peer's socket buffers are full and it takes nothing more;
 *                        0: not reported
 */
public record PressureSettings(int messages, int liveSubscribers, boolean stuckPeer, double timeoutSeconds,
                               double stallSeconds, long busyNanos, int steadyAfter) {

    /** What the other scenarios carry: nothing they use. */
    public static final PressureSettings NONE = new PressureSettings(1, 1, true, 60, 5, 0, 0);

    public PressureSettings {
        if (messages < 1) {
            throw new IllegalArgumentException("--messages must be at least 1");
        }
        if (liveSubscribers < 1) {
            throw new IllegalArgumentException("--live-subscribers must be at least 1");
        }
        if (!(timeoutSeconds > 0)) {
            throw new IllegalArgumentException("--timeout must be positive");
        }
        if (stallSeconds < 0) {
            throw new IllegalArgumentException("--stall must not be negative");
        }
        if (steadyAfter < 0 || steadyAfter >= messages && steadyAfter > 0) {
            throw new IllegalArgumentException("--steady-after must be 0 or fewer than --messages");
        }
        if (busyNanos < 0) {
            throw new IllegalArgumentException("--busy-us must not be negative");
        }
    }
}
