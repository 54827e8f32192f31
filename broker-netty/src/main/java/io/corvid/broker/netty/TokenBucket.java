package io.corvid.broker.netty;

import java.util.concurrent.TimeUnit;

/**
 * A token bucket that may go into debt: tokens come back at a fixed rate up to a burst, and a
 * taker takes what it used even when that is more than the bucket holds, because bytes and
 * packets are counted after they were read, not before. The debt then says how long the
 * taker has to wait: {@link #take} returns the time until the balance is back to zero.
 * Over any long interval the tokens taken are therefore at most {@code burst + rate × time},
 * however coarse the takes.
 *
 * <p>Not thread safe: each bucket belongs to one event loop.
 */
final class TokenBucket {
    private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final double perSecond;
    private final double burst;
    private double tokens;
    private long lastRefillNanos;

    /**
     * @param perSecond tokens returned per second, more than 0
     * @param burst     the most tokens the bucket holds (it starts full), at least 1
     * @param nowNanos  the current {@link System#nanoTime()}
     */
    TokenBucket(double perSecond, double burst, long nowNanos) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("the rate must be a positive number: " + perSecond);
        }
        if (!(burst >= 1)) {
            throw new IllegalArgumentException("the burst must be at least 1: " + burst);
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefillNanos = nowNanos;
    }

    /**
     * Takes {@code count} tokens, into debt if need be.
     *
     * @return nanoseconds until the bucket is out of debt, 0 when it is not in debt
     */
    long take(double count, long nowNanos) {
        refill(nowNanos);
        tokens -= count;
        return waitNanos();
    }

    /** Nanoseconds until the bucket holds at least {@code count} tokens, 0 when it does now. */
    long nanosUntil(double count, long nowNanos) {
        refill(nowNanos);
        return nanosUntil(count);
    }

    private long waitNanos() {
        return nanosUntil(0);
    }

    private long nanosUntil(double count) {
        return tokens >= count ? 0 : (long) Math.ceil((count - tokens) * NANOS_PER_SECOND / perSecond);
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perSecond / NANOS_PER_SECOND);
            lastRefillNanos = nowNanos;
        }
    }
}
