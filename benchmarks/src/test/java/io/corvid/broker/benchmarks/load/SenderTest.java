package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The publisher's pacing: inflight window, end-to-end window and fixed rate, on a fake client. */
class SenderTest {
    private final EventExecutor executor = new DefaultEventExecutor();
    private final RunControl control = new RunControl();

    @AfterEach
    void stop() {
        control.phase(RunControl.Phase.DRAIN);
        executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** A client that records what it is asked to send. */
    private final class FakeLink implements Sender.Link {
        final List<long[]> sent = new CopyOnWriteArrayList<>();
        final AtomicInteger window = new AtomicInteger(Integer.MAX_VALUE);
        final AtomicInteger inflight = new AtomicInteger();

        @Override
        public EventExecutor executor() {
            return executor;
        }

        @Override
        public int windowFree() {
            return window.get() == Integer.MAX_VALUE ? Integer.MAX_VALUE : window.get() - inflight.get();
        }

        @Override
        public int inflight() {
            return inflight.get();
        }

        @Override
        public boolean writable() {
            return true;
        }

        @Override
        public void send(int publisher, int sequence, long sendNanos, boolean measured) {
            inflight.incrementAndGet();
            sent.add(new long[] {sequence, sendNanos, measured ? 1 : 0});
        }

        @Override
        public void flush() {
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Asserts that {@code condition} holds throughout {@code millis}: what must not happen can
     * only be watched for a while. Fails as soon as it stops holding.
     */
    private static void assertHoldsFor(long millis, BooleanSupplier condition, String what) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            assertTrue(condition.getAsBoolean(), what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    @Test
    void stopsAtTheEndToEndWindowAndResumesAtHalf() throws InterruptedException {
        Sender sender = new Sender(0, control, 0, 10, false);
        StreamTracker tracker = new StreamTracker(sender);
        sender.downstream(List.of(tracker));
        FakeLink link = new FakeLink();
        sender.attach(link);
        control.phase(RunControl.Phase.WARMUP);
        sender.start();
        await(() -> link.sent.size() == 10, "the first window");
        assertHoldsFor(50, () -> link.sent.size() == 10, "nothing beyond the window before the subscriber has anything");
        for (int i = 0; i < 4; i++) {
            tracker.record(i);
        }
        assertHoldsFor(50, () -> link.sent.size() == 10, "6 outstanding: still waiting for half the window");
        tracker.record(4);
        await(() -> link.sent.size() == 15, "5 more once 5 are outstanding");
        assertHoldsFor(50, () -> link.sent.size() == 15, "no more than the window allows");
        assertEquals(15, sender.sent());
    }

    @Test
    void atQos0StopsWaitingForMessagesThatNeverCome() throws InterruptedException {
        Sender sender = new Sender(0, control, 0, 10, true);
        StreamTracker tracker = new StreamTracker(sender);
        sender.downstream(List.of(tracker));
        FakeLink link = new FakeLink();
        sender.attach(link);
        control.phase(RunControl.Phase.WARMUP);
        sender.start();
        await(() -> link.sent.size() == 10, "the first window");
        assertHoldsFor(200, () -> link.sent.size() == 10, "waits a while for the subscriber");
        await(() -> link.sent.size() == 20, "gives the lost window up after half a second");
    }

    @Test
    void respectsTheInflightWindowAndMarksMeasuredMessages() throws InterruptedException {
        Sender sender = new Sender(3, control, 0, 0, false);
        FakeLink link = new FakeLink();
        link.window.set(3);
        sender.attach(link);
        control.phase(RunControl.Phase.WARMUP);
        sender.start();
        await(() -> link.sent.size() == 3, "a full window");
        assertHoldsFor(30, () -> link.sent.size() == 3, "no more than the inflight window");
        control.phase(RunControl.Phase.MEASURE);
        link.inflight.addAndGet(-2); // two acknowledgements
        sender.requestPump();
        await(() -> link.sent.size() == 5, "two more");
        assertEquals(0, link.sent.get(2)[2], "warm-up message");
        assertEquals(1, link.sent.get(3)[2], "measured message");
        assertEquals(3, sender.firstMeasured());
        assertEquals(2, sender.measuredSent());
        assertEquals(3, sender.inflight());
    }

    @Test
    void fixedRateStampsTheIntendedSendTimes() throws InterruptedException {
        Sender sender = new Sender(0, control, 1000, 0, false);
        FakeLink link = new FakeLink();
        sender.attach(link);
        control.phase(RunControl.Phase.WARMUP);
        long started = System.nanoTime();
        sender.start();
        await(() -> link.sent.size() >= 300, "300 messages");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        control.phase(RunControl.Phase.DRAIN);
        int count = link.sent.size();
        assertTrue(elapsedMillis >= 250, "300 at 1000/s cannot go out in " + elapsedMillis + " ms");
        for (int i = 1; i < count; i++) {
            assertEquals(1_000_000L, link.sent.get(i)[1] - link.sent.get(i - 1)[1],
                    "timestamps are the schedule, 1 ms apart, whenever the message actually left");
            assertEquals(i, link.sent.get(i)[0]);
        }
    }

    @Test
    void stopsAtItsLimitAndFinishesOnceEverythingIsAcknowledged() throws Exception {
        Sender sender = new Sender(0, control, 0, 0, false);
        sender.limit(25);
        FakeLink link = new FakeLink();
        link.window.set(10);
        sender.attach(link);
        control.phase(RunControl.Phase.MEASURE);
        sender.start();
        int acknowledged = 0;
        while (true) {
            int due = Math.min(25, acknowledged + 10);
            await(() -> link.sent.size() == due, due + " messages: a full window or the limit");
            if (due == 25) {
                break;
            }
            // The window is full, so the sender waits for this: the broker acknowledges it all.
            acknowledged = due;
            link.inflight.set(0);
            sender.requestPump();
        }
        // The pump that sent the last five saw them in flight; nothing has pumped since.
        assertFalse(sender.finished().isDone(), "five unacknowledged");
        link.inflight.set(0);
        sender.requestPump();
        await(() -> sender.finished().isDone(), "finished once the last acknowledgement pumped");
        assertEquals(25, link.sent.size(), "never beyond the limit");
        assertEquals(25, sender.sent());
        assertEquals(24, link.sent.get(24)[0]);
    }
}
