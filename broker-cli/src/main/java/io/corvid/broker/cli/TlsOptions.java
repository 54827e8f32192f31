package io.corvid.broker.cli;

import io.corvid.broker.TlsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Key material and TLS settings, shared by the TLS and secure WebSocket listeners. */
final class TlsOptions {
    /** Reads none, optional or require (in any case) as a {@link TlsConfig.ClientAuth}. */
    static final class ClientAuthConverter implements CommandLine.ITypeConverter<TlsConfig.ClientAuth> {
        @Override
        public TlsConfig.ClientAuth convert(String value) {
            try {
                return TlsConfig.ClientAuth.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        "expected none, optional or require, not '" + value + "'");
            }
        }
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--key-store", paramLabel = "<file.p12>",
            description = "PKCS12 key store with the server's key and certificate chain: -p then speaks TLS only.")
    Path keyStore;

    @Option(names = "--key-store-psw", paramLabel = "<password>", defaultValue = "${env:CORVID_KEY_STORE_PSW}",
            description = "Password of the key store (none by default).")
    String keyStorePassword;

    @Option(names = "--cert", paramLabel = "<chain.pem>",
            description = "PEM server certificate chain (instead of --key-store): -p then speaks TLS only.")
    Path certificateChain;

    @Option(names = "--key", paramLabel = "<key.pem>", description = "PEM (PKCS#8) private key of --cert.")
    Path privateKey;

    @Option(names = "--key-psw", paramLabel = "<password>", defaultValue = "${env:CORVID_KEY_PSW}",
            description = "Password of an encrypted --key.")
    String privateKeyPassword;

    @Option(names = "--client-auth", paramLabel = "none|optional|require", converter = ClientAuthConverter.class,
            description = "Client certificates: none (default), optional or require.")
    TlsConfig.ClientAuth clientAuth = TlsConfig.ClientAuth.NONE;

    @Option(names = "--trust-store", paramLabel = "<file.p12>",
            description = "PKCS12 trust store of the authorities that sign client certificates.")
    Path trustStore;

    @Option(names = "--trust-store-psw", paramLabel = "<password>", defaultValue = "${env:CORVID_TRUST_STORE_PSW}",
            description = "Password of the trust store.")
    String trustStorePassword;

    @Option(names = "--ca-file", paramLabel = "<ca.pem>",
            description = "PEM file of the authorities that sign client certificates (instead of --trust-store).")
    Path caFile;

    @Option(names = "--use-identity-as-username",
            description = "The client certificate's subject (RFC 2253) becomes the MQTT user name; such a client "
                    + "needs no password.")
    boolean useIdentityAsUsername;

    @Option(names = "--tls-versions", paramLabel = "<version>", split = ",",
            description = "TLS versions to offer (default: TLSv1.3,TLSv1.2).")
    List<String> tlsVersions;

    /** Whether key material is given, i.e. whether the main listener speaks TLS. */
    boolean enabled() {
        return keyStore != null || certificateChain != null || privateKey != null;
    }

    /**
     * The TLS settings the options describe, or {@code null} when no key material is given.
     *
     * @throws CommandLine.ParameterException when options contradict each other
     */
    TlsConfig tlsConfig() {
        boolean pem = certificateChain != null || privateKey != null;
        if (!enabled()) {
            require(clientAuth == TlsConfig.ClientAuth.NONE && trustStore == null && caFile == null
                    && !useIdentityAsUsername && tlsVersions == null,
                    "TLS options need --key-store or --cert/--key");
            return null;
        }
        require(keyStore == null || !pem, "give either --key-store or --cert/--key, not both");
        require(keyStore != null || (certificateChain != null && privateKey != null), "--cert and --key go together");
        require(trustStore == null || caFile == null, "give either --trust-store or --ca-file, not both");
        TlsConfig.Builder tls = keyStore != null
                ? TlsConfig.keyStore(keyStore, chars(keyStorePassword))
                : TlsConfig.pem(certificateChain, privateKey, chars(privateKeyPassword));
        tls.clientAuth(clientAuth).useIdentityAsUsername(useIdentityAsUsername);
        if (trustStore != null) {
            tls.trustStore(trustStore, chars(trustStorePassword));
        }
        if (caFile != null) {
            tls.trustedCertificates(caFile);
        }
        if (tlsVersions != null) {
            tls.protocols(tlsVersions.toArray(String[]::new));
        }
        require(clientAuth == TlsConfig.ClientAuth.NONE || trustStore != null || caFile != null,
                "--client-auth " + clientAuth.name().toLowerCase(Locale.ROOT) + " needs --trust-store or --ca-file");
        return tls.build();
    }

    private static char[] chars(String password) {
        return password == null ? null : password.toCharArray();
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
