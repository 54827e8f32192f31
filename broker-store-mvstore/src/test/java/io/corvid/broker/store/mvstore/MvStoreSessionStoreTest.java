package io.corvid.broker.store.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.SessionStore.State;
import io.corvid.broker.SessionStore.StoredMessage;
import io.corvid.broker.SessionStore.StoredSession;
import io.corvid.broker.store.InMemorySessionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MvStoreSessionStoreTest {
    @TempDir
    Path directory;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void everyPieceOfStateSurvivesCloseAndReopen(Durability durability) {
        StoredSession full = Fixtures.fullSession("alpha");
        StoredSession plain = Fixtures.plainSession("béta");
        StoredSession legacy = new StoredSession("gamma", 10, 0, List.of(), List.of(), List.of(7));
        List<StoredMessage> alphaMessages = List.of(Fixtures.inFlight(1), Fixtures.released(2),
                Fixtures.queued(3, 100_000, Fixtures.NEVER), Fixtures.queued(1L << 40, 1, Fixtures.NEVER));
        StoredMessage retainedWithPublisher = Fixtures.retained("status/a", "alpha", Fixtures.NEVER);
        StoredMessage retainedWithout = Fixtures.retained("status/ü", null, Fixtures.NEVER);

        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, durability)) {
            assertEquals(durability, store.durability());
            assertEquals(directory.toAbsolutePath().resolve(MvStoreSessionStore.FILE_NAME), store.file());
            store.saveSession(full);
            store.saveSession(plain);
            store.saveSession(legacy);
            // Saved out of order: they come back in sequence order.
            for (int i = alphaMessages.size() - 1; i >= 0; i--) {
                store.saveMessage("alpha", alphaMessages.get(i));
            }
            store.saveMessage("béta", Fixtures.inFlight(9));
            store.saveRetained(retainedWithPublisher);
            store.saveRetained(retainedWithout);
        }

        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, durability)) {
            State state = store.load();
            Map<String, StoredSession> sessions = bySession(state);
            assertEquals(3, sessions.size());
            Fixtures.assertSession(full.withMessages(alphaMessages), sessions.get("alpha"));
            Fixtures.assertSession(plain.withMessages(List.of(Fixtures.inFlight(9))), sessions.get("béta"));
            Fixtures.assertSession(legacy, sessions.get("gamma"));
            Map<String, StoredMessage> retained = byTopic(state);
            assertEquals(2, retained.size());
            Fixtures.assertMessage(retainedWithPublisher, retained.get("status/a"));
            Fixtures.assertMessage(retainedWithout, retained.get("status/ü"));
        }
    }

    @Test
    void theWriterAloneCommits() {
        StoreMaps maps = StoreFiles.open(directory, Durability.OS);
        try {
            // No MVStore background thread (which would write through executors of its own), no
            // commit when unsaved pages reach a threshold.
            assertEquals(0, maps.store.getAutoCommitDelay());
            assertEquals(0, maps.store.getAutoCommitMemory());
            assertEquals(0, maps.store.getVersionsToKeep());
        } finally {
            maps.store.close();
            StoreFiles.released(maps);
        }
    }

    @Test
    void everyCommitIsReportedWithItsBatchSize() throws Exception {
        java.util.List<long[]> commits = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            store.metricsRecorder(new io.corvid.broker.MetricsRecorder() {
                @Override
                public void storeCommit(long nanos, int operations) {
                    commits.add(new long[] {nanos, operations});
                }
            });
            java.util.concurrent.CountDownLatch durable = new java.util.concurrent.CountDownLatch(1);
            for (long sequence = 1; sequence <= 5; sequence++) {
                store.saveMessage("a", Fixtures.queued(sequence, 8, Fixtures.NEVER));
            }
            store.whenDurable(durable::countDown);
            assertTrue(durable.await(10, java.util.concurrent.TimeUnit.SECONDS));
        }
        // The five changes may be split over batches, never lost or counted twice.
        assertEquals(5, commits.stream().mapToLong(commit -> commit[1]).sum());
        assertTrue(commits.stream().allMatch(commit -> commit[0] > 0));
    }

    @Test
    void replacingAndRemovingWork() {
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            store.saveSession(Fixtures.fullSession("a"));
            store.saveSession(Fixtures.plainSession("a"));
            store.saveMessage("a", Fixtures.inFlight(1));
            store.saveMessage("a", Fixtures.released(1));
            store.saveMessage("a", Fixtures.inFlight(2));
            store.removeMessage("a", 2);
            store.removeMessage("a", 77);
            store.saveRetained(Fixtures.retained("t", "x", Fixtures.NEVER));
            store.saveRetained(Fixtures.retained("u", "x", Fixtures.NEVER));
            store.removeRetained("u");
            store.removeRetained("never-there");
            store.removeSession("nobody");

            State state = store.load();
            assertEquals(1, state.sessions().size());
            Fixtures.assertSession(Fixtures.plainSession("a").withMessages(List.of(Fixtures.released(1))),
                    state.sessions().get(0));
            assertEquals(List.of("t"), state.retained().stream().map(StoredMessage::topic).toList());
        }
    }

    @Test
    void removeSessionRemovesItsMessagesOnly() {
        // Identifiers chosen so that one's bytes are a prefix of the other's.
        List<String> clients = List.of("c", "c1", "c\u0000", "", "cc");
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            for (String client : clients) {
                store.saveSession(Fixtures.plainSession(client));
                for (long sequence = 1; sequence <= 3; sequence++) {
                    store.saveMessage(client, Fixtures.queued(sequence, 8, Fixtures.NEVER));
                }
            }
            store.removeSession("c");
            Map<String, StoredSession> sessions = bySession(store.load());
            assertEquals(clients.size() - 1, sessions.size());
            for (String client : clients.subList(1, clients.size())) {
                assertEquals(3, sessions.get(client).messages().size(), client);
            }
            // Saving it again starts it empty.
            store.saveSession(Fixtures.plainSession("c"));
            assertEquals(List.of(), bySession(store.load()).get("c").messages());
        }
    }

    /**
     * Threads, each with clients of its own, make random changes while an in-memory store (the
     * reference behaviour) gets the same calls; after a reopen both must hold the same.
     */
    @Test
    void changesForOneClientApplyInTheOrderTheyWereMade() throws Exception {
        InMemorySessionStore reference = new InMemorySessionStore();
        int threads = 4;
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(new Thread(() -> randomChanges(thread, new Random(thread), store, reference)));
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join();
            }
        }
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            assertSameState(reference.load(), store.load());
        }
    }

    private static void randomChanges(int thread, Random random, MvStoreSessionStore store,
                                      InMemorySessionStore reference) {
        for (int i = 0; i < 5_000; i++) {
            String client = "t" + thread + "-" + random.nextInt(3);
            long sequence = 1 + random.nextInt(40);
            int choice = random.nextInt(100);
            if (choice < 5) {
                StoredSession session = Fixtures.session(client, random.nextInt(1000), 0, null);
                store.saveSession(session);
                reference.saveSession(session);
            } else if (choice < 7) {
                store.removeSession(client);
                reference.removeSession(client);
            } else if (choice < 60) {
                StoredMessage message = Fixtures.queued(sequence, random.nextInt(64), Fixtures.NEVER);
                store.saveMessage(client, message);
                reference.saveMessage(client, message);
            } else if (choice < 90) {
                store.removeMessage(client, sequence);
                reference.removeMessage(client, sequence);
            } else if (choice < 96) {
                StoredMessage message = Fixtures.retained("r/" + thread + "/" + random.nextInt(5), client,
                        Fixtures.NEVER);
                store.saveRetained(message);
                reference.saveRetained(message);
            } else {
                String topic = "r/" + thread + "/" + random.nextInt(5);
                store.removeRetained(topic);
                reference.removeRetained(topic);
            }
        }
    }

    private static void assertSameState(State expected, State actual) {
        Map<String, StoredSession> expectedSessions = bySession(expected);
        Map<String, StoredSession> actualSessions = bySession(actual);
        assertEquals(expectedSessions.keySet(), actualSessions.keySet());
        for (StoredSession session : expectedSessions.values()) {
            List<StoredMessage> messages = new ArrayList<>(session.messages());
            messages.sort(Comparator.comparingLong(StoredMessage::sequence));
            Fixtures.assertSession(session.withMessages(messages), actualSessions.get(session.clientId()));
        }
        Map<String, StoredMessage> expectedRetained = byTopic(expected);
        Map<String, StoredMessage> actualRetained = byTopic(actual);
        assertEquals(expectedRetained.keySet(), actualRetained.keySet());
        expectedRetained.forEach((topic, message) -> Fixtures.assertMessage(message, actualRetained.get(topic)));
    }

    @Test
    void callbacksRunOnceEachInTheOrderOfTheCalls() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        Map<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
        AtomicInteger total = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(threads * perThread);
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                List<Integer> mine = Collections.synchronizedList(new ArrayList<>());
                seen.put(thread, mine);
                workers.add(new Thread(() -> {
                    store.saveSession(Fixtures.plainSession("client-" + thread));
                    for (int i = 0; i < perThread; i++) {
                        int index = i;
                        store.saveMessage("client-" + thread, Fixtures.queued(i + 1, 32, Fixtures.NEVER));
                        store.whenDurable(() -> {
                            mine.add(index);
                            total.incrementAndGet();
                            all.countDown();
                        });
                    }
                }));
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join();
            }
            Await.latch("every callback", all);
            Await.durable(store);
            StoreWriter.Stats stats = store.writerStats();
            assertTrue(stats.commits() < threads * perThread, "changes were committed in batches: " + stats);
        }
        assertEquals(threads * perThread, total.get(), "no callback ran twice");
        for (List<Integer> indices : seen.values()) {
            for (int i = 0; i < perThread; i++) {
                assertEquals(i, indices.get(i));
            }
        }
    }

    /**
     * A copy of the file taken from within a callback (as a crash would leave it) holds what
     * was handed over before the callback: the callback ran after the bytes reached the file.
     */
    @ParameterizedTest
    @EnumSource(Durability.class)
    void callbacksRunOnceTheirChangesAreInTheFile(Durability durability) throws Exception {
        Path snapshots = Files.createDirectories(directory.resolve("snapshots"));
        int rounds = 5;
        CountDownLatch copied = new CountDownLatch(rounds);
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory.resolve("live"), durability)) {
            store.saveSession(Fixtures.plainSession("client"));
            for (int round = 1; round <= rounds; round++) {
                for (int i = 0; i < 100; i++) {
                    store.saveMessage("client", Fixtures.queued(round * 1000L + i, 200, Fixtures.NEVER));
                }
                Path copy = snapshots.resolve("round-" + round).resolve(MvStoreSessionStore.FILE_NAME);
                store.whenDurable(() -> {
                    try {
                        Files.createDirectories(copy.getParent());
                        Files.copy(store.file(), copy);
                    } catch (Exception e) {
                        failures.add(e);
                    } finally {
                        copied.countDown();
                    }
                });
            }
            Await.latch("the copies", copied);
        }
        assertEquals(List.of(), failures);
        for (int round = 1; round <= rounds; round++) {
            try (MvStoreSessionStore copy = MvStoreSessionStore.open(snapshots.resolve("round-" + round), durability)) {
                List<StoredMessage> messages = copy.load().sessions().get(0).messages();
                // Everything of this round and the ones before it is there.
                assertTrue(messages.size() >= round * 100, "round " + round + ": " + messages.size() + " messages");
                for (StoredMessage message : messages.subList(0, round * 100)) {
                    Fixtures.assertMessage(Fixtures.queued(message.sequence(), 200, Fixtures.NEVER), message);
                }
            }
        }
    }

    @Test
    void loadDropsWhatHasExpired() {
        long now = System.currentTimeMillis();
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            store.saveSession(Fixtures.session("expired", 5, now - 10_000, null));
            store.saveMessage("expired", Fixtures.queued(1, 8, Fixtures.NEVER));
            store.saveSession(Fixtures.session("recent", 3_600, now - 1_000, null));
            store.saveMessage("recent", Fixtures.queued(1, 8, now - 1));
            store.saveMessage("recent", Fixtures.queued(2, 8, now + 3_600_000));
            // A crash leaves sessions whose client was connected: disconnectedAtMillis 0.
            store.saveSession(Fixtures.session("connected-at-crash", 1, 0, null));
            store.saveSession(Fixtures.session("never-expires", 0xFFFF_FFFFL, 1, null));
            // Its will is still to be published: the broker does that, then ends the session.
            store.saveSession(Fixtures.session("expired-with-will", 5, now - 10_000, Fixtures.will()));
            store.saveMessage("no-such-session", Fixtures.queued(1, 8, Fixtures.NEVER));
            store.saveRetained(Fixtures.retained("old", null, now - 1));
            store.saveRetained(Fixtures.retained("fresh", null, now + 3_600_000));
            store.saveRetained(Fixtures.retained("forever", null, Fixtures.NEVER));
        }
        for (int open = 0; open < 2; open++) {
            try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
                State state = store.load();
                Map<String, StoredSession> sessions = bySession(state);
                assertEquals(List.of("connected-at-crash", "expired-with-will", "never-expires", "recent"),
                        sessions.keySet().stream().sorted().toList());
                assertEquals(List.of(2L), sessions.get("recent").messages().stream().map(StoredMessage::sequence)
                        .toList());
                assertEquals(List.of("forever", "fresh"), byTopic(state).keySet().stream().sorted().toList());
            }
        }
        // What load dropped is gone from the file, orphan message included.
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            store.saveSession(Fixtures.plainSession("no-such-session"));
            store.saveSession(Fixtures.plainSession("expired"));
            Map<String, StoredSession> sessions = bySession(store.load());
            assertEquals(List.of(), sessions.get("no-such-session").messages());
            assertEquals(List.of(), sessions.get("expired").messages());
        }
    }

    @Test
    void purgeExpiredRemovesWhatHasExpiredWhileRunning() throws Exception {
        // An hour ahead, so that what the purge keeps is not expired yet for the load that follows.
        long now = System.currentTimeMillis() + 3_600_000;
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.FSYNC)) {
            store.saveSession(Fixtures.session("ending", 60, now - 60_000, null));
            store.saveMessage("ending", Fixtures.queued(1, 8, Fixtures.NEVER));
            store.saveMessage("ending", Fixtures.queued(2, 8, Fixtures.NEVER));
            store.saveSession(Fixtures.session("staying", 60, now - 59_999, null));
            store.saveMessage("staying", Fixtures.queued(1, 8, now));
            store.saveMessage("staying", Fixtures.queued(2, 8, now + 1));
            store.saveRetained(Fixtures.retained("gone", null, now));
            store.saveRetained(Fixtures.retained("kept", null, now + 1));

            PurgeResult purged = store.purgeExpired(now).get();

            assertEquals(new PurgeResult(1, 3, 1), purged);
            assertEquals(5, purged.total());
            State state = store.load();
            assertEquals(List.of("staying"), state.sessions().stream().map(StoredSession::clientId).toList());
            assertEquals(List.of(2L), state.sessions().get(0).messages().stream().map(StoredMessage::sequence)
                    .toList());
            assertEquals(List.of("kept"), state.retained().stream().map(StoredMessage::topic).toList());
            assertEquals(new PurgeResult(0, 0, 0), store.purgeExpired(now).get());
        }
    }

    @Test
    void afterCloseChangesAreRefusedAndCallbacksRunAtOnce() {
        MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS);
        store.saveSession(Fixtures.plainSession("a"));
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, () -> store.saveSession(Fixtures.plainSession("b")));
        assertThrows(IllegalStateException.class, () -> store.saveMessage("a", Fixtures.inFlight(1)));
        assertThrows(IllegalStateException.class, store::load);
        AtomicInteger ran = new AtomicInteger();
        store.whenDurable(ran::incrementAndGet);
        assertEquals(1, ran.get());
        // The file is free again.
        try (MvStoreSessionStore reopened = MvStoreSessionStore.open(directory, Durability.OS)) {
            assertEquals(1, reopened.load().sessions().size());
        }
    }

    @Test
    void closeFromACallbackDoesNotDeadlock() {
        MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS);
        CountDownLatch closedFromCallback = new CountDownLatch(1);
        store.saveSession(Fixtures.plainSession("a"));
        store.whenDurable(() -> {
            store.close();
            closedFromCallback.countDown();
        });
        Await.latch("close from a callback", closedFromCallback);
        store.close();
        try (MvStoreSessionStore reopened = MvStoreSessionStore.open(directory, Durability.OS)) {
            assertEquals(1, reopened.load().sessions().size());
        }
    }

    static Map<String, StoredSession> bySession(State state) {
        return state.sessions().stream().collect(Collectors.toMap(StoredSession::clientId, Function.identity()));
    }

    static Map<String, StoredMessage> byTopic(State state) {
        return state.retained().stream().collect(Collectors.toMap(StoredMessage::topic, Function.identity()));
    }
}
