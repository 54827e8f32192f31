package io.corvid.broker.session;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker-wide budget, in bytes, for messages held for subscribers: handed to a session and
 * not yet written to its connection (or dropped). A delivery {@linkplain #reserve reserves} its
 * message's {@linkplain Message#footprint() footprint} when it is handed over and
 * {@linkplain #release releases} it when it leaves the session's queue.
 *
 * <p>The budget is <em>exhausted</em> once the total reaches the limit, and stays so until the
 * total falls below {@value #RESUME_PERCENT}% of it: the gap keeps an episode from flapping on
 * every message. Entering and leaving an episode is logged once each and counted.
 *
 * <p>Publishers on every event loop reserve, and subscribers on every event loop release, per
 * message. One shared counter would make them contend on one cache line, so each thread keeps
 * its own tally and adds it to the shared total only when it passes a small slack (at most
 * {@value #MAX_LOCAL_SLACK} bytes per thread). The total is therefore exact to within that
 * slack per thread, which is far below any sensible budget.
 */
public final class MemoryBudget {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryBudget.class);
    static final int RESUME_PERCENT = 90;
    static final long MAX_LOCAL_SLACK = 32 * 1024;

    private final long limit;
    private final long resumeBelow;
    private final long localSlack;
    private final AtomicLong used = new AtomicLong();
    private final ThreadLocal<long[]> localTally = ThreadLocal.withInitial(() -> new long[1]);
    private final AtomicBoolean exhausted = new AtomicBoolean();
    private final LongAdder episodes = new LongAdder();

    /** A budget of {@code limitBytes} (at least 1). */
    public MemoryBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("memory budget must be positive: " + limitBytes);
        }
        this.limit = limitBytes;
        this.resumeBelow = limitBytes / 100 * RESUME_PERCENT;
        this.localSlack = Math.min(MAX_LOCAL_SLACK, limitBytes / 256);
    }

    /** Counts {@code bytes} as held. Thread safe. */
    public void reserve(long bytes) {
        adjust(bytes);
    }

    /** Counts {@code bytes} as no longer held. Thread safe. */
    public void release(long bytes) {
        adjust(-bytes);
    }

    private void adjust(long delta) {
        long[] tally = localTally.get();
        long pending = tally[0] + delta;
        if (pending > localSlack || pending < -localSlack) {
            tally[0] = 0;
            update(used.addAndGet(pending));
        } else {
            tally[0] = pending;
        }
    }

    private void update(long total) {
        if (total >= limit) {
            if (!exhausted.get() && exhausted.compareAndSet(false, true)) {
                episodes.increment();
                LOG.warn("Memory budget for queued messages reached ({} of {} bytes): messages for clients that "
                        + "are not keeping up are dropped per their queue policy and QoS 1/2 publishers to them "
                        + "are held back until the broker has worked off what it holds", total, limit);
            }
        } else if (total < resumeBelow && exhausted.get() && exhausted.compareAndSet(true, false)) {
            LOG.info("Memory budget for queued messages has room again ({} of {} bytes)", total, limit);
        }
    }

    /** Whether the budget is exhausted: lagging sessions take no more messages. Thread safe. */
    public boolean isExhausted() {
        return exhausted.get();
    }

    /** The limit in bytes. */
    public long limit() {
        return limit;
    }

    /** The bytes held, as the shared total knows it (exact to within a small slack per thread). Thread safe. */
    public long used() {
        return used.get();
    }

    /** How many times the budget was exhausted since the broker started. Thread safe. */
    public long episodes() {
        return episodes.sum();
    }
}
