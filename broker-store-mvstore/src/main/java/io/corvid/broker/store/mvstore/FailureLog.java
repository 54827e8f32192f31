package io.corvid.broker.store.mvstore;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the store's write failures at ERROR, naming the file: the first with its stack trace,
 * then at most one line every ten seconds with the count of changes lost meanwhile, so that a
 * store that has stopped working does not flood the log at the broker's message rate.
 */
final class FailureLog {
    private static final Logger LOG = LoggerFactory.getLogger(MvStoreSessionStore.class);
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Path file;
    private boolean loggedOnce;
    private long lastLoggedAt;
    private long unreported;

    FailureLog(Path file) {
        this.file = file;
    }

    /** {@code lost} changes of a batch were not stored because of {@code cause}. */
    void failed(String what, int lost, Throwable cause) {
        long now = System.nanoTime();
        unreported += lost;
        if (!loggedOnce) {
            loggedOnce = true;
            lastLoggedAt = now;
            LOG.error("Session store {}: {}; {} changes may not be stored. The broker goes on with its in-memory "
                    + "state; restart it once the cause is fixed.", file, what, unreported, cause);
            unreported = 0;
        } else if (now - lastLoggedAt >= QUIET_NANOS) {
            lastLoggedAt = now;
            LOG.error("Session store {}: {}; {} more changes not stored since the last report: {}", file, what,
                    unreported, cause.toString());
            unreported = 0;
        }
    }
}
