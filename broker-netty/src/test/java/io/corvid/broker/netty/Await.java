package io.corvid.broker.netty;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline, for state that offers nothing to block on. */
final class Await {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails with {@code what} after {@link #TIMEOUT}. */
    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting for " + what);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    /** Waits for every thread to end; fails naming the ones still alive after {@link #TIMEOUT}. */
    static void threadsEnded(Iterable<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (Thread thread : threads) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            thread.join(left);
            if (thread.isAlive()) {
                throw new AssertionError("thread " + thread.getName() + " still alive after " + TIMEOUT);
            }
        }
    }
}
