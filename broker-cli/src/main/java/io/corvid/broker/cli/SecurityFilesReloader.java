package io.corvid.broker.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Reloads the password and ACL files on SIGHUP, as Mosquitto does, and when one of them
 * changes on disk. Connections stay up: the files' users and rules are swapped, and the new
 * ones apply from the next CONNECT, PUBLISH or SUBSCRIBE. A file that cannot be used (gone,
 * unreadable, a bad line) leaves the previous rules in force and the log says why.
 *
 * <p>Changes are found by comparing each file's modification time and size every poll period:
 * a file watch misses files replaced by renaming into place (editors, configuration managers,
 * Kubernetes secret volumes), and a few file system calls every seconds cost nothing.
 */
final class SecurityFilesReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityFilesReloader.class);

    /**
     * A file and how to load it again: {@code reload} returns a short summary of what it loaded
     * (e.g. "12 users"), or throws with the reason the file cannot be used.
     */
    record Watched(String what, Path file, Callable<String> reload) {
        Watched {
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(reload, "reload");
        }
    }

    /** What a file looked like when it was last loaded: a different one means it changed. */
    private record Stamp(long modifiedMillis, long size, Object fileKey) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.lastModifiedTime().toMillis(), attributes.size(), attributes.fileKey());
        }
    }

    private final List<Watched> files;
    private final Map<Path, Stamp> stamps = new HashMap<>();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "corvid-security-reload");
        thread.setDaemon(true);
        return thread;
    });

    SecurityFilesReloader(List<Watched> files) {
        this.files = List.copyOf(files);
    }

    /**
     * Starts watching: notes how the files look now (they were just loaded), handles SIGHUP
     * where the platform has it, and polls every {@code pollPeriod}.
     */
    void start(Duration pollPeriod) {
        if (files.isEmpty()) {
            return;
        }
        executor.execute(() -> files.forEach(watched -> stamps.put(watched.file(), stampOrNull(watched.file()))));
        try {
            SignalHandler previous = Signal.handle(new Signal("HUP"),
                    signal -> executor.execute(() -> reloadAll("SIGHUP")));
            if (previous == SignalHandler.SIG_IGN) {
                // The JVM leaves a signal ignored at its start (nohup) alone and installs nothing.
                LOG.warn("SIGHUP is ignored by this process (started under nohup?): the password and ACL files "
                        + "reload only when they change, not on SIGHUP");
            }
        } catch (IllegalArgumentException unsupported) {
            LOG.info("No SIGHUP on this platform: the password and ACL files reload when they change");
        }
        executor.scheduleWithFixedDelay(this::reloadChanged, pollPeriod.toMillis(), pollPeriod.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void reloadAll(String why) {
        for (Watched watched : files) {
            reload(watched, why);
        }
    }

    private void reloadChanged() {
        for (Watched watched : files) {
            Stamp now = stampOrNull(watched.file());
            if (!Objects.equals(now, stamps.get(watched.file()))) {
                reload(watched, now == null ? "the file is gone" : "the file changed");
            }
        }
    }

    private void reload(Watched watched, String why) {
        // Stamped before reading: a change made while it is read is seen at the next poll.
        stamps.put(watched.file(), stampOrNull(watched.file()));
        try {
            String summary = watched.reload().call();
            LOG.info("Reloaded the {} {} ({}): {}", watched.what(), watched.file(), why, summary);
        } catch (Exception e) {
            LOG.error("Kept the previous {}: {} cannot be used ({}): {}", watched.what(), watched.file(), why,
                    e.getMessage());
        }
    }

    private static Stamp stampOrNull(Path file) {
        try {
            return Stamp.of(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.debug("Cannot read the attributes of {}: {}", file, e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
