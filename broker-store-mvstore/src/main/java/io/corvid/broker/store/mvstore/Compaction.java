package io.corvid.broker.store.mvstore;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the file near the size of its live data. MVStore never overwrites a live page: every
 * commit writes a new chunk, and the pages it replaces leave the older chunks sparse. Once the
 * file is at least {@value #MIN_FILE_BYTES} bytes and less than {@value #LOW_FILL_PERCENT}% of it
 * (or of its chunks) is live, the chunks less than {@value #REWRITE_FILL_PERCENT}% live are
 * rewritten, chunks are moved towards the start of the file and the free end is cut off: the
 * steps of {@link MVStore#compactFile}, in slices of {@value #STEP_BYTES} bytes, for about
 * {@value #BUDGET_MILLIS} ms at a time so that a compaction delays the next batch little.
 *
 * <p>A chunk left without live data by the last commit can only be freed once a newer version
 * exists, and the free end of the file is only cut off when a chunk is next written: a
 * compaction commits a small metadata entry ({@value #COMPACTED_KEY}) before and after.
 *
 * <p>Runs on the writer thread between batches: checked at most once a second after changes,
 * also when the writer is idle, and less often while compacting gains nothing.
 */
final class Compaction {
    static final long MIN_FILE_BYTES = 1 << 20;
    static final int LOW_FILL_PERCENT = 50;
    static final int REWRITE_FILL_PERCENT = 90;
    static final int STEP_BYTES = 4 << 20;
    static final int BUDGET_MILLIS = 200;
    static final String COMPACTED_KEY = "compacted";
    private static final long FIRST_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(8);

    private static final Logger LOG = LoggerFactory.getLogger(Compaction.class);

    private final StoreMaps maps;
    private final MVStore store;
    private long intervalNanos = FIRST_INTERVAL_NANOS;
    private boolean pending;
    private long dueAtNanos;
    private long runs;

    Compaction(StoreMaps maps) {
        this.maps = maps;
        this.store = maps.store;
    }

    /** A batch changed the file: check it once the interval has passed. */
    void written(long nowNanos) {
        if (!pending) {
            pending = true;
            dueAtNanos = nowNanos + intervalNanos;
        }
    }

    /** How long until a check is due, or -1 if none is pending. */
    long nanosUntilDue(long nowNanos) {
        return pending ? Math.max(0, dueAtNanos - nowNanos) : -1;
    }

    /** Checks, and compacts if the file is sparse, when a check is due. */
    void runIfDue(long nowNanos) {
        if (!pending || nowNanos - dueAtNanos < 0) {
            return;
        }
        pending = false;
        if (!needed()) {
            intervalNanos = FIRST_INTERVAL_NANOS;
            return;
        }
        long sizeBefore = store.getFileStore().size();
        int fillBefore = fillRate();
        long started = System.nanoTime();
        compact(started + TimeUnit.MILLISECONDS.toNanos(BUDGET_MILLIS));
        runs++;
        if (LOG.isDebugEnabled()) {
            LOG.debug("Compacted session store {} in {} ms: {} bytes, {}% live before; {} bytes, {}% live after",
                    maps.file, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), sizeBefore, fillBefore,
                    store.getFileStore().size(), fillRate());
        }
        if (needed()) {
            // Still sparse: go on soon if this run gained something, later and later if not.
            boolean gained = store.getFileStore().size() < sizeBefore || fillRate() >= fillBefore + 5;
            intervalNanos = gained ? FIRST_INTERVAL_NANOS : Math.min(intervalNanos * 2, MAX_INTERVAL_NANOS);
            pending = true;
            dueAtNanos = nowNanos + intervalNanos;
        } else {
            intervalNanos = FIRST_INTERVAL_NANOS;
        }
    }

    /** How many times a compaction ran. */
    long runs() {
        return runs;
    }

    private void compact(long deadlineNanos) {
        // A chunk emptied by the last commit can only be freed once a newer version exists.
        touch();
        RandomAccessStore fileStore = (RandomAccessStore) store.getFileStore();
        boolean rewrote;
        do {
            // The move runs even when nothing was rewritten: it alone frees the chunks left
            // without live data and moves the others towards the start of the file.
            rewrote = store.compact(REWRITE_FILL_PERCENT, STEP_BYTES);
            fileStore.sync();
            fileStore.compactMoveChunks(REWRITE_FILL_PERCENT, STEP_BYTES, store);
        } while (rewrote && System.nanoTime() - deadlineNanos < 0);
        // MVStore cuts the free end off the file when it next writes a chunk: commit one now, or
        // an idle store would keep its old size.
        touch();
    }

    private void touch() {
        maps.putMeta(COMPACTED_KEY, Instant.now().toString());
        store.commit();
    }

    private boolean needed() {
        return store.getFileStore().size() >= MIN_FILE_BYTES && fillRate() < LOW_FILL_PERCENT;
    }

    /** The lower of the file's fill rate (space in live chunks) and the chunks' (live data in them). */
    private int fillRate() {
        FileStore<?> fileStore = store.getFileStore();
        return Math.min(fileStore.getFillRate(), fileStore.getChunksFillRate());
    }
}
