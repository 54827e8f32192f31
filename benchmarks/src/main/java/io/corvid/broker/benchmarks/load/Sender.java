package io.corvid.broker.benchmarks.load;

import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sending end of one publisher, whatever client carries it: decides when the next message
 * goes out and numbers it.
 *
 * <p>{@link #pump} runs on the publisher's executor (its connection's event loop) and sends a
 * batch of at most {@value #MAX_BATCH} messages, then flushes once. It sends only while
 * <ul>
 * <li>the run is warming up or measuring,</li>
 * <li>the client's inflight window has room (QoS 1/2: PUBACK or PUBCOMP frees a slot),</li>
 * <li>the connection is writable, so the generator never buffers without bound,</li>
 * <li>with a fixed rate, a message is due; its timestamp is then the time it was due, not the
 * time it went out, so that a stalled broker cannot hide latency (coordinated omission),</li>
 * <li>with end-to-end flow control, the slowest subscriber of this publisher is fewer than
 * {@code e2eWindow} messages behind; it then waits until that subscriber has caught up to half
 * the window. This keeps the broker's per-subscriber queue from overflowing, so that QoS 1/2
 * runs measure throughput, not the broker's overflow policy.</li>
 * </ul>
 * Whatever stops it re-triggers it: an acknowledgement, writability, a timer or the subscriber.
 *
 * <p>With a {@link #limit}, it stops after that many messages and reports {@link #finished()}
 * once the last is out and, at QoS 1/2, every one is acknowledged (the pressure scenarios).
 */
public final class Sender {
    /** Most messages per batch: one flush each; other connections on the loop get their turn. */
    static final int MAX_BATCH = 128;
    /** While waiting for subscribers, look again at least this often (QoS 0 may lose the tail). */
    private static final long E2E_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** At QoS 0, a subscriber that made no progress for this long is taken to have lost what is outstanding. */
    private static final long E2E_GIVE_UP_QOS0_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * At QoS 1/2 the same after longer: the broker lost a message (reported as loss); the
     * publisher carries on rather than wait for ever.
     */
    private static final long E2E_GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** What a client provides to carry a publisher's messages. */
    public interface Link {
        /** The thread the publisher runs on: its connection's event loop. */
        EventExecutor executor();

        /** How many more messages may be in flight now. Called on the executor. */
        int windowFree();

        /** Messages sent and not yet acknowledged (always 0 at QoS 0). Any thread. */
        int inflight();

        /** Whether the connection accepts more bytes now. Called on the executor. */
        boolean writable();

        /** Sends one message without flushing. Called on the executor. */
        void send(int publisher, int sequence, long sendNanos, boolean measured);

        /** Flushes what was sent. Called on the executor. */
        void flush();
    }

    private final int index;
    private final RunControl control;
    private final long intervalNanos;
    private final int e2eWindow;
    private final long giveUpNanos;
    private final AtomicBoolean pumpQueued = new AtomicBoolean();
    private final AtomicReference<StreamTracker> blockedOn = new AtomicReference<>();
    private final Runnable pumpTask = this::pump;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private List<StreamTracker> downstream = List.of();
    private volatile Link link;
    private volatile long limit = Long.MAX_VALUE;

    // Executor thread only.
    private int nextSequence;
    private long nextIntended;
    private long timerDeadline;
    private long blockedSince;
    private long blockedAt = -1; // the slowest subscriber's position when the wait began; -1: not waiting
    private long deliveredFloor;

    private volatile long sent;
    private volatile int firstMeasured = -1;

    /**
     * @param index         the publisher's index, carried in every payload
     * @param ratePerSecond messages per second, or 0 for as fast as the window allows
     * @param e2eWindow     most messages outstanding to the slowest subscriber, or 0 for no limit
     * @param lossTolerant  QoS 0: messages the broker may drop; a subscriber that makes no
     *                      progress for 0.5 s (QoS 1/2: 5 s) is taken to have lost what is
     *                      outstanding, rather than waited for for ever
     */
    public Sender(int index, RunControl control, double ratePerSecond, int e2eWindow, boolean lossTolerant) {
        this.index = index;
        this.control = control;
        this.intervalNanos = ratePerSecond > 0 ? Math.max(1, Math.round(1e9 / ratePerSecond)) : 0;
        this.e2eWindow = e2eWindow;
        this.giveUpNanos = lossTolerant ? E2E_GIVE_UP_QOS0_NANOS : E2E_GIVE_UP_NANOS;
    }

    /** The publisher's index. */
    public int index() {
        return index;
    }

    /** Sets the trackers of the subscribers that receive this publisher's messages. */
    public void downstream(List<StreamTracker> trackers) {
        this.downstream = List.copyOf(trackers);
    }

    /** Sends at most {@code count} messages; before {@link #start}. */
    public void limit(long count) {
        this.limit = count;
    }

    /**
     * Completes once the {@link #limit}'s last message was written and flushed and, at QoS 1/2,
     * every message was acknowledged. Completes on the publisher's executor.
     */
    public CompletableFuture<Void> finished() {
        return finished;
    }

    /** Connects the publisher to its client; before {@link #start}. */
    public void attach(Link attached) {
        this.link = attached;
    }

    /** Starts sending (the run is warming up). */
    public void start() {
        link.executor().execute(() -> {
            nextIntended = System.nanoTime();
            pump();
        });
    }

    /** Asks for a pump soon, on the executor; several requests before it runs make one pump. Any thread. */
    public void requestPump() {
        Link current = link;
        if (current != null && pumpQueued.compareAndSet(false, true)) {
            current.executor().execute(pumpTask);
        }
    }

    /** Messages sent so far (the next sequence number). */
    public long sent() {
        return sent;
    }

    /** The sequence number of the first measured message, or -1. */
    public int firstMeasured() {
        return firstMeasured;
    }

    /** Messages sent during the measured period. */
    public long measuredSent() {
        int first = firstMeasured;
        return first < 0 ? 0 : sent - first;
    }

    /** Messages sent and not yet acknowledged. */
    public int inflight() {
        return link == null ? 0 : link.inflight();
    }

    /** Sends what may be sent now. Runs on the executor. */
    void pump() {
        pumpQueued.set(false);
        RunControl.Phase phase = control.phase();
        if (phase != RunControl.Phase.WARMUP && phase != RunControl.Phase.MEASURE) {
            return;
        }
        boolean measured = phase == RunControl.Phase.MEASURE;
        if (nextSequence >= limit) {
            completeWhenAcknowledged(); // each acknowledgement pumps: the last one completes
            return;
        }
        int credit = (int) Math.min(Math.min(link.windowFree(), MAX_BATCH), limit - nextSequence);
        if (credit <= 0) {
            return; // an acknowledgement pumps again
        }
        if (e2eWindow > 0) {
            credit = Math.min(credit, endToEndCredit());
            if (credit <= 0) {
                return; // the slowest subscriber, or the retry timer, pumps again
            }
        }
        if (intervalNanos > 0) {
            long now = System.nanoTime();
            if (nextIntended > now) {
                armTimer(nextIntended);
                return;
            }
            credit = (int) Math.min(credit, (now - nextIntended) / intervalNanos + 1);
        }
        int count = 0;
        while (count < credit && link.writable()) {
            if (measured && firstMeasured < 0) {
                firstMeasured = nextSequence;
            }
            long sendNanos = intervalNanos > 0 ? nextIntended : System.nanoTime();
            link.send(index, nextSequence, sendNanos, measured);
            nextSequence++;
            nextIntended += intervalNanos;
            count++;
        }
        if (count == 0) {
            return; // not writable: writability pumps again
        }
        sent = nextSequence;
        link.flush();
        if (nextSequence >= limit) {
            completeWhenAcknowledged();
            return;
        }
        if (!link.writable()) {
            return;
        }
        if (intervalNanos > 0 && nextIntended > System.nanoTime()) {
            armTimer(nextIntended);
        } else {
            requestPump();
        }
    }

    private void completeWhenAcknowledged() {
        if (link.inflight() == 0) {
            finished.complete(null);
        }
    }

    /** How many more messages the slowest live subscriber can take; 0 arms a wake-up. */
    private int endToEndCredit() {
        StreamTracker slowest = null;
        long least = Long.MAX_VALUE;
        for (StreamTracker tracker : downstream) {
            if (!tracker.isDead()) {
                long next = tracker.nextExpected();
                if (next < least) {
                    least = next;
                    slowest = tracker;
                }
            }
        }
        if (slowest == null) {
            return Integer.MAX_VALUE;
        }
        // Send while fewer than a window are outstanding; once stopped, resume at half a window.
        long outstanding = nextSequence - Math.max(least, deliveredFloor);
        boolean waiting = blockedAt >= 0;
        if (outstanding <= (waiting ? e2eWindow / 2 : e2eWindow - 1)) {
            blockedAt = -1;
            return (int) Math.min(e2eWindow - outstanding, Integer.MAX_VALUE);
        }
        long now = System.nanoTime();
        if (!waiting || blockedAt != least) {
            blockedAt = least;
            blockedSince = now;
        } else if (now - blockedSince > giveUpNanos) {
            // No progress for long: what is outstanding was lost (the accounting reports it).
            deliveredFloor = nextSequence;
            blockedAt = -1;
            return e2eWindow;
        }
        // Wait for the slowest subscriber. Publish the wait first, then look again, so that a
        // delivery in between is not missed; a timer looks again in any case.
        blockedOn.set(slowest);
        if (slowest.isDead() || nextSequence - slowest.nextExpected() <= e2eWindow / 2) {
            blockedOn.set(null);
            requestPump();
        } else {
            armTimer(now + E2E_RETRY_NANOS);
        }
        return 0;
    }

    /** A subscriber received {@code sequence} from this publisher. Subscriber's thread. */
    void delivered(StreamTracker tracker, int sequence) {
        if (blockedOn.get() == tracker && sent - (sequence + 1L) <= e2eWindow / 2) {
            wake(tracker);
        }
    }

    /** Stops waiting for {@code tracker}, if this publisher waits for it. Any thread. */
    void wake(StreamTracker tracker) {
        if (blockedOn.compareAndSet(tracker, null)) {
            requestPump();
        }
    }

    private void armTimer(long deadline) {
        if (timerDeadline != 0 && timerDeadline <= deadline) {
            return;
        }
        timerDeadline = deadline;
        long delay = Math.max(0, deadline - System.nanoTime());
        link.executor().schedule(() -> {
            if (timerDeadline == deadline) {
                timerDeadline = 0;
            }
            pump();
        }, delay, TimeUnit.NANOSECONDS);
    }
}
