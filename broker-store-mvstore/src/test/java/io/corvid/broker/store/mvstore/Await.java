package io.corvid.broker.store.mvstore;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition, with a timeout, polling every few milliseconds: never a fixed sleep. */
final class Await {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        until(what, TIMEOUT, condition);
    }

    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    static void latch(String what, CountDownLatch latch) {
        try {
            if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("timed out waiting for " + what + " (" + latch.getCount() + " still to come)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    /** Registers a callback with the store and waits until it has run. */
    static void durable(MvStoreSessionStore store) {
        CountDownLatch done = new CountDownLatch(1);
        store.whenDurable(done::countDown);
        latch("the store to commit", done);
    }
}
