package io.corvid.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

/** Readers look up retained messages without locks while writers store and clear them. */
class RetainedIndexConcurrencyTest {
    private static final long TIMEOUT_SECONDS = 120;

    /** Topics around the stable ones, so that churn creates and prunes nodes next to them. */
    private static final String[] CHURN_TOPICS = {
        "stable/a", "stable/a/x/y", "stable/a/x/y/z", "stable/b", "stable/b/x", "stable", "stable/c/d/e",
        "other", "$SYS/y", "stable/", "stable//x",
    };

    @Test
    void readersAlwaysSeeStableMessagesWhileWritersChurn() throws Exception {
        RetainedIndex<String> index = new RetainedIndex<>();
        index.put("stable/a/x", "sx");
        index.put("stable/q", "sq");
        index.put("$SYS/x", "sys");
        int writers = 2;
        int readers = 3;
        int iterations = 100_000;
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong rounds = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch writersDone = new CountDownLatch(writers);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            tasks.add(() -> {
                try {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < iterations; i++) {
                        String topic = CHURN_TOPICS[random.nextInt(CHURN_TOPICS.length)];
                        if (random.nextBoolean()) {
                            index.put(topic, "churn");
                        } else {
                            index.remove(topic);
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
                start.await();
                Set<String> seen = new HashSet<>();
                for (int round = 0; writing.get() || round < 10; round++) {
                    seen.clear();
                    index.match("#", (topic, message) -> {
                        if (topic.startsWith("$")) {
                            fail("'#' matched " + topic);
                        }
                        seen.add(topic + "=" + message);
                    });
                    if (!seen.contains("stable/a/x=sx") || !seen.contains("stable/q=sq")) {
                        fail("'#' missed a stable message: " + seen);
                    }
                    seen.clear();
                    index.match("stable/+/x", (topic, message) -> seen.add(topic + "=" + message));
                    if (!seen.contains("stable/a/x=sx")) {
                        fail("'stable/+/x' missed stable/a/x: " + seen);
                    }
                    seen.clear();
                    index.match("$SYS/#", (topic, message) -> seen.add(topic + "=" + message));
                    if (!seen.contains("$SYS/x=sys")) {
                        fail("'$SYS/#' missed $SYS/x: " + seen);
                    }
                    if (!"sx".equals(index.get("stable/a/x"))) {
                        fail("get missed stable/a/x");
                    }
                    rounds.incrementAndGet();
                }
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (Callable<Void> task : tasks) {
                futures.add(pool.submit(task));
            }
            start.countDown();
            writersDone.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            writing.set(false);
            for (Future<Void> future : futures) {
                future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
        assertTrue(rounds.get() >= readers * 10L);

        for (String topic : CHURN_TOPICS) {
            index.remove(topic);
        }
        assertEquals(3, index.size());
        index.remove("stable/a/x");
        index.remove("stable/q");
        index.remove("$SYS/x");
        assertEquals(0, index.nodeCount());
    }

    @Test
    void everyMessageStoredBeforeAMatchIsSeenByIt() throws Exception {
        RetainedIndex<Integer> index = new RetainedIndex<>();
        int total = 20_000;
        AtomicInteger completed = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Void>> tasks = new ArrayList<>();
        tasks.add(() -> {
            try {
                start.await();
                for (int i = 0; i < total; i++) {
                    // Alternate deep and shallow topics so that new nodes appear on every level.
                    index.put(i % 2 == 0 ? "grow/" + i : "grow/" + (i - 1) + "/" + i, i);
                    completed.set(i + 1);
                }
                return null;
            } finally {
                writing.set(false);
            }
        });
        for (int r = 0; r < 2; r++) {
            tasks.add(() -> {
                start.await();
                BitSet seen = new BitSet(total);
                for (int round = 0; writing.get() || round < 10; round++) {
                    int before = completed.get();
                    seen.clear();
                    index.match("grow/#", (topic, message) -> seen.set(message));
                    int firstMissing = seen.nextClearBit(0);
                    if (firstMissing < before) {
                        fail("message " + firstMissing + " stored before the match but not seen");
                    }
                }
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (Callable<Void> task : tasks) {
                futures.add(pool.submit(task));
            }
            start.countDown();
            for (Future<Void> future : futures) {
                future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
        assertEquals(total, index.size());
    }
}
