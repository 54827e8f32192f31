package io.corvid.broker.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for something to happen, with a timeout, and fails the test when it does not. Never
 * a fixed sleep: conditions are polled every few milliseconds and the wait ends as soon as they
 * hold.
 */
public final class Await {
    /** How long anything that should happen promptly may take before the test fails. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Await() {
    }

    /** Waits until {@code condition} holds. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, TIMEOUT, condition);
    }

    /** Waits until {@code condition} holds, for at most {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    /** Waits for a latch to reach zero. */
    public static void latch(String what, CountDownLatch latch) {
        latch(what, latch, TIMEOUT);
    }

    /** Waits for a latch to reach zero, for at most {@code timeout}. */
    public static void latch(String what, CountDownLatch latch, Duration timeout) {
        try {
            if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + what + " (" + latch.getCount()
                        + " still to come)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    /** Waits for the next element of a queue. */
    public static <T> T next(String what, BlockingQueue<T> queue) {
        return next(what, queue, TIMEOUT);
    }

    /** Waits for the next element of a queue, for at most {@code timeout}. */
    public static <T> T next(String what, BlockingQueue<T> queue, Duration timeout) {
        try {
            T value = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (value == null) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    /** Waits for a future and returns its value; fails on timeout or exceptional completion. */
    public static <T> T result(String what, CompletableFuture<T> future) {
        return result(what, future, TIMEOUT);
    }

    /** Waits for a future for at most {@code timeout} and returns its value. */
    public static <T> T result(String what, CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return fail("timed out after " + timeout.toMillis() + " ms waiting for " + what);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    /** Waits for a future that is expected to fail, and returns its cause. */
    public static Throwable failure(String what, CompletableFuture<?> future) {
        try {
            Object value = future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return fail(what + " was expected to fail but completed with " + value);
        } catch (TimeoutException e) {
            return fail("timed out after " + TIMEOUT.toMillis() + " ms waiting for " + what + " to fail");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }
}
