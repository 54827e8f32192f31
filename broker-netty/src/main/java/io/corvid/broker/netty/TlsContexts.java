package io.corvid.broker.netty;

import io.corvid.broker.Listener;
import io.corvid.broker.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a listener's Netty {@link SslContext} from its {@link TlsConfig}: the server key from
 * a PKCS12 key store or PEM files, the TLS versions, and client certificates checked against a
 * PKCS12 trust store or PEM authorities.
 *
 * <p>Two engines can run it: OpenSSL (BoringSSL from netty-tcnative, preferred when its native
 * library loads) and the JDK's. {@link Engine#choose(boolean)} picks one per transport.
 */
final class TlsContexts {

    /** The TLS implementation behind every SslHandler of a transport. */
    record Engine(SslProvider provider, String description) {

        /**
         * OpenSSL when netty-tcnative loads and the JDK's engine is not forced, else the JDK's.
         *
         * @param forceJdk use the JDK's engine even where OpenSSL would load
         */
        static Engine choose(boolean forceJdk) {
            if (forceJdk) {
                return new Engine(SslProvider.JDK, "JDK (forced)");
            }
            String whyNot;
            try {
                if (OpenSsl.isAvailable()) {
                    return new Engine(SslProvider.OPENSSL, "OpenSSL (" + OpenSsl.versionString() + ", netty-tcnative)");
                }
                whyNot = String.valueOf(OpenSsl.unavailabilityCause());
            } catch (LinkageError e) {
                // netty-tcnative-classes left off the class path.
                whyNot = e.toString();
            }
            return new Engine(SslProvider.JDK, "JDK (OpenSSL unavailable: " + whyNot + ")");
        }
    }

    private TlsContexts() {
    }

    /**
     * The server context of {@code listener}.
     *
     * @throws IOException naming the listener and the file when a store or key cannot be read
     */
    static SslContext forListener(Listener listener, Engine engine) throws IOException {
        TlsConfig tls = listener.tls();
        String what = "listener " + listener.name() + ": ";
        SslContextBuilder builder;
        if (tls.keyStore() != null) {
            KeyStore store = loadPkcs12(tls.keyStore(), tls.keyStorePassword(), what + "key store");
            try {
                KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, passwordOrEmpty(tls.keyStorePassword()));
                builder = SslContextBuilder.forServer(keys);
            } catch (GeneralSecurityException e) {
                throw new IOException(what + "cannot read the key in key store " + tls.keyStore() + ": " + e.getMessage(),
                        e);
            }
        } else {
            requireReadable(tls.certificateChain(), what + "certificate chain");
            requireReadable(tls.privateKey(), what + "private key");
            char[] keyPassword = tls.privateKeyPassword();
            try {
                builder = SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile(),
                        keyPassword == null ? null : new String(keyPassword));
            } catch (IllegalArgumentException e) {
                throw new IOException(what + "cannot read the PEM certificate chain " + tls.certificateChain()
                        + " or private key " + tls.privateKey() + ": " + rootMessage(e), e);
            }
        }
        builder.sslProvider(engine.provider())
                .protocols(tls.protocols())
                .clientAuth(switch (tls.clientAuth()) {
                    case NONE -> ClientAuth.NONE;
                    case OPTIONAL -> ClientAuth.OPTIONAL;
                    case REQUIRE -> ClientAuth.REQUIRE;
                });
        if (tls.trustStore() != null) {
            KeyStore trusted = loadPkcs12(tls.trustStore(), tls.trustStorePassword(), what + "trust store");
            try {
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trusted);
                builder.trustManager(trust);
            } catch (GeneralSecurityException e) {
                throw new IOException(what + "cannot use trust store " + tls.trustStore() + ": " + e.getMessage(), e);
            }
        } else if (tls.trustedCertificates() != null) {
            requireReadable(tls.trustedCertificates(), what + "trusted certificates");
            try {
                builder.trustManager(tls.trustedCertificates().toFile());
            } catch (IllegalArgumentException e) {
                throw new IOException(what + "cannot read trusted certificates " + tls.trustedCertificates() + ": "
                        + rootMessage(e), e);
            }
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException(what + "invalid TLS settings " + tls + ": " + rootMessage(e), e);
        }
    }

    /**
     * Loads a PKCS12 store. A store given without a password is read with the empty one, as
     * {@code openssl pkcs12 -passout pass:} writes it (reading it with {@code null} would skip its
     * encrypted certificates), and failing that with none at all (a store without protection).
     */
    private static KeyStore loadPkcs12(Path path, char[] password, String what) throws IOException {
        requireReadable(path, what);
        try {
            return loadPkcs12(path, passwordOrEmpty(password));
        } catch (IOException e) {
            if (password == null) {
                try {
                    return loadPkcs12(path, null);
                } catch (IOException | GeneralSecurityException ignored) {
                    // report the first failure
                }
            }
            // KeyStore.load reports a wrong password as an IOException whose cause is UnrecoverableKeyException.
            throw new IOException(what + " " + path + " cannot be read (wrong password?): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IOException(what + " " + path + " is not a readable PKCS12 store: " + e.getMessage(), e);
        }
    }

    private static KeyStore loadPkcs12(Path path, char[] password) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        }
    }

    private static char[] passwordOrEmpty(char[] password) {
        return password == null ? new char[0] : password;
    }

    private static void requireReadable(Path path, String what) throws IOException {
        if (!Files.isReadable(path)) {
            throw new IOException(what + " " + path + " does not exist or cannot be read");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }
}
