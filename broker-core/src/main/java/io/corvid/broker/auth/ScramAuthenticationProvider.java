package io.corvid.broker.auth;

import io.corvid.broker.AuthenticationExchange;
import io.corvid.broker.AuthenticationRequest;
import io.corvid.broker.EnhancedAuthenticationProvider;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * SCRAM-SHA-256 or SCRAM-SHA-512 as an MQTT 5.0 enhanced authentication method (RFC 5802,
 * RFC 7677). The client's first message travels in CONNECT's Authentication Data, the server's
 * challenge in AUTH 0x18, the client's proof in AUTH 0x18, and the server's signature in
 * CONNACK (or in AUTH 0x00 after a re-authentication).
 *
 * <p>An unknown user goes through the same exchange with made-up credentials and fails at the
 * proof, so the exchange does not reveal which users exist. User names are compared as sent
 * (no SASLprep).
 */
public final class ScramAuthenticationProvider implements EnhancedAuthenticationProvider {
    private static final int NONCE_BYTES = 24;

    private final ScramMechanism mechanism;
    private final ScramCredentialStore store;
    private final Supplier<String> nonces;
    private final byte[] decoySecret;

    /**
     * @param mechanism which SCRAM variant
     * @param store     where users' credentials come from
     */
    public ScramAuthenticationProvider(ScramMechanism mechanism, ScramCredentialStore store) {
        this(mechanism, store, randomNonces(new SecureRandom()));
    }

    ScramAuthenticationProvider(ScramMechanism mechanism, ScramCredentialStore store, Supplier<String> nonces) {
        this.mechanism = Objects.requireNonNull(mechanism, "mechanism");
        this.store = Objects.requireNonNull(store, "store");
        this.nonces = nonces;
        this.decoySecret = new byte[32];
        new SecureRandom().nextBytes(decoySecret);
    }

    @Override
    public String method() {
        return mechanism.methodName();
    }

    @Override
    public AuthenticationExchange start(AuthenticationRequest request) {
        return new ScramExchange(mechanism, this::credentialsOrDecoy, nonces);
    }

    private ScramCredentials credentialsOrDecoy(String username) {
        ScramCredentials found = store.lookup(username);
        if (found != null && found.mechanism() == mechanism) {
            return found;
        }
        // Same salt every time for the same unknown name, keys that match no proof.
        byte[] salt = Arrays.copyOf(ScramCrypto.hmac(mechanism, decoySecret,
                username.getBytes(StandardCharsets.UTF_8)), 16);
        byte[] impossible = new byte[mechanism.keyLength()];
        new SecureRandom().nextBytes(impossible);
        return new ScramCredentials(mechanism, salt, 4096, impossible, impossible);
    }

    private static Supplier<String> randomNonces(SecureRandom random) {
        return () -> {
            byte[] bytes = new byte[NONCE_BYTES];
            random.nextBytes(bytes);
            return Base64.getEncoder().withoutPadding().encodeToString(bytes);
        };
    }
}
