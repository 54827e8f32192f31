package io.corvid.broker.auth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a server stores for one SCRAM user (RFC 5802 section 3): never the password, only the
 * salt, the iteration count and two derived keys.
 *
 * @param mechanism  the SCRAM variant the keys were derived for
 * @param salt       the salt
 * @param iterations the PBKDF2 iteration count (at least 4096 is recommended)
 * @param storedKey  H(HMAC(SaltedPassword, "Client Key"))
 * @param serverKey  HMAC(SaltedPassword, "Server Key")
 */
public record ScramCredentials(ScramMechanism mechanism, byte[] salt, int iterations, byte[] storedKey,
                               byte[] serverKey) {
    public ScramCredentials {
        Objects.requireNonNull(mechanism, "mechanism");
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive: " + iterations);
        }
    }

    /** Derives the stored credentials from a password, as a user database would at sign-up. */
    public static ScramCredentials fromPassword(ScramMechanism mechanism, String password, byte[] salt, int iterations) {
        byte[] salted = ScramCrypto.saltedPassword(mechanism, password, salt, iterations);
        byte[] clientKey = ScramCrypto.hmac(mechanism, salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = ScramCrypto.hash(mechanism, clientKey);
        byte[] serverKey = ScramCrypto.hmac(mechanism, salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        return new ScramCredentials(mechanism, salt, iterations, storedKey, serverKey);
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredentials other && mechanism == other.mechanism && iterations == other.iterations
                && Arrays.equals(salt, other.salt) && Arrays.equals(storedKey, other.storedKey)
                && Arrays.equals(serverKey, other.serverKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mechanism, iterations, Arrays.hashCode(salt), Arrays.hashCode(storedKey),
                Arrays.hashCode(serverKey));
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "ScramCredentials[" + mechanism + ", iterations=" + iterations + "]";
    }
}
