package io.corvid.broker;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * TLS settings of a listener: the server's key and certificate (a PKCS12 key store, or PEM
 * files), TLS versions, and optional client certificates (mutual TLS).
 */
public final class TlsConfig {

    /** Whether clients must present a certificate. */
    public enum ClientAuth {
        /** No client certificate is requested. */
        NONE,
        /** A certificate is requested; a client without one may still connect. */
        OPTIONAL,
        /** A certificate signed by a trusted authority is required. */
        REQUIRE
    }

    private final Path keyStore;
    private final char[] keyStorePassword;
    private final Path certificateChain;
    private final Path privateKey;
    private final char[] privateKeyPassword;
    private final ClientAuth clientAuth;
    private final Path trustStore;
    private final char[] trustStorePassword;
    private final Path trustedCertificates;
    private final List<String> protocols;
    private final boolean useIdentityAsUsername;

    private TlsConfig(Builder builder) {
        this.keyStore = builder.keyStore;
        this.keyStorePassword = builder.keyStorePassword;
        this.certificateChain = builder.certificateChain;
        this.privateKey = builder.privateKey;
        this.privateKeyPassword = builder.privateKeyPassword;
        this.clientAuth = builder.clientAuth;
        this.trustStore = builder.trustStore;
        this.trustStorePassword = builder.trustStorePassword;
        this.trustedCertificates = builder.trustedCertificates;
        this.protocols = List.copyOf(builder.protocols);
        this.useIdentityAsUsername = builder.useIdentityAsUsername;
    }

    /**
     * Server key and certificate chain from a PKCS12 key store.
     *
     * @param password the store's password, or {@code null} for a store without one
     */
    public static Builder keyStore(Path pkcs12, char[] password) {
        Builder builder = new Builder();
        builder.keyStore = Objects.requireNonNull(pkcs12, "pkcs12");
        builder.keyStorePassword = password == null ? null : password.clone();
        return builder;
    }

    /**
     * Server key and certificate chain from PEM files.
     *
     * @param certificateChain the server certificate followed by any intermediates
     * @param privateKey       the PKCS#8 private key
     * @param keyPassword      the key's password, or {@code null} when it is not encrypted
     */
    public static Builder pem(Path certificateChain, Path privateKey, char[] keyPassword) {
        Builder builder = new Builder();
        builder.certificateChain = Objects.requireNonNull(certificateChain, "certificateChain");
        builder.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        builder.privateKeyPassword = keyPassword == null ? null : keyPassword.clone();
        return builder;
    }

    /** The PKCS12 key store, or {@code null} when PEM files are used. */
    public Path keyStore() {
        return keyStore;
    }

    /** The key store password, or {@code null}. */
    public char[] keyStorePassword() {
        return keyStorePassword == null ? null : keyStorePassword.clone();
    }

    /** The PEM certificate chain, or {@code null} when a key store is used. */
    public Path certificateChain() {
        return certificateChain;
    }

    /** The PEM private key, or {@code null} when a key store is used. */
    public Path privateKey() {
        return privateKey;
    }

    /** The PEM private key's password, or {@code null}. */
    public char[] privateKeyPassword() {
        return privateKeyPassword == null ? null : privateKeyPassword.clone();
    }

    /** Whether client certificates are requested or required. */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** A PKCS12 trust store of the authorities that sign client certificates, or {@code null}. */
    public Path trustStore() {
        return trustStore;
    }

    /** The trust store password, or {@code null}. */
    public char[] trustStorePassword() {
        return trustStorePassword == null ? null : trustStorePassword.clone();
    }

    /** A PEM file of the authorities that sign client certificates, or {@code null}. */
    public Path trustedCertificates() {
        return trustedCertificates;
    }

    /** The TLS versions offered, such as TLSv1.3 and TLSv1.2. */
    public List<String> protocols() {
        return protocols;
    }

    /** Whether a client certificate's subject replaces the MQTT user name. */
    public boolean useIdentityAsUsername() {
        return useIdentityAsUsername;
    }

    /** Never prints passwords. */
    @Override
    public String toString() {
        return "TlsConfig[" + (keyStore != null ? "keyStore=" + keyStore : "pem=" + certificateChain)
                + ", clientAuth=" + clientAuth + ", protocols=" + protocols + "]";
    }

    /** Builds a {@link TlsConfig}; start with {@link TlsConfig#keyStore} or {@link TlsConfig#pem}. */
    public static final class Builder {
        private Path keyStore;
        private char[] keyStorePassword;
        private Path certificateChain;
        private Path privateKey;
        private char[] privateKeyPassword;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Path trustStore;
        private char[] trustStorePassword;
        private Path trustedCertificates;
        private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
        private boolean useIdentityAsUsername;

        private Builder() {
        }

        /** Requests or requires client certificates. Default NONE. */
        public Builder clientAuth(ClientAuth mode) {
            this.clientAuth = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Trusts the authorities in a PKCS12 trust store for client certificates. */
        public Builder trustStore(Path pkcs12, char[] password) {
            this.trustStore = Objects.requireNonNull(pkcs12, "pkcs12");
            this.trustStorePassword = password == null ? null : password.clone();
            return this;
        }

        /** Trusts the authorities in a PEM file for client certificates. */
        public Builder trustedCertificates(Path pem) {
            this.trustedCertificates = Objects.requireNonNull(pem, "pem");
            return this;
        }

        /** The TLS versions to offer. Default TLSv1.3 and TLSv1.2. */
        public Builder protocols(String... versions) {
            if (versions.length == 0) {
                throw new IllegalArgumentException("at least one TLS version");
            }
            this.protocols = List.of(versions);
            return this;
        }

        /** Uses the client certificate's subject as the MQTT user name. Default false. */
        public Builder useIdentityAsUsername(boolean use) {
            this.useIdentityAsUsername = use;
            return this;
        }

        public TlsConfig build() {
            if (clientAuth != ClientAuth.NONE && trustStore == null && trustedCertificates == null) {
                throw new IllegalStateException("client certificates need a trust store or trusted certificates");
            }
            return new TlsConfig(this);
        }
    }
}
