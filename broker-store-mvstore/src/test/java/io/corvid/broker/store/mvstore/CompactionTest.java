package io.corvid.broker.store.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.SessionStore.StoredMessage;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes many messages, removes them all, and checks that the file shrinks back near its empty
 * size. 200,000 messages here; {@code -Dcorvid.store.compaction.messages=1000000} for the figure
 * in docs/persistence.md.
 */
class CompactionTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CompactionTest.class);
    private static final int MESSAGES = Integer.getInteger("corvid.store.compaction.messages", 200_000);
    private static final int PAYLOAD = 256;
    private static final int CLIENTS = 100;

    @TempDir
    Path directory;

    @Test
    void theFileShrinksOnceItsMessagesAreRemoved() {
        long started = System.nanoTime();
        long full;
        long compacted;
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            for (int c = 0; c < CLIENTS; c++) {
                store.saveSession(Fixtures.plainSession("client-" + c));
            }
            for (int i = 0; i < MESSAGES; i++) {
                store.saveMessage("client-" + (i % CLIENTS), message(i / CLIENTS + 1));
                if (i % 10_000 == 0) {
                    Await.durable(store); // keep the queue, and the heap, small
                }
            }
            Await.durable(store);
            full = size(store);
            long written = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                store.removeMessage("client-" + (i % CLIENTS), i / CLIENTS + 1);
                if (i % 10_000 == 0) {
                    Await.durable(store);
                }
            }
            Await.durable(store);
            long removed = System.nanoTime();
            long afterRemoves = size(store);
            // The writer compacts by itself, a bounded slice at a time, also while idle.
            // Below 1 MiB a file is left as it is.
            Await.until("the file to shrink below 1 MiB", Duration.ofSeconds(60),
                    () -> size(store) < Compaction.MIN_FILE_BYTES);
            compacted = size(store);
            long shrunk = System.nanoTime();
            assertEquals(CLIENTS, store.load().sessions().size());
            LOG.info(String.format("compaction: %,d messages of %d B: %,d bytes after writing (%.1f s), %,d after removing"
                            + " (%.1f s), %,d after compaction (%.1f s more; %d compaction runs)",
                    MESSAGES, PAYLOAD, full, seconds(started, written), afterRemoves, seconds(written, removed),
                    compacted, seconds(removed, shrunk), store.writerStats().compactions()));
        }
        long closed = Files.exists(directory.resolve(MvStoreSessionStore.FILE_NAME))
                ? sizeOf(directory.resolve(MvStoreSessionStore.FILE_NAME)) : -1;
        LOG.info(String.format("compaction: %,d bytes after close; %.1f s in all", closed, seconds(started,
                System.nanoTime())));
        assertTrue(full > (long) MESSAGES * PAYLOAD, "full: " + full);
        assertTrue(closed < Compaction.MIN_FILE_BYTES, "closed: " + closed);
    }

    /**
     * MVStore counts the pages a commit removed only at the next commit: a check right after
     * the last removal, with nothing written after it, must still see the file as sparse.
     */
    @Test
    void aCheckRightAfterTheLastRemovalCompacts() throws IOException {
        StoreMaps maps = StoreFiles.open(directory, Durability.FSYNC);
        try {
            Compaction compaction = new Compaction(maps);
            for (int i = 1; i <= 20_000; i++) {
                byte[] key = Keys.message("client", i);
                maps.messages.put(key, RecordCodec.encodeMessage(key, message(i)));
                if (i % 2_000 == 0) {
                    maps.store.commit();
                }
            }
            long full = Files.size(maps.file);
            for (int i = 1; i <= 20_000; i++) {
                maps.messages.remove(Keys.message("client", i));
            }
            maps.store.commit();

            long now = 0;
            compaction.written(now);
            for (int run = 0; run < 5 && Files.size(maps.file) >= full / 20; run++) {
                now += TimeUnit.MINUTES.toNanos(1);
                compaction.runIfDue(now);
            }
            assertTrue(Files.size(maps.file) < full / 20, full + " then " + Files.size(maps.file));
            assertEquals(0, maps.messages.size());
        } finally {
            maps.store.close();
            StoreFiles.released(maps);
        }
    }

    private static StoredMessage message(long sequence) {
        return new StoredMessage(sequence, "sensors/" + sequence, Fixtures.payload(sequence, PAYLOAD),
                QoS.AT_LEAST_ONCE, false, Properties.EMPTY, "publisher", Fixtures.NEVER, new int[0], 0, false);
    }

    private static long size(MvStoreSessionStore store) {
        return sizeOf(store.file());
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }
}
