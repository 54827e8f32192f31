package io.corvid.broker.simulation;

import io.corvid.broker.engine.EngineClock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One seeded, single-threaded scheduler with a virtual clock for everything a simulation runs:
 * each {@link Lane} stands for one thread (an event loop, the engine's session thread, a client)
 * and runs its tasks in order; which lane runs next is chosen by the seeded random, so a seed
 * fixes the interleaving. Timers fire only when the test moves virtual time on.
 */
final class DeterministicScheduler implements EngineClock {
    /** Virtual wall-clock time at virtual nanosecond 0 (any fixed value keeps runs replayable). */
    private static final long EPOCH_MILLIS = 1_800_000_000_000L;
    /** Past this many tasks without quiet, the run is declared a livelock. */
    private static final long MAX_TASKS_TO_QUIET = 2_000_000;

    private final Random random;
    /**
     * Lanes with work, kept in creation order: the engine hands work to several lanes in the
     * iteration order of identity-hashed sets, which differs between JVM runs; picking by position
     * in a canonical order makes the interleaving depend on the seed alone.
     */
    private final List<Lane> ready = new ArrayList<>();
    private int lanesCreated;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final List<Throwable> failures = new ArrayList<>();
    private long nowNanos;
    private long sequence;
    private long tasksRun;

    DeterministicScheduler(Random random) {
        this.random = random;
    }

    @Override
    public long nanoTime() {
        return nowNanos;
    }

    @Override
    public long currentTimeMillis() {
        return EPOCH_MILLIS + TimeUnit.NANOSECONDS.toMillis(nowNanos);
    }

    Lane lane(String name) {
        return new Lane(name);
    }

    /** Exceptions that escaped a task: each is a failure of the run. */
    List<Throwable> failures() {
        return failures;
    }

    long tasksRun() {
        return tasksRun;
    }

    /** Runs one task of a randomly chosen lane; false when no lane has work. */
    boolean step() {
        if (ready.isEmpty()) {
            return false;
        }
        int index = random.nextInt(ready.size());
        Lane lane = ready.get(index);
        Runnable task = lane.queue.poll();
        if (lane.queue.isEmpty()) {
            ready.remove(index);
        }
        tasksRun++;
        try {
            task.run();
        } catch (RuntimeException | AssertionError e) {
            failures.add(e);
        }
        return true;
    }

    /** Runs up to {@code steps} tasks. */
    void run(int steps) {
        for (int i = 0; i < steps && step(); i++) {
            // each step runs one task
        }
    }

    /** Runs tasks until no lane has work (timers stay pending). */
    void runUntilQuiet() {
        long start = tasksRun;
        while (step()) {
            if (tasksRun - start > MAX_TASKS_TO_QUIET) {
                throw new AssertionError("no quiet after " + MAX_TASKS_TO_QUIET + " tasks: livelock");
            }
        }
    }

    /** Moves virtual time on by {@code nanos}, firing due timers in order, each followed by quiet. */
    void advance(long nanos) {
        long target = nowNanos + nanos;
        runUntilQuiet();
        while (true) {
            Timer next = timers.peek();
            if (next == null || next.dueNanos > target) {
                break;
            }
            timers.poll();
            if (next.cancelled || next.lane.dead) {
                continue;
            }
            nowNanos = Math.max(nowNanos, next.dueNanos);
            next.lane.execute(next::fire);
            runUntilQuiet();
        }
        nowNanos = target;
    }

    Timer schedule(Lane lane, Runnable task, long delayNanos, long periodNanos) {
        Timer timer = new Timer(lane, task, nowNanos + Math.max(0, delayNanos), periodNanos, sequence++);
        timers.add(timer);
        return timer;
    }

    /**
     * A queue of tasks run in order, as one thread would. A lane that is {@linkplain #kill killed}
     * is a thread that died with its process: its queued tasks and timers never run, and what is
     * handed to it later is dropped.
     */
    final class Lane implements Executor {
        final String name;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean dead;

        private final int id;

        private Lane(String name) {
            this.name = name;
            this.id = lanesCreated++;
        }

        @Override
        public void execute(Runnable task) {
            if (dead) {
                return;
            }
            if (queue.isEmpty()) {
                int low = 0;
                int high = ready.size();
                while (low < high) {
                    int middle = (low + high) >>> 1;
                    if (ready.get(middle).id < id) {
                        low = middle + 1;
                    } else {
                        high = middle;
                    }
                }
                ready.add(low, this);
            }
            queue.add(task);
        }

        /** The thread dies (its process crashed): queued tasks and timers are dropped, later tasks too. */
        void kill() {
            dead = true;
            if (!queue.isEmpty()) {
                queue.clear();
                ready.remove(this);
            }
        }

        boolean isDead() {
            return dead;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A timer on virtual time; periodic ones re-arm themselves after each run. */
    final class Timer implements ScheduledFuture<Object> {
        private final Lane lane;
        private final Runnable task;
        private final long periodNanos;
        private long dueNanos;
        private long order;
        private volatile boolean cancelled;
        private boolean done;

        private Timer(Lane lane, Runnable task, long dueNanos, long periodNanos, long order) {
            this.lane = lane;
            this.task = task;
            this.dueNanos = dueNanos;
            this.periodNanos = periodNanos;
            this.order = order;
        }

        private void fire() {
            if (cancelled || lane.dead) {
                return;
            }
            try {
                task.run();
            } finally {
                if (periodNanos > 0 && !cancelled) {
                    dueNanos = nowNanos + periodNanos;
                    order = sequence++;
                    timers.add(this);
                } else {
                    done = true;
                }
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - nowNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Timer that = (Timer) other;
            int byDue = Long.compare(dueNanos, that.dueNanos);
            return byDue != 0 ? byDue : Long.compare(order, that.order);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean wasPending = !cancelled && !done;
            cancelled = true;
            return wasPending;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException("the simulation never blocks");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException("the simulation never blocks");
        }
    }

    /** The engine's scheduler, as an executor service on one lane of this scheduler. */
    ScheduledExecutorService executorService(Lane lane) {
        return new LaneExecutorService(lane);
    }

    /**
     * As the engine's production scheduler is configured: tasks already queued still run after
     * {@link #shutdown()}, timers (periodic or not) are dropped, so none of them fires once the
     * engine that set them has stopped.
     */
    private final class LaneExecutorService extends AbstractExecutorService implements ScheduledExecutorService {
        private final Lane lane;
        private final List<Timer> scheduled = new ArrayList<>();
        private boolean shutdown;

        private LaneExecutorService(Lane lane) {
            this.lane = lane;
        }

        private void checkOpen() {
            if (shutdown) {
                throw new RejectedExecutionException("shut down");
            }
        }

        @Override
        public void execute(Runnable command) {
            checkOpen();
            lane.execute(command);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            checkOpen();
            return track(DeterministicScheduler.this.schedule(lane, command, unit.toNanos(delay), 0));
        }

        private Timer track(Timer timer) {
            scheduled.removeIf(Timer::isDone);
            scheduled.add(timer);
            return timer;
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException("the engine schedules Runnables only");
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period,
                                                      TimeUnit unit) {
            checkOpen();
            return track(DeterministicScheduler.this.schedule(lane, command, unit.toNanos(initialDelay),
                    unit.toNanos(period)));
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                         TimeUnit unit) {
            return scheduleAtFixedRate(command, initialDelay, delay, unit);
        }

        @Override
        public void shutdown() {
            shutdown = true;
            for (Timer timer : scheduled) {
                timer.cancel(false);
            }
            scheduled.clear();
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown();
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
