package io.corvid.broker.simulation;

import io.corvid.broker.SessionStore;
import io.corvid.broker.store.InMemorySessionStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link SessionStore} test double for the simulation: {@link InMemorySessionStore} underneath
 * holds what is committed (it survives an engine restart when the next engine is given the same
 * one), with the faults a durable store has.
 *
 * <ul>
 *   <li>Durability comes later: writes wait for a group commit, which runs on a writer lane of
 *       the simulation after a random delay of virtual time; the commit applies them in order,
 *       then runs the waiting {@link #whenDurable} callbacks in the order of the calls, as the
 *       store contract asks. The engine's acknowledgements wait for them.</li>
 *   <li>Writes fail: while {@link #failing(double)} is set, each write throws with that
 *       probability and changes nothing. The engine must log it and carry on with its memory;
 *       what a failed write loses shows only after a restart.</li>
 *   <li>The broker's process dies ({@link #crash(boolean)}): writes handed over survive, as in
 *       the operating system's cache, and callbacks still waiting never run; or the machine
 *       loses power and the writes not committed yet are lost too.</li>
 * </ul>
 *
 * <p>Every decision comes from the seeded random and every delay is virtual, so a seed replays.
 */
final class FaultyStore implements SessionStore {
    private final InMemorySessionStore backing;
    private final Random random;
    private final CommitTimer commitTimer;
    private final long maxCommitDelayNanos;
    /** Writes handed over since the last commit, in order, with the client each is for ({@code null}: retained). */
    private final List<Write> uncommitted = new ArrayList<>();
    private final List<Runnable> awaitingCommit = new ArrayList<>();
    private double failureProbability;
    private int failuresInjected;
    /** Clients a write failed for: what the store holds of their sessions may differ from the broker's memory. */
    private final Set<String> failedClients = new LinkedHashSet<>();
    private boolean commitScheduled;
    private boolean closed;
    private boolean crashed;

    /**
     * One write handed over.
     *
     * @param clientId        the client it is for, {@code null} for retained messages
     * @param harmlessToLose   whether a broker restarted without it still keeps every promise: a
     *                        message stored for the first time (losing it loses the message, which
     *                        is right only if nobody acknowledged it, and the ledger checks that), a
     *                        removed message (it comes back: a QoS 1 duplicate, or a QoS 2 flow whose
     *                        PUBREL went out only once its state was durable), any QoS 1 state, a
     *                        QoS 2 message's packet identifier (its PUBLISH waits for it) and its
     *                        PUBREC (its PUBREL waits for it). Losing a session record leaves the
     *                        session in the store other than its client knows it.
     */
    private record Write(String clientId, boolean harmlessToLose, Consumer<InMemorySessionStore> change) {
    }

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

    /**
     * The broker's process died. Waiting callbacks never run. With {@code powerLoss} false the
     * writes handed over are kept (committed now, as the operating system would); with it they
     * are lost.
     *
     * @return the clients who lost writes that were not harmless to lose (empty unless {@code powerLoss})
     */
    Set<String> crash(boolean powerLoss) {
        crashed = true;
        awaitingCommit.clear();
        Set<String> lost = new LinkedHashSet<>();
        for (Write write : uncommitted) {
            if (powerLoss) {
                if (write.clientId() != null && !write.harmlessToLose()) {
                    lost.add(write.clientId());
                }
            } else {
                write.change().accept(backing);
            }
        }
        uncommitted.clear();
        return lost;
    }

    private void write(String operation, String clientId, Consumer<InMemorySessionStore> change) {
        write(operation, clientId, false, change);
    }

    private void write(String operation, String clientId, boolean harmlessToLose,
                       Consumer<InMemorySessionStore> change) {
        if (crashed) {
            throw new IllegalStateException("the store of a crashed broker was written to: " + operation);
        }
        if (failureProbability > 0 && random.nextDouble() < failureProbability) {
            failuresInjected++;
            if (clientId != null) {
                failedClients.add(clientId);
            }
            throw new InjectedFailure("injected store failure: " + operation);
        }
        uncommitted.add(new Write(clientId, harmlessToLose, change));
        scheduleCommit();
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
        write("saveSession " + session.clientId(), session.clientId(), store -> store.saveSession(session));
    }

    @Override
    public void removeSession(String clientId) {
        write("removeSession " + clientId, clientId, store -> store.removeSession(clientId));
    }

    @Override
    public void saveMessage(String clientId, StoredMessage message) {
        write("saveMessage " + clientId, clientId, true, store -> store.saveMessage(clientId, message));
    }

    @Override
    public void removeMessage(String clientId, long sequence) {
        write("removeMessage " + clientId, clientId, true, store -> store.removeMessage(clientId, sequence));
    }

    @Override
    public void saveRetained(StoredMessage message) {
        write("saveRetained " + message.topic(), null, store -> store.saveRetained(message));
    }

    @Override
    public void removeRetained(String topic) {
        write("removeRetained " + topic, null, store -> store.removeRetained(topic));
    }

    @Override
    public void whenDurable(Runnable callback) {
        if (closed) {
            callback.run();
            return;
        }
        awaitingCommit.add(callback);
        scheduleCommit();
    }

    private void scheduleCommit() {
        if (!commitScheduled) {
            commitScheduled = true;
            long delay = maxCommitDelayNanos == 0 ? 0 : (long) (random.nextDouble() * maxCommitDelayNanos);
            commitTimer.after(delay, this::commit);
        }
    }

    /** A group commit: every write handed over, then every callback waiting, in the order of the calls. */
    private void commit() {
        commitScheduled = false;
        if (crashed) {
            return;
        }
        for (Write write : uncommitted) {
            write.change().accept(backing);
        }
        uncommitted.clear();
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
