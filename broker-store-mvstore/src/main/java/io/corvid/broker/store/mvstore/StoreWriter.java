package io.corvid.broker.store.mvstore;

import io.corvid.broker.MetricsRecorder;
import io.corvid.broker.store.mvstore.WriteTask.Callback;
import io.corvid.broker.store.mvstore.WriteTask.Change;
import io.corvid.broker.store.mvstore.WriteTask.Close;
import io.corvid.broker.store.mvstore.WriteTask.Job;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes the store, in group commits. Callers only enqueue; the thread
 * takes everything queued and, in batches of up to {@value #MAX_BATCH_TASKS} tasks or
 * {@value #MAX_BATCH_BYTES} bytes, applies the changes to the maps in queue order, commits once
 * (and forces the file to disk in {@link Durability#FSYNC} mode), then runs the callbacks and
 * completes the jobs of that batch in queue order. The next batch gathers in the queue
 * meanwhile; there is no timer and no delay.
 *
 * <p>A callback runs exactly once, even when its batch fails to commit; the failure is logged
 * first (see {@link FailureLog}). After a failed commit MVStore has closed the file: later
 * changes are counted as lost, later callbacks still run.
 */
final class StoreWriter {
    static final int MAX_BATCH_TASKS = 16_384;
    static final int MAX_BATCH_BYTES = 16 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(MvStoreSessionStore.class);
    private static final int CLOSE_COMPACTION_MILLIS = 1_000;

    /**
     * Counters of the writer's work, for measurements and tests: {@code changes} handed over and
     * done, of which {@code superseded} needed no write because a later change of the same record
     * came in the same batch (see {@link Supersession}).
     */
    record Stats(long batches, long changes, long superseded, long commits, long commitNanos, long compactions) {
    }

    private final StoreMaps maps;
    private final Durability durability;
    private final Compaction compaction;
    private final FailureLog failures;
    private final TaskQueue queue = new TaskQueue();
    private final Thread thread;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean terminated;
    private boolean broken;
    // Written by the writer thread only; volatile so that stats() sees them from any thread.
    private volatile long batchCount;
    private volatile long changeCount;
    private volatile long supersededCount;
    private volatile long commitCount;
    private volatile long commitNanos;
    /** Told of every commit, or {@code null}. */
    private volatile MetricsRecorder recorder;
    private volatile long compactionCount;

    StoreWriter(StoreMaps maps, Durability durability) {
        this.maps = maps;
        this.durability = durability;
        this.compaction = new Compaction(maps);
        this.failures = new FailureLog(maps.file);
        this.thread = new Thread(this::run, "corvid-session-store");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Hands a change over; throws once the store is closing. */
    void change(Change change) {
        if (closing.get()) {
            throw new IllegalStateException("Session store " + maps.file + " is closed");
        }
        offer(change);
    }

    /** Runs {@code callback} once everything handed over before it is committed. */
    void whenDurable(Runnable callback) {
        offer(new Callback(callback));
    }

    /** Runs {@code work} on the writer thread, in queue order; the result comes once its batch is committed. */
    <T> CompletableFuture<T> submit(Function<StoreMaps, T> work) {
        if (closing.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("Session store " + maps.file
                    + " is closed"));
        }
        Job<T> job = new Job<>(work, new CompletableFuture<>());
        offer(job);
        return job.result();
    }

    /** Commits what is queued, closes the file and stops the thread; waits for it unless called on it. */
    void close() {
        if (closing.compareAndSet(false, true)) {
            offer(new Close(closed));
        }
        if (Thread.currentThread() != thread) {
            closed.join();
        }
    }

    Stats stats() {
        return new Stats(batchCount, changeCount, supersededCount, commitCount, commitNanos, compactionCount);
    }

    private void offer(WriteTask task) {
        queue.add(task, task instanceof Change change ? change.size() : 0);
        if (terminated) {
            // The thread has gone: whoever finds a task left behind handles it.
            drainAbandoned();
        }
    }

    // ------------------------------------------------------------ the writer thread

    private void run() {
        ArrayList<WriteTask> spare = new ArrayList<>();
        boolean running = true;
        while (running) {
            ArrayList<WriteTask> tasks = spare;
            try {
                tasks = queue.takeAll(spare, broken ? -1 : compaction.nanosUntilDue(System.nanoTime()));
                if (tasks.isEmpty()) {
                    maintain();
                    continue;
                }
                boolean oneBatch = tasks.size() <= MAX_BATCH_TASKS && queue.takenBytes() < MAX_BATCH_BYTES;
                int from = 0;
                while (running && from < tasks.size()) {
                    int to = oneBatch ? tasks.size() : batchEnd(tasks, from);
                    running = !process(tasks.subList(from, to));
                    from = to;
                }
                if (!running) {
                    abandoned(tasks.subList(from, tasks.size()));
                }
            } catch (InterruptedException e) {
                // Nobody interrupts this private thread; carry on.
                LOG.debug("Session store writer interrupted");
            } catch (RuntimeException | Error e) {
                LOG.error("Session store {}: unexpected failure of the writer thread", maps.file, e);
            } finally {
                tasks.clear();
                spare = tasks;
            }
        }
    }

    /** Where the batch that starts at {@code from} ends: the size and byte bounds keep commits, and waits, short. */
    private static int batchEnd(List<WriteTask> tasks, int from) {
        int end = Math.min(tasks.size(), from + MAX_BATCH_TASKS);
        long bytes = 0;
        for (int i = from; i < end; i++) {
            if (tasks.get(i) instanceof Change change) {
                bytes += change.size();
                if (bytes >= MAX_BATCH_BYTES) {
                    return i + 1;
                }
            }
        }
        return end;
    }

    /** Applies, commits and completes one batch; returns true if it held the close task. */
    private boolean process(List<WriteTask> batch) {
        List<Runnable> after = new ArrayList<>();
        Close close = null;
        int changes = 0;
        int failed = 0;
        int skipped = 0;
        boolean dirty = false;
        RuntimeException failure = null;
        BitSet superseded = Supersession.superseded(batch);
        try {
            for (int i = 0; i < batch.size(); i++) {
                WriteTask task = batch.get(i);
                if (task instanceof Change change) {
                    if (broken) {
                        failed++;
                        continue;
                    }
                    if (superseded.get(i)) {
                        changes++;
                        skipped++;
                        continue;
                    }
                    try {
                        change.apply(maps);
                        changes++;
                    } catch (RuntimeException e) {
                        failed++;
                        failure = failure == null ? e : failure;
                    }
                } else if (task instanceof Callback callback) {
                    after.add(callback.callback());
                } else if (task instanceof Job<?> job) {
                    after.add(broken ? () -> job.result().completeExceptionally(brokenException()) : job.run(maps));
                    dirty = true;
                } else if (task instanceof Close closeTask) {
                    close = closeTask;
                }
            }
            if (failed > 0) {
                failures.failed(broken ? "the store stopped after a failed commit" : "changes could not be applied",
                        failed, failure != null ? failure : brokenException());
            }
            if ((changes > 0 || dirty) && !broken) {
                commit(changes);
            }
        } finally {
            runAll(after);
            batchCount++;
            changeCount += changes;
            supersededCount += skipped;
        }
        if (close != null) {
            closeStore();
            // From here on, whoever hands a task over handles it: close() returns only after this.
            terminated = true;
            drainAbandoned();
            close.done().complete(null);
            return true;
        }
        maintain();
        return false;
    }

    /** Reports every commit from now on to {@code recorder}. */
    void metricsRecorder(MetricsRecorder recorder) {
        this.recorder = recorder;
    }

    private void commit(int changes) {
        long start = System.nanoTime();
        try {
            maps.store.commit();
            if (durability == Durability.FSYNC) {
                maps.store.sync();
            }
            long end = System.nanoTime();
            commitCount++;
            commitNanos += end - start;
            MetricsRecorder observer = recorder;
            if (observer != null) {
                observer.storeCommit(end - start, changes);
            }
            compaction.written(end);
        } catch (RuntimeException e) {
            broken = true;
            failures.failed("commit failed", changes, e);
        }
    }

    private void maintain() {
        if (broken) {
            return;
        }
        try {
            compaction.runIfDue(System.nanoTime());
        } catch (RuntimeException e) {
            broken = maps.store.isClosed();
            failures.failed("compaction failed", 0, e);
        }
        compactionCount = compaction.runs();
    }

    private void closeStore() {
        try {
            if (broken) {
                maps.store.closeImmediately();
            } else {
                maps.store.close(CLOSE_COMPACTION_MILLIS);
                StoreFiles.syncClosed(maps.file);
                LOG.info("Closed session store {} after {} changes ({} superseded within their batch) in {} commits"
                        + " of {} ms on average", maps.file, changeCount, supersededCount, commitCount,
                        commitCount == 0 ? 0 : String.format("%.3f", commitNanos / 1e6 / commitCount));
            }
        } catch (RuntimeException e) {
            failures.failed("closing failed", 0, e);
            maps.store.closeImmediately();
        } finally {
            StoreFiles.released(maps);
        }
    }

    private IllegalStateException brokenException() {
        return new IllegalStateException("Session store " + maps.file + " stopped after a failed commit");
    }

    private static void runAll(List<Runnable> callbacks) {
        for (Runnable callback : callbacks) {
            runQuietly(callback);
        }
    }

    private static void runQuietly(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            LOG.error("A session store callback failed", e);
        }
    }

    /** Tasks handed over after the thread stopped: callbacks run, jobs fail, changes are lost. */
    private void drainAbandoned() {
        abandoned(queue.takeAll());
    }

    private void abandoned(List<WriteTask> tasks) {
        int lost = 0;
        for (WriteTask task : tasks) {
            if (task instanceof Callback callback) {
                runQuietly(callback.callback());
            } else if (task instanceof Job<?> job) {
                job.result().completeExceptionally(new IllegalStateException("Session store " + maps.file
                        + " is closed"));
            } else if (task instanceof Change) {
                lost++;
            }
        }
        if (lost > 0) {
            LOG.warn("Session store {}: {} changes handed over after it closed were not stored", maps.file, lost);
        }
    }
}
