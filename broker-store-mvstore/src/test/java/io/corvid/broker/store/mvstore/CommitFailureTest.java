package io.corvid.broker.store.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.SFChunk;
import org.h2.mvstore.SingleFileStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A commit that fails still runs its callbacks, exactly once and in order, after logging the failure. */
class CommitFailureTest {
    @TempDir
    Path directory;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private Logger logger;

    @BeforeEach
    void captureLog() {
        logger = (Logger) LoggerFactory.getLogger(MvStoreSessionStore.class);
        log.start();
        logger.addAppender(log);
        logger.setAdditive(false); // the expected ERROR stays out of the build's output
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(log);
        logger.setAdditive(true);
    }

    /** A file store whose writes fail once told to, as a full or failing disk would. */
    static final class FailingFileStore extends SingleFileStore {
        volatile boolean failing;

        FailingFileStore() {
            super(new HashMap<>());
        }

        @Override
        protected void writeFully(SFChunk chunk, long pos, ByteBuffer src) {
            if (failing) {
                throw new UncheckedIOException(new IOException("No space left on device"));
            }
            super.writeFully(chunk, pos, src);
        }
    }

    @Test
    void callbacksRunOnceInOrderWhenCommitsFail() {
        Path file = directory.resolve("failing.mvstore");
        FailingFileStore fileStore = new FailingFileStore();
        fileStore.open(file.toString(), false, (char[]) null);
        MVStore store = new MVStore.Builder().adoptFileStore(fileStore).autoCommitDisabled().autoCommitBufferSize(0)
                .open();
        StoreMaps maps = new StoreMaps(file, null, store);
        StoreWriter writer = new StoreWriter(maps, Durability.FSYNC);
        writer.start();

        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch first = new CountDownLatch(1);
        writer.change(put(maps, "a"));
        writer.whenDurable(() -> {
            ran.add(1);
            first.countDown();
        });
        Await.latch("the first commit", first);
        assertTrue(maps.sessions.containsKey(Keys.text("a")));

        fileStore.failing = true;
        CountDownLatch all = new CountDownLatch(2);
        writer.change(put(maps, "b"));
        for (int i = 2; i <= 3; i++) {
            int index = i;
            writer.whenDurable(() -> {
                ran.add(index);
                all.countDown();
            });
        }
        Await.latch("the callbacks of the failed commit", all);
        // The store stopped: later changes are lost, later callbacks still run.
        writer.change(put(maps, "c"));
        writer.whenDurable(() -> ran.add(4));
        Await.until("the callback after the failure", () -> ran.size() == 4);
        writer.close();
        writer.whenDurable(() -> ran.add(5));

        assertEquals(List.of(1, 2, 3, 4, 5), ran);
        List<ILoggingEvent> errors = log.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        assertTrue(errors.size() >= 1, "the failure is logged at ERROR");
        ILoggingEvent failure = errors.get(0);
        assertTrue(failure.getFormattedMessage().contains(file.toString()), failure.getFormattedMessage());
        assertTrue(failure.getFormattedMessage().contains("commit failed"), failure.getFormattedMessage());
        assertTrue(failure.getThrowableProxy() != null, "with the cause");
    }

    private static WriteTask.Put put(StoreMaps maps, String clientId) {
        byte[] key = Keys.text(clientId);
        return new WriteTask.Put(maps.sessions, key, RecordCodec.encodeSession(key, Fixtures.plainSession(clientId)));
    }
}
