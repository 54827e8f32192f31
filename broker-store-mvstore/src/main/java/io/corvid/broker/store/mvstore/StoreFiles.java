package io.corvid.broker.store.mvstore;

import io.corvid.broker.store.mvstore.StoreUnavailableException.Reason;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store file: creates it if there is none, refuses it if it is locked, damaged or of
 * a newer format, and checks every record before handing it over. Each failure is a
 * {@link StoreUnavailableException} that names the file; nothing is ever started empty in place
 * of a file that exists.
 */
final class StoreFiles {
    static final String FILE_NAME = "sessions.mvstore";
    /** The format this version writes, and the newest it reads. */
    static final int FORMAT_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(StoreFiles.class);
    private static final String NEW_SUFFIX = ".new";
    /**
     * Files open in this JVM. The operating system's file lock does not see a second opening
     * from the same process, and closing a second channel on a locked file would release the
     * first one's lock: a second open must not reach the file at all.
     */
    private static final Set<Path> OPEN_FILES = ConcurrentHashMap.newKeySet();

    private StoreFiles() {
    }

    /** Opens (or creates) the store in {@code directory}, checked and ready for the writer. */
    static StoreMaps open(Path directory, Durability durability) {
        Path file = directory.toAbsolutePath().normalize().resolve(FILE_NAME);
        Path identity = identity(directory, file);
        if (!OPEN_FILES.add(identity)) {
            throw new StoreUnavailableException(Reason.LOCKED, file, "already open in this JVM", null);
        }
        try {
            if (Files.notExists(file)) {
                create(file, durability);
            } else if (size(file) == 0) {
                throw new StoreUnavailableException(Reason.DAMAGED, file, "the file is empty", null);
            }
            long cleanVersion = cleanShutdownVersion(file);
            StoreMaps maps = new StoreMaps(file, identity, builder(file).open());
            try {
                checkComplete(maps, cleanVersion);
                checkFormat(maps);
                StoreScan.verify(maps);
                configure(maps.store);
                return maps;
            } catch (RuntimeException e) {
                maps.store.closeImmediately();
                throw e;
            }
        } catch (CorruptRecordException e) {
            OPEN_FILES.remove(identity);
            throw new StoreUnavailableException(Reason.DAMAGED, file, e.getMessage(), e);
        } catch (MVStoreException e) {
            OPEN_FILES.remove(identity);
            throw translate(file, e);
        } catch (RuntimeException e) {
            OPEN_FILES.remove(identity);
            if (e instanceof StoreUnavailableException) {
                throw e;
            }
            // A damaged file can fail MVStore in many ways besides its own exception.
            throw new StoreUnavailableException(Reason.DAMAGED, file, e.toString(), e);
        }
    }

    /** Forgets that a store is open in this JVM; called once it is closed. */
    static void released(StoreMaps maps) {
        if (maps.identity != null) {
            OPEN_FILES.remove(maps.identity);
        }
    }

    private static Path identity(Path directory, Path file) {
        try {
            Files.createDirectories(directory);
            return directory.toRealPath().resolve(FILE_NAME);
        } catch (IOException e) {
            throw new StoreUnavailableException(Reason.UNREADABLE, file, "cannot create or resolve its directory: "
                    + e, e);
        }
    }

    /**
     * Creates a store with its metadata under a temporary name, then renames it into place, so
     * that the store file, once there, always holds its metadata: a file without it is damaged.
     */
    private static void create(Path file, Durability durability) {
        Path fresh = file.resolveSibling(FILE_NAME + NEW_SUFFIX);
        try {
            Files.deleteIfExists(fresh);
            MVStore store = builder(fresh).open();
            try {
                StoreMaps maps = new StoreMaps(fresh, null, store);
                maps.putMeta(StoreMaps.FORMAT_KEY, Integer.toString(FORMAT_VERSION));
                maps.putMeta(StoreMaps.CREATED_KEY, Instant.now().toString());
                store.commit();
                store.sync();
            } finally {
                store.close();
            }
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
            if (durability == Durability.FSYNC) {
                syncDirectory(file.getParent());
            }
            LOG.info("Created session store {}", file);
        } catch (IOException e) {
            throw new StoreUnavailableException(Reason.UNREADABLE, file, "cannot create it: " + e, e);
        } catch (MVStoreException e) {
            throw new StoreUnavailableException(Reason.UNREADABLE, file, "cannot create it: " + e.getMessage(), e);
        }
    }

