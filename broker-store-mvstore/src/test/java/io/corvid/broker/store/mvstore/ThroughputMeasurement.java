package io.corvid.broker.store.mvstore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Measures saveMessage + whenDurable in both durability modes and prints the figures quoted in
 * docs/persistence.md. Asserts nothing; runs only when asked:
 * {@code mvn -B verify -pl broker-store-mvstore -Dtest=ThroughputMeasurement -Dcorvid.store.throughput=true}
 * (add {@code -Dcorvid.store.throughput.durability=OS} or {@code FSYNC} for one mode per JVM).
 *
 * <p>Two shapes: one producer that waits for each message to be durable before the next (the
 * latency of one commit), and {@value #PRODUCERS} producers (the broker's event loops) with up to
 * {@value #WINDOW} messages each waiting for their callback (group commit at work), in
 * {@value #ROUNDS} rounds of which the first also warms up the JVM.
 */
@EnabledIfSystemProperty(named = "corvid.store.throughput", matches = "true")
class ThroughputMeasurement {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ThroughputMeasurement.class);
    private static final int PRODUCERS = 4;
    private static final int WINDOW = 1_000;
    private static final int PAYLOAD = 256;
    private static final int SEQUENTIAL = Integer.getInteger("corvid.store.throughput.sequential", 5_000);
    private static final int CONCURRENT = Integer.getInteger("corvid.store.throughput.messages", 400_000);
    private static final int ROUNDS = 3;

    @TempDir
    Path directory;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void measure(Durability durability) throws Exception {
        String only = System.getProperty("corvid.store.throughput.durability");
        Assumptions.assumeTrue(only == null || only.equalsIgnoreCase(durability.name()), "measuring " + only);
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, durability)) {
            store.saveSession(Fixtures.plainSession("sequential"));
            // Warm up the JIT and the file, then measure.
            sequential(store, SEQUENTIAL / 5, 0);
            long[] latencies = sequential(store, SEQUENTIAL, SEQUENTIAL);
            Arrays.sort(latencies);
            double seconds = Arrays.stream(latencies).sum() / 1e9;
            LOG.info(String.format("%s one at a time: %,d messages, %,.0f ops/s, commit+callback latency p50 %.3f ms,"
                            + " p99 %.3f ms", durability, SEQUENTIAL, SEQUENTIAL / seconds,
                    latencies[latencies.length / 2] / 1e6, latencies[latencies.length * 99 / 100] / 1e6));

            // The first round also warms up; the figures are those of the median round.
            for (int round = 1; round <= ROUNDS; round++) {
                StoreWriter.Stats before = store.writerStats();
                long started = System.nanoTime();
                long[] waits = concurrent(store, CONCURRENT);
                double elapsed = (System.nanoTime() - started) / 1e9;
                StoreWriter.Stats after = store.writerStats();
                Arrays.sort(waits);
                long commits = after.commits() - before.commits();
                LOG.info(String.format("%s round %d, %d producers, window %,d each: %,d messages in %.2f s, %,.0f ops/s;"
                                + " %,d commits of %,.0f messages on average, %.3f ms each; save-to-callback p50"
                                + " %.2f ms, p99 %.2f ms",
                        durability, round, PRODUCERS, WINDOW, CONCURRENT, elapsed, CONCURRENT / elapsed, commits,
                        (double) (after.changes() - before.changes()) / commits,
                        (after.commitNanos() - before.commitNanos()) / 1e6 / commits,
                        waits[waits.length / 2] / 1e6, waits[waits.length * 99 / 100] / 1e6));
            }
        }
    }

    /** Each message waits for its callback before the next is saved; returns each one's latency. */
    private static long[] sequential(MvStoreSessionStore store, int count, long firstSequence) {
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            store.saveMessage("sequential", Fixtures.queued(firstSequence + i + 1, PAYLOAD, Fixtures.NEVER));
            CountDownLatch durable = new CountDownLatch(1);
            store.whenDurable(durable::countDown);
            Await.latch("message " + i, durable);
            latencies[i] = System.nanoTime() - start;
        }
        return latencies;
    }

    /** Producers each save {@code count / PRODUCERS} messages with a window of callbacks outstanding. */
    private static long[] concurrent(MvStoreSessionStore store, int count) throws InterruptedException {
        int perProducer = count / PRODUCERS;
        long[] waits = new long[perProducer * PRODUCERS];
        CountDownLatch done = new CountDownLatch(perProducer * PRODUCERS);
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            String client = "producer-" + p + "-" + count;
            store.saveSession(Fixtures.plainSession(client));
            producers.add(new Thread(() -> {
                Semaphore window = new Semaphore(WINDOW);
                for (int i = 0; i < perProducer; i++) {
                    window.acquireUninterruptibly();
                    int slot = producer * perProducer + i;
                    long start = System.nanoTime();
                    store.saveMessage(client, Fixtures.queued(i + 1, PAYLOAD, Fixtures.NEVER));
                    store.whenDurable(() -> {
                        waits[slot] = System.nanoTime() - start;
                        window.release();
                        done.countDown();
                    });
                }
            }));
        }
        producers.forEach(Thread::start);
        for (Thread producer : producers) {
            producer.join();
        }
        Await.latch("every callback", done);
        return waits;
    }
}
