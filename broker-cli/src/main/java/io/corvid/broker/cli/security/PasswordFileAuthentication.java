package io.corvid.broker.cli.security;

import io.corvid.broker.Authentication;
import io.corvid.broker.AuthenticationRequest;
import io.corvid.broker.AuthenticationResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks user names and passwords against a Mosquitto password file ({@link PasswordFile}).
 *
 * <ul>
 *   <li>a user in the file with the right password: allowed;</li>
 *   <li>a wrong password, no password, or a user not in the file: 0x86 Bad User Name or
 *       Password ({@link AuthenticationResult#badCredentials()});</li>
 *   <li>no user name at all (anonymous): allowed when {@code allowAnonymous}, else 0x87 Not
 *       Authorized, as Mosquitto's {@code allow_anonymous} decides.</li>
 * </ul>
 *
 * <p>The password is checked as the bytes the client sent. Mosquitto checks only up to the
 * first zero byte (it treats the password as a C string), so {@code "secret\0junk"} gets in
 * there for {@code secret} and not here. (Trailing zero bytes alone cannot be told apart by
 * PBKDF2, whose HMAC pads every key with zeros; that holds for Mosquitto too.)
 *
 * <p>{@link #reload()} reads the file again; connected clients are not affected.
 */
public final class PasswordFileAuthentication implements Authentication {
    private static final Logger LOG = LoggerFactory.getLogger(PasswordFileAuthentication.class);
    /** Above this, a check is no longer cheap enough for a network thread: warn the operator. */
    private static final int ITERATIONS_WARNING = 10_000;
    /**
     * Checked when the user is unknown, so that a refusal takes as long for an unknown user as
     * for a wrong password and the timing does not tell which user names exist.
     */
    private static final PasswordHash DECOY = PasswordHash.create(new byte[] {'d', 'e', 'c', 'o', 'y'});

    private final Path file;
    private final boolean allowAnonymous;
    private volatile Map<String, PasswordHash> users;

    /**
     * Reads the file.
     *
     * @param file           the password file
     * @param allowAnonymous whether a client without a user name may connect
     * @throws SecurityFileException when a line is malformed
     * @throws IOException           when the file cannot be read
     */
    public PasswordFileAuthentication(Path file, boolean allowAnonymous) throws IOException {
        this.file = Objects.requireNonNull(file, "file");
        this.allowAnonymous = allowAnonymous;
        this.users = load();
    }

    /**
     * Reads the file again. When it cannot be read or is malformed, the users read before stay in
     * force and the exception says why, for the caller to log.
     *
     * @return how many users the file now defines
     * @throws SecurityFileException when a line is malformed (the previous users stay)
     * @throws IOException           when the file cannot be read (the previous users stay)
     */
    public int reload() throws IOException {
        Map<String, PasswordHash> loaded = load();
        users = loaded;
        return loaded.size();
    }

    /** The password file. */
    public Path file() {
        return file;
    }

    /** How many users are in force. */
    public int userCount() {
        return users.size();
    }

    /**
     * Decides at once. A {@code $7$} check at Mosquitto's 101 PBKDF2 iterations costs about a
     * tenth of a millisecond, cheap enough for the network thread, so this does not go
     * asynchronous (files with far more iterations are warned about when read).
     */
    @Override
    public AuthenticationResult authenticate(AuthenticationRequest request) {
        String username = request.username();
        if (username == null) {
            return allowAnonymous ? AuthenticationResult.allow() : AuthenticationResult.notAuthorized();
        }
        PasswordHash hash = users.get(username);
        byte[] password = request.password();
        if (hash == null) {
            DECOY.matches(password == null ? new byte[0] : password);
            LOG.debug("Refused user '{}': not in {}", username, file);
            return AuthenticationResult.badCredentials();
        }
        if (password == null || !hash.matches(password)) {
            LOG.debug("Refused user '{}': {}", username, password == null ? "no password" : "wrong password");
            return AuthenticationResult.badCredentials();
        }
        return AuthenticationResult.allow();
    }

    private Map<String, PasswordHash> load() throws IOException {
        Map<String, PasswordHash> loaded = PasswordFile.read(file).users();
        for (Map.Entry<String, PasswordHash> entry : loaded.entrySet()) {
            if (entry.getValue().iterations() > ITERATIONS_WARNING) {
                LOG.warn("User '{}' in {} has a hash of {} iterations: every login of this user costs that much time "
                        + "on a network thread", entry.getKey(), file, entry.getValue().iterations());
            }
        }
        LOG.info("Read {} users from {}", loaded.size(), file);
        return loaded;
    }
}
