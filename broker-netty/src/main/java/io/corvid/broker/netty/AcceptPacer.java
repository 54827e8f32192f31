package io.corvid.broker.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paces the connections one listener accepts: a token bucket of {@code perSecond} new
 * connections with a burst. When the bucket is empty the listening socket stops being read
 * (auto-read off) and a task on its event loop turns reading back on once 10 ms of the rate
 * is back ({@link #RESUMES_PER_SECOND}; at least one token, at most the burst); in between, new connections wait in the kernel's accept backlog (and, when that is full, in
 * their clients' SYN retries) instead of being accepted and then dropped. A connection
 * storm therefore reaches the broker at the paced rate, and the connections already open, on
 * other event loops, never wait for it.
 *
 * <p>Sits first in the listening channel's pipeline, where each accepted connection passes
 * as a message before Netty registers it. A native transport stops accepting at once; NIO
 * accepts a whole read batch (up to 16 connections) before the first is passed on, and the
 * bucket goes into debt for the excess, so the rate holds over time either way.
 *
 * <p>Each pause is counted ({@link #pauses()}) and logged at DEBUG; the first pause after a
 * quiet period of {@link ConnectionLimits#REPORT_INTERVAL_NANOS} is logged at INFO.
 *
 * <p>One per listener; its state is touched on the listening channel's event loop only,
 * except the counter.
 */
final class AcceptPacer extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptPacer.class);
    /**
     * At most about this many pauses a second: a pause lasts until 1/100 s of the rate is back,
     * not one token, so that a storm at 10,000 connections/s costs 100 wake-ups a second, not 10,000.
     */
    static final int RESUMES_PER_SECOND = 100;

    private final String listenerName;
    private final double perSecond;
    private final int burst;
    private final AtomicLong pauses = new AtomicLong();
    private final LongSupplier nanoClock;
    /** Tokens a pause waits for: 10 ms of the rate (at most the burst, at least 1). */
    private final double resumeTokens;
    private final TokenBucket bucket;
    private boolean paused;
    private long lastInfoNanos;

    /**
     * @param perSecond new connections accepted per second, more than 0
     * @param burst     connections accepted at once after a quiet time, at least 1
     */
    AcceptPacer(String listenerName, double perSecond, int burst) {
        this(listenerName, perSecond, burst, System::nanoTime);
    }

    /** A pacer on another clock than {@link System#nanoTime()}, for tests. */
    AcceptPacer(String listenerName, double perSecond, int burst, LongSupplier nanoClock) {
        this.listenerName = listenerName;
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.resumeTokens = Math.max(1, Math.min(burst, perSecond / RESUMES_PER_SECOND));
        long now = nanoClock.getAsLong();
        this.bucket = new TokenBucket(perSecond, burst, now);
        this.lastInfoNanos = now - ConnectionLimits.REPORT_INTERVAL_NANOS;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object acceptedChannel) {
        long now = nanoClock.getAsLong();
        bucket.take(1, now);
        ctx.fireChannelRead(acceptedChannel);
        long wait = bucket.nanosUntil(1, now);
        if (wait <= 0) {
            return;
        }
        if (paused) {
            // Accepted while paused: the rest of an NIO read batch, or reading turned back on by
            // Netty's own accept-error back-off. Stay off; the resume checks the debt again.
            ctx.channel().config().setAutoRead(false);
        } else {
            pause(ctx, bucket.nanosUntil(resumeTokens, now), now);
        }
    }

    private void pause(ChannelHandlerContext ctx, long waitNanos, long now) {
        paused = true;
        long count = pauses.incrementAndGet();
        ctx.channel().config().setAutoRead(false);
        if (now - lastInfoNanos >= ConnectionLimits.REPORT_INTERVAL_NANOS) {
            lastInfoNanos = now;
            LOG.info("Listener {}: more than {} new connections/s (burst {}); accepting at that pace "
                    + "({} pauses so far; reported at most every {} s)", listenerName, perSecond, burst, count,
                    TimeUnit.NANOSECONDS.toSeconds(ConnectionLimits.REPORT_INTERVAL_NANOS));
        } else {
            LOG.debug("Listener {}: accepting paused for {} µs", listenerName, waitNanos / 1000);
        }
        scheduleResume(ctx, waitNanos);
    }

    private void scheduleResume(ChannelHandlerContext ctx, long waitNanos) {
        try {
            ctx.executor().schedule(() -> resume(ctx), waitNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // The event loop is ending, and the listening socket with it.
            paused = false;
        }
    }

    private void resume(ChannelHandlerContext ctx) {
        if (!ctx.channel().isOpen()) {
            paused = false;
            return;
        }
        long wait = bucket.nanosUntil(resumeTokens, nanoClock.getAsLong());
        if (wait > 0) {
            // Connections accepted during the pause went into debt: still no token.
            scheduleResume(ctx, wait);
            return;
        }
        paused = false;
        ctx.channel().config().setAutoRead(true);
    }

    /** Times this listener stopped accepting because connections came faster than its pace. */
    long pauses() {
        return pauses.get();
    }

    /** The listener's name. */
    String listenerName() {
        return listenerName;
    }
}
