package io.corvid.broker.cli.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A salted password hash as Mosquitto's password file holds it (the part after {@code user:}).
 *
 * <ul>
 *   <li>{@code $7$<iterations>$<salt>$<hash>}: PBKDF2-HMAC-SHA512, Mosquitto 2's default, written
 *       by {@link #create} with {@value #DEFAULT_ITERATIONS} iterations as {@code mosquitto_passwd} does;</li>
 *   <li>{@code $6$<salt>$<hash>}: one SHA-512 over the password bytes then the salt bytes,
 *       Mosquitto 1.6 and earlier; read and checked, never written.</li>
 * </ul>
 * Salt and hash are standard Base64 (padding optional); Mosquitto insists on a 12-byte salt and
 * a 64-byte hash, and so does this class. Instances are immutable.
 */
public final class PasswordHash {
    /** Mosquitto 2's iteration count (PW_DEFAULT_ITERATIONS). */
    public static final int DEFAULT_ITERATIONS = 101;
    /** The salt length Mosquitto requires. */
    public static final int SALT_LENGTH = 12;
    /** The length of a SHA-512 output, the only hash length Mosquitto accepts. */
    public static final int HASH_LENGTH = 64;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The two hash types of Mosquitto's password file, by the number that introduces them. */
    public enum Algorithm {
        /** {@code $6$}: SHA-512 over password then salt. */
        SHA512(6),
        /** {@code $7$}: PBKDF2 with HMAC-SHA512. */
        PBKDF2_SHA512(7);

        private final int id;

        Algorithm(int id) {
            this.id = id;
        }

        /** The number between the first two {@code $}. */
        public int id() {
            return id;
        }
    }

    private final Algorithm algorithm;
    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(Algorithm algorithm, int iterations, byte[] salt, byte[] hash) {
        this.algorithm = algorithm;
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /**
     * Reads {@code $7$...} or {@code $6$...}.
     *
     * @throws IllegalArgumentException when the text is not such a hash; the message says what
     *                                  is wrong without repeating the text
     */
    public static PasswordHash parse(String encoded) {
        Objects.requireNonNull(encoded, "encoded");
        if (!encoded.startsWith("$")) {
            throw new IllegalArgumentException("not a hashed password (expected $7$... or $6$...;"
                    + " a plain-text file can be converted with mosquitto_passwd -U)");
        }
        String[] parts = encoded.substring(1).split("\\$", -1);
        return switch (parts[0]) {
            case "7" -> {
                require(parts.length == 4, "a $7$ hash has the form $7$<iterations>$<salt>$<hash>");
                yield new PasswordHash(Algorithm.PBKDF2_SHA512, iterations(parts[1]), salt(parts[2]), hash(parts[3]));
            }
            case "6" -> {
                require(parts.length == 3, "a $6$ hash has the form $6$<salt>$<hash>");
                yield new PasswordHash(Algorithm.SHA512, 1, salt(parts[1]), hash(parts[2]));
            }
            default -> throw new IllegalArgumentException("unknown hash type (expected $7$ or $6$)");
        };
    }

    /** A new {@code $7$} hash of the password with a random salt and {@value #DEFAULT_ITERATIONS} iterations. */
    public static PasswordHash create(byte[] password) {
        Objects.requireNonNull(password, "password");
        byte[] salt = new byte[SALT_LENGTH];
        RANDOM.nextBytes(salt);
        return new PasswordHash(Algorithm.PBKDF2_SHA512, DEFAULT_ITERATIONS, salt,
                pbkdf2(password, salt, DEFAULT_ITERATIONS));
    }

    /**
     * Whether the password (the bytes a client sent) produces this hash. The comparison takes
     * the same time wherever the hashes differ.
     */
    public boolean matches(byte[] password) {
        Objects.requireNonNull(password, "password");
        byte[] candidate = algorithm == Algorithm.SHA512 ? sha512(password, salt) : pbkdf2(password, salt, iterations);
        return MessageDigest.isEqual(candidate, hash);
    }

    /** The text for the password file: {@code $7$101$<salt>$<hash>} or {@code $6$<salt>$<hash>}. */
    public String encode() {
        Base64.Encoder base64 = Base64.getEncoder();
        String prefix = algorithm == Algorithm.PBKDF2_SHA512 ? "$7$" + iterations + "$" : "$6$";
        return prefix + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
    }

    /** The hash type. */
    public Algorithm algorithm() {
        return algorithm;
    }

    /** PBKDF2 iterations; 1 for {@code $6$}. */
    public int iterations() {
        return iterations;
    }

    /** Names the algorithm only: hashes stay out of logs. */
    @Override
    public String toString() {
        return algorithm == Algorithm.PBKDF2_SHA512 ? "$7$ (PBKDF2-SHA512, " + iterations + " iterations)" : "$6$ (SHA-512)";
    }

    private static int iterations(String text) {
        require(!text.isEmpty() && text.length() <= 10 && text.chars().allMatch(c -> c >= '0' && c <= '9'),
                "the iteration count is not a number");
        long value = Long.parseLong(text);
        require(value >= 1 && value <= Integer.MAX_VALUE, "the iteration count must be between 1 and " + Integer.MAX_VALUE);
        return (int) value;
    }

    private static byte[] salt(String text) {
        byte[] salt = base64(text, "salt");
        require(salt.length == SALT_LENGTH, "the salt must be " + SALT_LENGTH + " bytes, not " + salt.length);
        return salt;
    }

    private static byte[] hash(String text) {
        byte[] hash = base64(text, "hash");
        require(hash.length == HASH_LENGTH, "the hash must be " + HASH_LENGTH + " bytes, not " + hash.length);
        return hash;
    }

    private static byte[] base64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + what + " is not valid Base64");
        }
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static byte[] sha512(byte[] password, byte[] salt) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-512");
            digest.update(password);
            digest.update(salt);
            return digest.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-512 is missing from this JVM", e);
        }
    }

    /**
     * PBKDF2-HMAC-SHA512 over the raw password bytes. The JDK's PBKDF2WithHmacSHA512 takes
     * characters and encodes them itself, which cannot reproduce a client's arbitrary binary
     * password, so the (single-block, since the output is exactly one SHA-512 long) derivation
     * is written out over {@link Mac}.
     */
    private static byte[] pbkdf2(byte[] password, byte[] salt, int iterations) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            // SecretKeySpec refuses an empty key; HMAC pads keys with zero bytes, so a single zero
            // byte is the same key as none at all.
            mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA512"));
            mac.update(salt);
            byte[] block = mac.doFinal(new byte[] {0, 0, 0, 1});
            byte[] result = block.clone();
            for (int i = 1; i < iterations; i++) {
                block = mac.doFinal(block);
                for (int j = 0; j < result.length; j++) {
                    result[j] ^= block[j];
                }
            }
            Arrays.fill(block, (byte) 0);
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA512 is missing from this JVM", e);
        }
    }
}
