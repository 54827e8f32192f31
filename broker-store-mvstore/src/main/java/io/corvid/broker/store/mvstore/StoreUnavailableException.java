package io.corvid.broker.store.mvstore;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Thrown by {@link MvStoreSessionStore#open} when the store file cannot be used. The store never
 * starts empty in place of a file it cannot read: the message names the file and what to do.
 */
public final class StoreUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Why the file cannot be used. */
    public enum Reason {
        /** The file is damaged: truncated, overwritten, or not a session store at all. */
        DAMAGED,
        /** Another open store holds the file: another broker process, or this JVM opened it twice. */
        LOCKED,
        /** The file was written by a newer version, in a format this one cannot read. */
        NEWER_FORMAT,
        /** The file or its directory cannot be read or written (permissions, disk full, I/O error). */
        UNREADABLE
    }

    private final Reason reason;
    private final transient Path file;

    StoreUnavailableException(Reason reason, Path file, String detail, Throwable cause) {
        super(message(reason, file, detail), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.file = file;
    }

    /** Why the file cannot be used. */
    public Reason reason() {
        return reason;
    }

    /** The store file. */
    public Path file() {
        return file;
    }

    private static String message(Reason reason, Path file, String detail) {
        return switch (reason) {
            case DAMAGED -> "Session store file " + file + " is damaged (" + detail + "). The broker does not "
                    + "start with empty state in its place: restore a backup of the file, or move the file aside "
                    + "to start empty.";
            case LOCKED -> "Session store file " + file + " is in use by another open store (" + detail + "). "
                    + "Stop the other broker using it, or give this one its own data directory.";
            case NEWER_FORMAT -> "Session store file " + file + " was written by a newer version (" + detail + "). "
                    + "Run that version, or restore a backup made with this one, or move the file aside to "
                    + "start empty.";
            case UNREADABLE -> "Session store file " + file + " cannot be opened (" + detail + "). Check that its "
                    + "directory exists and is readable and writable by this process, and that the disk is not "
                    + "full, then start again.";
        };
    }
}
