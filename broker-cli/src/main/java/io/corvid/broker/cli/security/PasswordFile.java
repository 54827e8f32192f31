package io.corvid.broker.cli.security;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A password file in Mosquitto's format, {@code user:$7$...} or {@code user:$6$...} a line, as
 * {@code mosquitto_passwd} writes it. Blank lines and lines starting with {@code #} are kept but
 * carry no user. Immutable: {@link #withUser} and {@link #withoutUser} return a changed copy that
 * keeps every other line, comments included, where it was.
 *
 * <p>Stricter than Mosquitto, which logs and skips a bad line (and silently skips a line
 * without {@code :}): here any bad line makes the whole file unusable, so that a typo cannot
 * quietly lock a user out or leave an old entry in force. A user named twice is an error too
 * (Mosquitto would keep one of the two, unspecified which).
 */
public final class PasswordFile {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final int MAX_USERNAME_LENGTH = 65535;

    /** One line of the file as written, and the user it defines ({@code null} for blanks and comments). */
    private record Line(String text, String user) {
    }

    private final List<Line> lines;
    private final Map<String, PasswordHash> users;

    private PasswordFile(List<Line> lines, Map<String, PasswordHash> users) {
        this.lines = List.copyOf(lines);
        this.users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
    }

    /** A file with no lines. */
    public static PasswordFile empty() {
        return new PasswordFile(List.of(), Map.of());
    }

    /**
     * Reads a password file (UTF-8).
     *
     * @throws SecurityFileException when a line is malformed: the message names the file, the
     *                               line and the fault
     * @throws IOException           when the file cannot be read
     */
    public static PasswordFile read(Path file) throws IOException {
        return parse(file, TextFiles.readUtf8Lines(file));
    }

    /**
     * Reads the lines of a password file.
     *
     * @param source names the file in error messages
     * @throws SecurityFileException when a line is malformed
     */
    public static PasswordFile parse(Path source, List<String> text) throws SecurityFileException {
        List<Line> lines = new ArrayList<>(text.size());
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        for (int i = 0; i < text.size(); i++) {
            String line = text.get(i);
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                lines.add(new Line(line, null));
                continue;
            }
            int lineNumber = i + 1;
            int colon = trimmed.indexOf(':');
            if (colon < 0) {
                throw new SecurityFileException(source, lineNumber, "expected user:hash, found no ':'");
            }
            // Mosquitto trims blanks around both fields; so does this reader.
            String user = trimmed.substring(0, colon).strip();
            String encoded = trimmed.substring(colon + 1).strip();
            if (user.isEmpty()) {
                throw new SecurityFileException(source, lineNumber, "empty user name");
            }
            if (user.chars().anyMatch(Character::isISOControl)) {
                // mosquitto_passwd and `corvid passwd` refuse such a name, so one here was not written by
                // them: a damaged or hand-edited line, refused like any other bad line.
                throw new SecurityFileException(source, lineNumber, "the user name contains a control character");
            }
            if (encoded.isEmpty()) {
                throw new SecurityFileException(source, lineNumber, "no password hash for user '" + user + "'");
            }
            if (encoded.indexOf(':') >= 0) {
                throw new SecurityFileException(source, lineNumber, "more than one ':' (user names cannot contain ':')");
            }
            PasswordHash hash;
            try {
                hash = PasswordHash.parse(encoded);
            } catch (IllegalArgumentException e) {
                throw new SecurityFileException(source, lineNumber, "user '" + user + "': " + e.getMessage());
            }
            if (users.putIfAbsent(user, hash) != null) {
                throw new SecurityFileException(source, lineNumber, "user '" + user + "' is already defined above");
            }
            lines.add(new Line(line, user));
        }
        return new PasswordFile(lines, users);
    }

    /** The users and their hashes, in file order; unmodifiable. */
    public Map<String, PasswordHash> users() {
        return users;
    }

    /**
     * This file with the user's hash set: its line is replaced where it stands, or a new line is
     * appended.
     *
     * @throws IllegalArgumentException when the user name cannot be written to the file (see
     *                                  {@link #checkUsername})
     */
    public PasswordFile withUser(String user, PasswordHash hash) {
        checkUsername(user);
        Objects.requireNonNull(hash, "hash");
        List<Line> changed = new ArrayList<>(lines);
        Line line = new Line(user + ":" + hash.encode(), user);
        int index = indexOf(user);
        if (index >= 0) {
            changed.set(index, line);
        } else {
            changed.add(line);
        }
        Map<String, PasswordHash> changedUsers = new LinkedHashMap<>(users);
        changedUsers.put(user, hash);
        return new PasswordFile(changed, changedUsers);
    }

    /** This file without the user's line; the same file when the user is not in it. */
    public PasswordFile withoutUser(String user) {
        int index = indexOf(user);
        if (index < 0) {
            return this;
        }
        List<Line> changed = new ArrayList<>(lines);
        changed.remove(index);
        Map<String, PasswordHash> changedUsers = new LinkedHashMap<>(users);
        changedUsers.remove(user);
        return new PasswordFile(changed, changedUsers);
    }

    /**
     * Refuses a user name that Mosquitto's tools refuse ({@code :}, control characters, longer
     * than 65535) or that would read back differently: blank at either end (trimmed on reading),
     * or starting with {@code #} (a comment).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void checkUsername(String user) {
        Objects.requireNonNull(user, "user");
        if (user.isEmpty()) {
            throw new IllegalArgumentException("the user name is empty");
        }
        if (user.length() > MAX_USERNAME_LENGTH) {
            throw new IllegalArgumentException("the user name is longer than " + MAX_USERNAME_LENGTH + " characters");
        }
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("the user name contains ':'");
        }
        if (user.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the user name contains a control character");
        }
        if (!user.equals(user.strip())) {
            throw new IllegalArgumentException("the user name starts or ends with a blank");
        }
        if (user.startsWith("#")) {
            throw new IllegalArgumentException("the user name starts with '#', which marks a comment");
        }
    }

    /**
     * Writes the file: to a temporary file in the same directory, then moved over the target,
     * so that a broker reloading at the same moment sees the old file or the new one, never half
     * of one. A new file is readable by its owner only (where the file system has POSIX
     * permissions); an existing file keeps its permissions.
     */
    public void write(Path file) throws IOException {
        Path target = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
        Path directory = target.getParent();
        boolean posix = Files.getFileStore(directory).supportsFileAttributeView(PosixFileAttributeView.class);
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        Path temporary = Files.createTempFile(directory, "." + target.getFileName(), ".tmp", attributes);
        try {
            StringBuilder text = new StringBuilder();
            for (Line line : lines) {
                text.append(line.text()).append('\n');
            }
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            if (posix && Files.exists(target)) {
                Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS));
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private int indexOf(String user) {
        for (int i = 0; i < lines.size(); i++) {
            if (user.equals(lines.get(i).user())) {
                return i;
            }
        }
        return -1;
    }
}
