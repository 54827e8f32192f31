package io.corvid.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Readers match without locks while writers subscribe and unsubscribe: no reader may fail, and
 * none may miss a subscription that was complete before its match began.
 */
class TopicTrieConcurrencyTest {
    private static final long TIMEOUT_SECONDS = 120;

    /** Filters that share the stable subscriptions' nodes, so churn creates and prunes around them. */
    private static final String[] CHURN_FILTERS = {
        "stable/a/x", "stable/+/x", "stable/a/#", "stable/a/x/y", "stable/a/x/#", "stable/b/x",
        "stable/a/+", "+/a/x", "#", "stable", "stable/+/x/+", "$share/g/stable/a/x",
        "$share/h/stable/+/x", "$share/h/stable/a/x", "other/z", "stable/a/x/y/z/w",
    };

    @Test
    void readersAlwaysSeeStableSubscriptionsWhileWritersChurn() throws Exception {
        TopicTrie<String, Integer> trie = new TopicTrie<>();
        trie.put("stable/a/x", "stable-exact", 0);
        trie.put("stable/+/x", "stable-single", 0);
        trie.put("stable/#", "stable-multi", 0);
        trie.put("#", "stable-all", 0);
        trie.put("$share/g/stable/a/x", "stable-shared", 0);
        int stableCount = trie.size();

        int writers = 3;
        int readers = 3;
        int iterations = 100_000;
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong matches = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch writersDone = new CountDownLatch(writers);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String prefix = "writer" + w + "-";
            tasks.add(() -> {
                try {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < iterations; i++) {
                        String filter = CHURN_FILTERS[random.nextInt(CHURN_FILTERS.length)];
                        String key = prefix + random.nextInt(8);
                        if (random.nextBoolean()) {
                            trie.put(filter, key, i);
                        } else {
                            trie.remove(filter, key);
                        }
                    }
                    return null;
                } finally {
                    writersDone.countDown();
                }
            });
        }
        for (int r = 0; r < readers; r++) {
            tasks.add(() -> {
                StableCheck check = new StableCheck();
                start.await();
                // At least a few matches even if the writers were done before this thread started.
                for (int round = 0; writing.get() || round < 10; round++) {
                    check.reset();
                    trie.match("stable/a/x", check);
                    check.assertAllSeen();
                    matches.incrementAndGet();
                }
                return null;
            });
        }
        runAll(tasks, start, () -> {
            writersDone.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            writing.set(false);
        });
        assertTrue(matches.get() >= readers * 10L);

        // Unsubscribe every writer; what remains must be exactly the stable set, fully pruned.
        for (String filter : CHURN_FILTERS) {
            for (int w = 0; w < writers; w++) {
                for (int k = 0; k < 8; k++) {
                    trie.remove(filter, "writer" + w + "-" + k);
                }
            }
        }
        assertEquals(stableCount, trie.size());
        StableCheck check = new StableCheck();
        trie.match("stable/a/x", check);
        check.assertAllSeen();
        trie.remove("stable/a/x", "stable-exact");
        trie.remove("stable/+/x", "stable-single");
        trie.remove("stable/#", "stable-multi");
        trie.remove("#", "stable-all");
        trie.remove("$share/g/stable/a/x", "stable-shared");
        assertEquals(0, trie.size());
        assertEquals(0, trie.nodeCount());
    }

    @Test
    void everySubscriptionCompletedBeforeAMatchIsSeenByIt() throws Exception {
        TopicTrie<Integer, String> trie = new TopicTrie<>();
        String[] growFilters = {"grow/a/b", "grow/+/b", "grow/#", "+/a/#", "grow/a/+", "+/+/+", "#",
            "$share/g/grow/+/b", "$share/h/grow/a/b"};
        String[] churnFilters = {"grow/a/b/c", "grow/a/b/c/#", "grow/z/b", "grow/a/c", "grow/+/b/+",
            "+/a/b/c", "grow/a", "$share/g/grow/a/b/c", "$share/x/grow/a/b"};
        int total = 30_000;
        AtomicInteger completed = new AtomicInteger();
        AtomicBoolean growing = new AtomicBoolean(true);
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch writersDone = new CountDownLatch(2);
        List<Callable<Void>> tasks = new ArrayList<>();
        tasks.add(() -> {
            try {
                start.await();
                for (int i = 0; i < total; i++) {
                    trie.put(growFilters[i % growFilters.length], i, "v");
                    // Published only once put has returned: readers use it as their lower bound.
                    completed.set(i + 1);
                }
                return null;
            } finally {
                growing.set(false);
                writersDone.countDown();
            }
        });
        tasks.add(() -> {
            // Negative keys never count as grown subscriptions.
            try {
                start.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (growing.get()) {
                    String filter = churnFilters[random.nextInt(churnFilters.length)];
                    int key = -1 - random.nextInt(16);
                    if (random.nextBoolean()) {
                        trie.put(filter, key, "churn");
                    } else {
                        trie.remove(filter, key);
                    }
                }
                return null;
            } finally {
                writersDone.countDown();
            }
        });
        for (int r = 0; r < 2; r++) {
            tasks.add(() -> {
                start.await();
                BitSet seen = new BitSet(total);
                TrieVisitor<Integer, String> visitor = new TrieVisitor<>() {
                    @Override
                    public void subscriber(Integer key, String value) {
                        if (key >= 0) {
                            seen.set(key);
                        }
                    }

                    @Override
                    public void sharedGroup(SharedGroup<Integer, String> group) {
                        for (SharedGroup.Member<Integer, String> member : group.members()) {
                            if (member.key() >= 0) {
                                seen.set(member.key());
                            }
                        }
                    }
                };
                for (int round = 0; writing.get() || round < 10; round++) {
                    int before = completed.get();
                    seen.clear();
                    trie.match("grow/a/b", visitor);
                    int firstMissing = seen.nextClearBit(0);
                    if (firstMissing < before) {
                        fail("subscription " + firstMissing + " completed before the match but not seen");
                    }
                }
                return null;
            });
        }
        runAll(tasks, start, () -> {
            writersDone.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            writing.set(false);
        });
        RecordingVisitor<Integer, String> visitor = RecordingVisitor.match(trie, "grow/a/b");
        long grown = visitor.subscribers.stream().filter(key -> key >= 0).count()
                + visitor.groups.stream().flatMap(group -> group.members().stream())
                        .filter(member -> member.key() >= 0).count();
        assertEquals(total, grown);
    }

    /** Starts every task at once, waits for the writers, then for every task, failing on any exception. */
    private static void runAll(List<Callable<Void>> tasks, CountDownLatch start, Waiter waitForWriters)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (Callable<Void> task : tasks) {
                futures.add(pool.submit(task));
            }
            start.countDown();
            waitForWriters.await();
            for (Future<Void> future : futures) {
                future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @FunctionalInterface
    private interface Waiter {
        void await() throws Exception;
    }

    /** Checks that one match of "stable/a/x" reported each stable subscription. */
    private static final class StableCheck implements TrieVisitor<String, Integer> {
        private boolean exact;
        private boolean single;
        private boolean multi;
        private boolean all;
        private boolean shared;

        void reset() {
            exact = false;
            single = false;
            multi = false;
            all = false;
            shared = false;
        }

        @Override
        public void subscriber(String key, Integer value) {
            switch (key) {
                case "stable-exact" -> exact = true;
                case "stable-single" -> single = true;
                case "stable-multi" -> multi = true;
                case "stable-all" -> all = true;
                default -> {
                    if (!key.startsWith("writer")) {
                        fail("unexpected subscriber " + key);
                    }
                }
            }
        }

        @Override
        public void sharedGroup(SharedGroup<String, Integer> group) {
            for (SharedGroup.Member<String, Integer> member : group.members()) {
                if (member.key().equals("stable-shared")) {
                    assertEquals("g", group.name());
                    shared = true;
                }
            }
        }

        void assertAllSeen() {
            if (!(exact && single && multi && all && shared)) {
                fail("missed a stable subscription: exact=" + exact + " single=" + single + " multi=" + multi
                        + " all=" + all + " shared=" + shared);
            }
        }
    }
}
