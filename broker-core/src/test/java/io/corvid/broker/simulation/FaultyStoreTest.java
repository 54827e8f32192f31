package io.corvid.broker.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.SessionStore;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.session.Delivery;
import io.corvid.broker.store.InMemorySessionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FaultyStoreTest {
    private final InMemorySessionStore backing = new InMemorySessionStore();
    /** Commits handed to the writer, with their delays: the test runs them as the clock would. */
    private final List<Runnable> commits = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private final FaultyStore.CommitTimer timer = (delay, commit) -> {
        delays.add(delay);
        commits.add(commit);
    };

    private void runCommits() {
        List<Runnable> due = new ArrayList<>(commits);
        commits.clear();
        due.forEach(Runnable::run);
    }

    private static SessionStore.StoredMessage retained(String topic) {
        return new SessionStore.StoredMessage(0, topic, new byte[] {1}, QoS.AT_LEAST_ONCE, true, Properties.EMPTY,
                null, Long.MAX_VALUE, Delivery.NO_IDENTIFIERS, 0, false);
    }

    @Test
    void durabilityCallbacksWaitForTheGroupCommitAndKeepTheirOrder() {
        FaultyStore store = new FaultyStore(backing, new Random(2), timer, TimeUnit.MILLISECONDS.toNanos(5));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            store.whenDurable(() -> order.add(n));
        }
        assertTrue(order.isEmpty(), "nothing is durable before the commit");
        assertEquals(1, commits.size(), "one group commit for the callbacks waiting together");
        assertTrue(delays.get(0) >= 0 && delays.get(0) < TimeUnit.MILLISECONDS.toNanos(5));
        runCommits();
        assertEquals(List.of(0, 1, 2, 3, 4), order);
        store.whenDurable(() -> order.add(5));
        assertEquals(1, commits.size(), "the next callback starts the next commit");
        runCommits();
        assertEquals(List.of(0, 1, 2, 3, 4, 5), order);
    }

    @Test
    void closingCommitsWhatWaits() {
        FaultyStore store = new FaultyStore(backing, new Random(2), timer, TimeUnit.SECONDS.toNanos(1));
        List<Integer> order = new ArrayList<>();
        store.whenDurable(() -> order.add(1));
        store.close();
        assertEquals(List.of(1), order);
    }

    @Test
    void aFailedWriteThrowsAndChangesNothing() {
        FaultyStore store = new FaultyStore(backing, new Random(3), timer, 0);
        store.failing(1.0);
        assertThrows(IllegalStateException.class, () -> store.saveRetained(retained("a")));
        assertEquals(0, backing.retainedCount());
        assertEquals(1, store.failuresInjected());
        store.failing(0);
        store.saveRetained(retained("a"));
        assertEquals(0, backing.retainedCount(), "not committed yet");
        runCommits();
        assertEquals(1, backing.retainedCount());
    }

    @Test
    void aProcessCrashKeepsWhatWasHandedOverAndRunsNoCallback() {
        FaultyStore store = new FaultyStore(backing, new Random(4), timer, TimeUnit.MILLISECONDS.toNanos(5));
        List<Integer> order = new ArrayList<>();
        store.saveRetained(retained("a"));
        store.whenDurable(() -> order.add(1));
        assertEquals(Set.of(), store.crash(false));
        assertEquals(1, backing.retainedCount(), "handed to the operating system: kept");
        runCommits();
        assertEquals(List.of(), order, "the broker that waited is gone");
    }

    @Test
    void aPowerLossLosesWhatWasNotCommittedAndTellsWhose() {
        FaultyStore store = new FaultyStore(backing, new Random(5), timer, TimeUnit.MILLISECONDS.toNanos(5));
        store.saveSession(new SessionStore.StoredSession("kept", 60, 0, List.of(), List.of(), List.of()));
        runCommits();
        store.saveSession(new SessionStore.StoredSession("lost", 60, 0, List.of(), List.of(), List.of()));
        assertEquals(Set.of("lost"), store.crash(true));
        runCommits();
        assertEquals(List.of("kept"), backing.load().sessions().stream().map(SessionStore.StoredSession::clientId)
                .toList());
    }
}
