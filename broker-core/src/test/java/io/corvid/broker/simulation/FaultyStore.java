package io.corvid.broker.simulation;

import io.corvid.broker.SessionStore;
import io.corvid.broker.store.InMemorySessionStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A {@link SessionStore} test double for the simulation: {@link InMemorySessionStore} underneath
 * (it survives an engine restart when the next engine is given the same one), with two faults a
 * durable store has.
 *
 * <ul>
 *   <li>Durability comes later: {@link #whenDurable} callbacks run on a writer lane of the
 *       simulation after a random group-commit delay, all waiting callbacks of a commit in the
 *       order of the calls, as the store contract asks; the engine's acknowledgements wait for them.</li>
 *   <li>Writes fail: while {@link #failing(double)} is set, each write throws with that
 *       probability and changes nothing. The engine must log it and carry on with its memory;
 *       what a failed write loses shows only after a restart.</li>
 * </ul>
 *
 * <p>Every decision comes from the seeded random and every delay is virtual, so a seed replays.
 */
final class FaultyStore implements SessionStore {
    private final InMemorySessionStore backing;
    private final Random random;
    private final CommitTimer commitTimer;
    private final long maxCommitDelayNanos;
    private final List<Runnable> awaitingCommit = new ArrayList<>();
    private double failureProbability;
    private int failuresInjected;
    /** Clients a write failed for: what the store holds of their sessions may differ from the broker's memory. */
    private final Set<String> failedClients = new LinkedHashSet<>();
    private boolean commitScheduled;
    private boolean closed;

    /**
     * Runs a commit after a delay of virtual time, on the simulation's store writer lane; with
     * the simulation's scheduler: {@code (delay, commit) -> scheduler.schedule(writerLane, commit, delay, 0)}.
     */
    @FunctionalInterface
    interface CommitTimer {
        void after(long delayNanos, Runnable commit);
    }

    /**
     * @param backing             what survives restarts (the same instance for every engine of a run)
     * @param random              the run's seeded random (or one derived from the seed)
     * @param commitTimer         where and when commits run
     * @param maxCommitDelayNanos the longest a commit waits, in virtual time (0: at the next task of the writer)
     */
    FaultyStore(InMemorySessionStore backing, Random random, CommitTimer commitTimer, long maxCommitDelayNanos) {
        this.backing = backing;
        this.random = random;
        this.commitTimer = commitTimer;
        this.maxCommitDelayNanos = maxCommitDelayNanos;
    }

    /** Makes each write fail with {@code probability} from now on (0 turns failures off). */
    void failing(double probability) {
        this.failureProbability = probability;
    }

    /** How many writes were made to fail. A run with any cannot promise what survives a restart. */
    int failuresInjected() {
        return failuresInjected;
    }

    /** The clients for which a write failed: after a restart, their sessions may not be as the broker left them. */
    Set<String> clientsWithFailedWrites() {
        return failedClients;
    }

    private void maybeFail(String operation, String clientId) {
        if (failureProbability > 0 && random.nextDouble() < failureProbability) {
            failuresInjected++;
            if (clientId != null) {
                failedClients.add(clientId);
            }
            throw new InjectedFailure("injected store failure: " + operation);
        }
    }

    /**
     * The exception a failed write throws. Without a stack trace: the engine logs each failure
     * with its exception, and thousands of traces would only bury the run's output.
     */
    static final class InjectedFailure extends IllegalStateException {
        InjectedFailure(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    @Override
    public State load() {
        return backing.load();
    }

    @Override
    public void saveSession(StoredSession session) {
        maybeFail("saveSession " + session.clientId(), session.clientId());
        backing.saveSession(session);
    }

    @Override
    public void removeSession(String clientId) {
        maybeFail("removeSession " + clientId, clientId);
        backing.removeSession(clientId);
    }

    @Override
    public void saveMessage(String clientId, StoredMessage message) {
        maybeFail("saveMessage " + clientId, clientId);
        backing.saveMessage(clientId, message);
    }

    @Override
    public void removeMessage(String clientId, long sequence) {
        maybeFail("removeMessage " + clientId, clientId);
        backing.removeMessage(clientId, sequence);
    }

    @Override
    public void saveRetained(StoredMessage message) {
        maybeFail("saveRetained " + message.topic(), null);
        backing.saveRetained(message);
    }

    @Override
    public void removeRetained(String topic) {
        maybeFail("removeRetained " + topic, null);
        backing.removeRetained(topic);
    }

    @Override
    public void whenDurable(Runnable callback) {
        if (closed) {
            callback.run();
            return;
        }
        awaitingCommit.add(callback);
        if (!commitScheduled) {
            commitScheduled = true;
            long delay = maxCommitDelayNanos == 0 ? 0 : (long) (random.nextDouble() * maxCommitDelayNanos);
            commitTimer.after(delay, this::commit);
        }
    }

    /** A group commit: every callback waiting, in the order of the calls. */
    private void commit() {
        commitScheduled = false;
        List<Runnable> committed = new ArrayList<>(awaitingCommit);
        awaitingCommit.clear();
        for (Runnable callback : committed) {
            callback.run();
        }
    }

    /** Commits what waits, at once: the engine closes its store when it stops, and the contract runs every callback. */
    @Override
    public void close() {
        closed = true;
        commit();
    }

    /** How many callbacks wait for a commit (for tests). */
    int awaitingCommit() {
        return awaitingCommit.size();
    }
}
