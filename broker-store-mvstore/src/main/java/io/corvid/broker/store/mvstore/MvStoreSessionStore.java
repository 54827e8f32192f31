package io.corvid.broker.store.mvstore;

import io.corvid.broker.MetricsRecorder;
import io.corvid.broker.SessionStore;
import io.corvid.broker.store.mvstore.WriteTask.Put;
import io.corvid.broker.store.mvstore.WriteTask.Remove;
import io.corvid.broker.store.mvstore.WriteTask.RemoveSession;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link SessionStore}: persistent sessions (with their subscriptions, will and
 * inbound QoS 2 packet identifiers), their pending messages and the retained messages, in one
 * file ({@value #FILE_NAME}) of an H2 MVStore in a directory of its own.
 *
 * <p>Every change ({@code saveSession}, {@code saveMessage}, {@code removeMessage}, ...) is
 * encoded on the calling thread and queued; it never waits for the disk. One writer thread
 * applies what is queued in order, commits it as one batch and then runs the
 * {@link #whenDurable whenDurable} callbacks queued behind it, so that a PUBACK or PUBREC sent
 * from such a callback is sent only once its message is as safe as the {@link Durability}
 * chosen makes it. Changes for one client identifier are applied in the order they were made.
 *
 * <p>{@link #open} checks the whole file: one that is damaged, locked by another open store or
 * written by a newer version is refused with a {@link StoreUnavailableException} that names the
 * file and what to do. A batch torn by a crash is rolled back to the last complete commit by
 * MVStore itself.
 *
 * <pre>{@code
 * MvStoreSessionStore store = MvStoreSessionStore.open(Path.of("/var/lib/corvid"), Durability.FSYNC);
 * Broker broker = new Broker.Builder().sessionStore(store).build().start();
 * }</pre>
 *
 * <p>Thread safe. See {@code docs/persistence.md} for the encoding, the guarantees and their cost.
 */
public final class MvStoreSessionStore implements SessionStore, AutoCloseable {
    /** The name of the store file in its directory. */
    public static final String FILE_NAME = StoreFiles.FILE_NAME;

    private static final Logger LOG = LoggerFactory.getLogger(MvStoreSessionStore.class);

    private final StoreMaps maps;
    private final StoreWriter writer;
    private final Durability durability;

    private MvStoreSessionStore(StoreMaps maps, Durability durability) {
        this.maps = maps;
        this.durability = durability;
        this.writer = new StoreWriter(maps, durability);
    }

    /**
     * Opens the store in {@code directory} (created if missing), or creates an empty one there,
     * and starts its writer thread. Reads and checks every record before it returns.
     *
     * @param directory  the data directory; the store is its file {@value #FILE_NAME}
     * @param durability what a batch must have reached before its callbacks run
     * @return the open store; {@link #close()} it when the broker stops
     * @throws StoreUnavailableException if the file is damaged, locked by another open store
     *                                   (in this JVM or another process), of a newer format, or
     *                                   cannot be read or written
     */
    public static MvStoreSessionStore open(Path directory, Durability durability) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(durability, "durability");
        MvStoreSessionStore store = new MvStoreSessionStore(StoreFiles.open(directory, durability), durability);
        store.writer.start();
        LOG.info("Opened session store {} ({} durability)", store.maps.file, durability);
        return store;
    }

    /** The store file. */
    public Path file() {
        return maps.file;
    }

    /** What a batch must have reached before its callbacks run. */
    public Durability durability() {
        return durability;
    }

    /**
     * Reads everything, once the changes handed over before the call are applied: the sessions
     * with their messages in sequence order, and the retained messages. What has expired is
     * removed first and not returned: messages and retained messages whose expiry has passed,
     * sessions whose expiry interval has elapsed since their client went away (not those whose
     * client was connected when the broker stopped, nor those with a will still to publish),
     * and messages whose session does not exist. Blocks until done; the broker calls it once, at
     * start.
     */
    @Override
    public State load() {
        long now = System.currentTimeMillis();
        StoreScan.Loaded loaded = await(writer.submit(maps -> StoreScan.load(maps, now)));
        PurgeResult purged = loaded.purged();
        LOG.info("Loaded {} sessions, {} messages and {} retained messages from {}; dropped {} expired sessions, "
                        + "{} expired messages, {} expired retained messages and {} messages without a session",
                loaded.state().sessions().size(), loaded.messages(), loaded.state().retained().size(), maps.file,
                purged.sessions(), purged.messages(), purged.retained(), loaded.orphans());
        return loaded.state();
    }

    /** Reports each group commit's duration and size (the number of changes it made durable). */
    @Override
    public void metricsRecorder(MetricsRecorder recorder) {
        writer.metricsRecorder(Objects.requireNonNull(recorder, "recorder"));
    }

    @Override
    public void saveSession(StoredSession session) {
        byte[] key = Keys.text(session.clientId());
        writer.change(new Put(maps.sessions, key, RecordCodec.encodeSession(key, session)));
    }

    @Override
    public void removeSession(String clientId) {
        writer.change(new RemoveSession(Objects.requireNonNull(clientId, "clientId")));
    }

    @Override
    public void saveMessage(String clientId, StoredMessage message) {
        byte[] key = Keys.message(clientId, message.sequence());
        writer.change(new Put(maps.messages, key, RecordCodec.encodeMessage(key, message)));
    }

    @Override
    public void removeMessage(String clientId, long sequence) {
        writer.change(new Remove(maps.messages, Keys.message(clientId, sequence)));
    }

    @Override
    public void saveRetained(StoredMessage message) {
        byte[] key = Keys.text(message.topic());
        writer.change(new Put(maps.retained, key, RecordCodec.encodeMessage(key, message)));
    }

    @Override
    public void removeRetained(String topic) {
        writer.change(new Remove(maps.retained, Keys.text(topic)));
    }

    /**
     * Runs {@code callback} once every change handed over before this call is committed (and,
     * with {@link Durability#FSYNC}, forced to disk). Never blocks. Callbacks run exactly once,
     * in the order of the calls, on the store's writer thread: they must be short and must not
     * wait for the store. If a commit fails, the failure is logged at ERROR and the callbacks
     * run all the same. After {@link #close()} a callback runs at once.
     */
    @Override
    public void whenDurable(Runnable callback) {
        writer.whenDurable(Objects.requireNonNull(callback, "callback"));
    }

    /**
     * Removes, on the writer thread and in order with the changes handed over before, what has
     * expired at {@code nowMillis}: session messages and retained messages whose expiry has
     * passed, and sessions whose expiry interval has elapsed since their client went away (with
     * all their messages; a session with a will still to publish is left to the broker). Never
     * blocks.
     *
     * @param nowMillis the wall-clock time to judge expiry by
     * @return what was removed, once committed
     */
    public CompletableFuture<PurgeResult> purgeExpired(long nowMillis) {
        return writer.submit(maps -> StoreScan.purge(maps, nowMillis));
    }

    /**
     * Commits everything handed over, runs the callbacks still waiting, compacts the file for up
     * to a second and closes it; later changes are refused with an {@link IllegalStateException}.
     * Blocks until done (unless called from a callback, on the writer thread). Idempotent.
     */
    @Override
    public void close() {
        writer.close();
    }

    /** Counters of the writer thread's work. */
    StoreWriter.Stats writerStats() {
        return writer.stats();
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }
}
