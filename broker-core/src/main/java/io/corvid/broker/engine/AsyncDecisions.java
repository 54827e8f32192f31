package io.corvid.broker.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a plug-in's answer into one that always arrives: the stage's value, or the fallback
 * when the stage fails, answers {@code null}, or takes longer than the plug-in timeout.
 */
final class AsyncDecisions {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncDecisions.class);

    private AsyncDecisions() {
    }

    /**
     * Calls a plug-in; a plug-in that throws instead of returning a stage counts as a failed
     * stage, so it meets the same fallback.
     */
    static <T> CompletionStage<T> call(java.util.function.Supplier<CompletionStage<T>> plugIn) {
        try {
            CompletionStage<T> stage = plugIn.get();
            return stage != null ? stage : CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static <T> CompletableFuture<T> toFuture(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            CompletableFuture<T> copy = new CompletableFuture<>();
            stage.whenComplete((value, error) -> {
                if (error != null) {
                    copy.completeExceptionally(error);
                } else {
                    copy.complete(value);
                }
            });
            return copy;
        }
    }

    /**
     * A future that completes with the decision or the fallback. Already-completed stages
     * (every synchronous plug-in) give an already-completed future, so callers can go on at
     * once without a thread hop.
     */
    static <T> CompletableFuture<T> guarded(CompletionStage<T> stage, T fallback, Duration timeout, String what) {
        return guarded(stage, fallback, timeout, () -> what);
    }

    /**
     * The value of a stage that already holds a usable answer (completed normally, not
     * {@code null}), or {@code null} when the answer is not there yet or needs the fallback.
     * This is the path every synchronous plug-in takes: no further objects are made.
     */
    static <T> T immediateValue(CompletionStage<T> stage) {
        if (stage instanceof CompletableFuture<T> future && future.isDone() && !future.isCompletedExceptionally()) {
            return future.getNow(null);
        }
        return null;
    }

    /** As {@link #guarded(CompletionStage, Object, Duration, String)}, describing the decision only if it is logged. */
    static <T> CompletableFuture<T> guarded(CompletionStage<T> stage, T fallback, Duration timeout,
                                            java.util.function.Supplier<String> whatLazily) {
        CompletableFuture<T> source = toFuture(stage);
        CompletableFuture<T> result = source.handle((value, error) -> {
            if (error != null) {
                LOG.warn("{} failed; applying the fallback ({})", whatLazily.get(), fallback, error);
                return fallback;
            }
            if (value == null) {
                LOG.warn("{} answered null; applying the fallback ({})", whatLazily.get(), fallback);
                return fallback;
            }
            return value;
        });
        if (!result.isDone()) {
            result.completeOnTimeout(fallback, timeout.toMillis(), TimeUnit.MILLISECONDS);
            result.thenRun(() -> {
                // Logged here rather than in a timer so that a late answer after a timeout is visible too.
                if (!source.isDone()) {
                    LOG.warn("{} did not answer within {} ms; applied the fallback ({})", whatLazily.get(),
                            timeout.toMillis(), fallback);
                }
            });
        }
        return result;
    }
}
