package io.corvid.broker.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a target executor that can change over
 * time. This is how a session's state stays single-threaded without locks: while a client is
 * connected the target is its connection's event loop, so deliveries from publishers on other
 * threads queue here and run on the loop that writes to the socket; while it is offline the
 * target is a shared background executor.
 *
 * <p>Tasks run in batches; after each batch a hook runs (the session flushes its connection
 * there), so a burst of deliveries costs one flush, not one per message.
 */
public final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    private static final int BATCH_SIZE = 256;

    private static final VarHandle SCHEDULED;

    static {
        try {
            SCHEDULED = MethodHandles.lookup().findVarHandle(SerialExecutor.class, "scheduled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /**
     * Whether a batch is submitted or running. A field updated through a VarHandle rather than
     * an AtomicBoolean: every connection has an executor, and an idle one should cost little.
     */
    private volatile boolean scheduled;
    private final Runnable drainTask = this::drain;
    private final Executor fallback;
    private final Runnable afterBatch;
    private volatile Executor target;

    /**
     * @param target     where tasks run at first
     * @param fallback   where tasks run if the target refuses them (an event loop shutting down)
     * @param afterBatch run after every batch of tasks, inside the executor
     */
    public SerialExecutor(Executor target, Executor fallback, Runnable afterBatch) {
        this.target = target;
        this.fallback = fallback;
        this.afterBatch = afterBatch;
    }

    @Override
    public void execute(Runnable task) {
        tasks.offer(task);
        if (SCHEDULED.compareAndSet(this, false, true)) {
            schedule();
        }
    }

    /**
     * Queues a task without asking the target to run: it runs with the next batch that
     * {@link #execute} or {@link #kick} starts. For work that may wait, such as deliveries to a
     * client that takes no bytes: each would otherwise wake its event loop only to queue a message.
     */
    public void executeLater(Runnable task) {
        tasks.offer(task);
    }

    /** Starts a batch if tasks wait and none is under way. */
    public void kick() {
        if (!tasks.isEmpty() && SCHEDULED.compareAndSet(this, false, true)) {
            schedule();
        }
    }

    /**
     * Moves future batches to another executor. Call it from inside a task: the current batch
     * stops after that task and the rest runs on the new target.
     */
    public void retarget(Executor newTarget) {
        this.target = newTarget;
    }

    private void schedule() {
        try {
            target.execute(drainTask);
        } catch (RejectedExecutionException e) {
            fallback.execute(drainTask);
        }
    }

    private void drain() {
        Executor runningOn = target;
        boolean retargeted = false;
        try {
            for (int count = 0; count < BATCH_SIZE; count++) {
                Runnable task = tasks.poll();
                if (task == null) {
                    break;
                }
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.error("Session task failed; the session continues", e);
                }
                if (target != runningOn) {
                    retargeted = true;
                    break;
                }
            }
            if (!retargeted) {
                try {
                    afterBatch.run();
                } catch (RuntimeException e) {
                    LOG.error("Session batch hook failed", e);
                }
            }
        } finally {
            scheduled = false;
            if (!tasks.isEmpty() && SCHEDULED.compareAndSet(this, false, true)) {
                schedule();
            }
        }
    }
}
