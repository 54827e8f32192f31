package io.corvid.broker.store.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.SessionStore.StoredMessage;
import io.corvid.broker.store.mvstore.StoreUnavailableException.Reason;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A file the store cannot trust is refused with a message that names it and the way out. */
class DamagedFileTest {
    private static final int MESSAGES = 2_000;

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(ints = {25, 50, 75})
    void randomBytesInTheMiddleAreRefused(int percent) throws IOException {
        Path file = filledStore();
        long size = Files.size(file);
        byte[] garbage = new byte[4096];
        new Random(percent).nextBytes(garbage);
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.seek(size * percent / 100);
            raw.write(garbage);
        }
        assertRefused(Reason.DAMAGED, "restore a backup");
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 50, 90})
    void aTruncatedFileIsRefused(int percent) throws IOException {
        Path file = filledStore();
        truncate(file, Files.size(file) * percent / 100);
        assertRefused(Reason.DAMAGED, "move the file aside");
    }

    @Test
    void aFileWithItsHeaderOnlyIsRefused() throws IOException {
        Path file = filledStore();
        // MVStore's two header blocks, no chunk: MVStore alone would open it as a new, empty store.
        truncate(file, 8192);
        assertRefused(Reason.DAMAGED, "cut short");
    }

    @Test
    void anEmptyFileIsRefused() throws IOException {
        Files.createDirectories(directory);
        Files.createFile(directory.resolve(MvStoreSessionStore.FILE_NAME));
        assertRefused(Reason.DAMAGED, "empty");
    }

    @Test
    void aFileThatIsNotAStoreIsRefused() throws IOException {
        Files.createDirectories(directory);
        byte[] text = new byte[20_000];
        new Random(1).nextBytes(text);
        Files.write(directory.resolve(MvStoreSessionStore.FILE_NAME), text);
        assertRefused(Reason.DAMAGED, "move the file aside");
    }

    @Test
    void aNewerFormatIsRefused() {
        Path file = filledStore();
        MVStore raw = new MVStore.Builder().fileName(file.toString()).open();
        MVMap<byte[], byte[]> meta = raw.openMap(StoreMaps.META, new MVMap.Builder<byte[], byte[]>()
                .keyType(BytesType.INSTANCE).valueType(BytesType.INSTANCE));
        meta.put(Keys.text(StoreMaps.FORMAT_KEY), Keys.text(Integer.toString(StoreFiles.FORMAT_VERSION + 1)));
        raw.close();
        StoreUnavailableException e = assertRefused(Reason.NEWER_FORMAT, "newer version");
        assertTrue(e.getMessage().contains("store format " + (StoreFiles.FORMAT_VERSION + 1)), e.getMessage());
    }

    @Test
    void aFileOpenInThisJvmIsRefused() {
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            store.saveSession(Fixtures.plainSession("a"));
            assertRefused(Reason.LOCKED, "another open store");
            // The refusal did not disturb the open store.
            Await.durable(store);
            assertEquals(1, store.load().sessions().size());
        }
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            assertEquals(1, store.load().sessions().size());
        }
    }

    /**
     * A crash in the middle of writing a batch leaves its chunk cut short at the end of the
     * file: the store opens at the batch before it. The crash is a copy of the file taken while
     * the store is open, cut inside its last chunk.
     */
    @Test
    void aTornLastBatchRollsBackToTheBatchBefore() throws Exception {
        Path crashed = directory.resolve("crashed");
        Files.createDirectories(crashed);
        long sizeAfterFirst;
        long sizeAfterLast;
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory.resolve("live"), Durability.FSYNC)) {
            store.saveSession(Fixtures.plainSession("client"));
            for (int i = 1; i <= 100; i++) {
                store.saveMessage("client", Fixtures.queued(i, 64, Fixtures.NEVER));
            }
            Await.durable(store);
            sizeAfterFirst = Files.size(store.file());
            long commitsBefore = store.writerStats().commits();
            holdWriter(store, () -> {
                for (int i = 101; i <= 2_100; i++) {
                    store.saveMessage("client", Fixtures.queued(i, 1024, Fixtures.NEVER));
                }
            });
            assertEquals(commitsBefore + 1, store.writerStats().commits(), "the last batch is one commit");
            sizeAfterLast = Files.size(store.file());
            Files.copy(store.file(), crashed.resolve(MvStoreSessionStore.FILE_NAME));
        }
        assertTrue(sizeAfterLast - sizeAfterFirst > 2_000_000, sizeAfterFirst + " then " + sizeAfterLast);
        truncate(crashed.resolve(MvStoreSessionStore.FILE_NAME), (sizeAfterFirst + sizeAfterLast) / 2);

        try (MvStoreSessionStore store = MvStoreSessionStore.open(crashed, Durability.FSYNC)) {
            List<StoredMessage> messages = store.load().sessions().get(0).messages();
            assertEquals(100, messages.size());
            for (StoredMessage message : messages) {
                Fixtures.assertMessage(Fixtures.queued(message.sequence(), 64, Fixtures.NEVER), message);
            }
        }
    }

    private StoreUnavailableException assertRefused(Reason reason, String wayOut) {
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                () -> MvStoreSessionStore.open(directory, Durability.OS).close());
        assertEquals(reason, e.reason(), e::getMessage);
        Path file = directory.toAbsolutePath().resolve(MvStoreSessionStore.FILE_NAME);
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(wayOut), e.getMessage());
        return e;
    }

    /**
     * A closed store holding a session and {@value #MESSAGES} messages of 1 KiB, written in one
     * batch: one chunk of live data makes up most of the file, the same on every run.
     */
    private Path filledStore() {
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            holdWriter(store, () -> {
                store.saveSession(Fixtures.fullSession("client"));
                for (int i = 1; i <= MESSAGES; i++) {
                    store.saveMessage("client", Fixtures.queued(i, 1024, Fixtures.NEVER));
                }
                store.saveRetained(Fixtures.retained("r", "client", Fixtures.NEVER));
            });
            return store.file();
        }
    }

    /** Keeps the writer busy in a callback while {@code changes} are handed over: they make one batch. */
    private static void holdWriter(MvStoreSessionStore store, Runnable changes) {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        store.whenDurable(() -> {
            holding.countDown();
            Await.latch("the test to release the writer", release);
        });
        Await.latch("the writer to hold", holding);
        changes.run();
        release.countDown();
        Await.durable(store);
    }

    private static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.setLength(size);
        }
    }
}