    private static MVStore.Builder builder(Path file) {
        // No background thread and no commit on a memory threshold: the writer alone commits, and
        // a commit writes its chunk through the FileChannel before it returns (with a background
        // thread, MVStore would hand the write to executors of its own).
        return new MVStore.Builder()
                .fileName(file.toString())
                .autoCommitDisabled()
                .autoCommitBufferSize(0);
    }


    private static long cleanShutdownVersion(Path file) {
        try {
            return FileHeader.cleanShutdownVersion(file);
        } catch (IOException e) {
            throw new StoreUnavailableException(Reason.UNREADABLE, file, e.toString(), e);
        }
    }

    /** A cleanly closed file must open at the version it was closed at (see {@link FileHeader}). */
    private static void checkComplete(StoreMaps maps, long cleanVersion) {
        long version = maps.store.getCurrentVersion();
        if (cleanVersion >= 0 && version < cleanVersion) {
            throw new StoreUnavailableException(Reason.DAMAGED, maps.file, "it was closed at version " + cleanVersion
                    + " but only version " + version + " is complete: cut short or overwritten", null);
        }
    }

    /**
     * Forces a closed store file to disk: MVStore does not force what it writes when it closes
     * (the last commit, the clean-shutdown mark), and a clean-shutdown mark on disk without the
     * commit it names would make the file look cut short.
     */
    static void syncClosed(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.warn("Could not force closed session store {} to disk: {}", file, e.toString());
        }
    }

    private static void checkFormat(StoreMaps maps) {
        String format = maps.metaValue(StoreMaps.FORMAT_KEY);
        if (format == null) {
            throw new StoreUnavailableException(Reason.DAMAGED, maps.file,
                    "it holds no store metadata: not a session store, or cut short", null);
        }
        int version;
        try {
            version = Integer.parseInt(format);
        } catch (NumberFormatException e) {
            throw new StoreUnavailableException(Reason.DAMAGED, maps.file, "format version '" + format + "'", e);
        }
        if (version > FORMAT_VERSION) {
            throw new StoreUnavailableException(Reason.NEWER_FORMAT, maps.file, "store format " + version
                    + ", this version reads up to " + FORMAT_VERSION, null);
        }
        if (version < 1) {
            throw new StoreUnavailableException(Reason.DAMAGED, maps.file, "format version " + version, null);
        }
    }

    private static void configure(MVStore store) {
        // Nothing reads old versions (no rollback, no reader besides the writer thread), so a
        // chunk can be reused as soon as no version newer than the last commit needs it. In FSYNC
        // mode that last commit is on disk; in OS mode a power loss can leave the file without
        // any complete version (see docs/persistence.md), whatever the retention time, since
        // MVStore 2.4 counts it from a chunk's creation, not from its last use.
        store.setVersionsToKeep(0);
        store.setRetentionTime(0);
    }

    private static StoreUnavailableException translate(Path file, MVStoreException e) {
        return switch (e.getErrorCode()) {
            case DataUtils.ERROR_FILE_LOCKED -> new StoreUnavailableException(Reason.LOCKED, file,
                    "another process holds its lock", e);
            case DataUtils.ERROR_UNSUPPORTED_FORMAT -> new StoreUnavailableException(Reason.NEWER_FORMAT, file,
                    e.getMessage(), e);
            case DataUtils.ERROR_READING_FAILED, DataUtils.ERROR_WRITING_FAILED ->
                    // A read past the end of a cut-short file fails like any read: only a file this
                    // process may not use is "unreadable", anything else is the file's fault.
                    e.getCause() instanceof AccessDeniedException || !Files.isReadable(file) || !Files.isWritable(file)
                            ? new StoreUnavailableException(Reason.UNREADABLE, file, e.getMessage(), e)
                            : new StoreUnavailableException(Reason.DAMAGED, file, e.getMessage(), e);
            default -> new StoreUnavailableException(Reason.DAMAGED, file, e.getMessage(), e);
        };
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new StoreUnavailableException(Reason.UNREADABLE, file, e.toString(), e);
        }
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory; the file itself is synced.
            LOG.debug("Could not sync directory {}: {}", directory, e.toString());
        }
    }
}
