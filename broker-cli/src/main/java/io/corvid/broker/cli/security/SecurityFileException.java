package io.corvid.broker.cli.security;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A password or ACL file that cannot be used as it stands. The message names the file, the
 * line (counted from 1) and what is wrong with it, ready for the log or the console; it never
 * repeats a password hash.
 */
public final class SecurityFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int lineNumber;

    /**
     * @param file       the file that was read
     * @param lineNumber the offending line, counted from 1, or 0 when the file as a whole is at fault
     * @param problem    what is wrong, without secrets
     */
    public SecurityFileException(Path file, int lineNumber, String problem) {
        super(file + (lineNumber > 0 ? ", line " + lineNumber : "") + ": " + problem);
        this.file = file;
        this.lineNumber = lineNumber;
    }

    /** The file that was read. */
    public Path file() {
        return file;
    }

    /** The offending line, counted from 1, or 0 when the file as a whole is at fault. */
    public int lineNumber() {
        return lineNumber;
    }
}
