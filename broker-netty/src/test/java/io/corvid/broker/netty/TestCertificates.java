package io.corvid.broker.netty;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Key material made for one test run, written into a temporary directory: nothing secret is
 * checked in. A test CA signs a server certificate (for localhost and 127.0.0.1, so clients
 * that check host names accept it) and a client certificate; a second, untrusted CA signs
 * another client certificate.
 *
 * <p>Files: {@code ca.pem}; {@code server.pem} (chain) with {@code server.key} (PKCS#8) and
 * {@code server-encrypted.key} (PKCS#8 encrypted with {@link #PASSWORD}); {@code server.p12}
 * (password {@link #PASSWORD}) and {@code server-nopass.p12} (empty password, as
 * {@code openssl pkcs12 -passout pass:} writes); {@code trust.p12} (the CA, password
 * {@link #PASSWORD}); {@code client.pem}/{@code client.key}.
 */
final class TestCertificates {
    static final char[] PASSWORD = "s3cret-test-only".toCharArray();
    static final String CLIENT_SUBJECT = "CN=device-1,OU=sensors,O=Corvid Test";

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    final Path dir;
    final Path caPem;
    final Path serverChainPem;
    final Path serverKeyPem;
    final Path serverEncryptedKeyPem;
    final Path serverP12;
    final Path serverNoPasswordP12;
    final Path trustP12;
    final Path clientPem;
    final Path clientKeyPem;
    final X509Certificate caCertificate;
    final KeyPair clientKeys;
    final X509Certificate clientCertificate;
    final KeyPair strangerKeys;
    final X509Certificate strangerCertificate;

    private TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        KeyPair caKeys = ec();
        caCertificate = sign(new X500Name("CN=Corvid Test CA"), caKeys, new X500Name("CN=Corvid Test CA"), caKeys,
                true, null);
        KeyPair serverKeys = rsa();
        X509Certificate server = sign(new X500Name("CN=localhost"), serverKeys, new X500Name("CN=Corvid Test CA"),
                caKeys, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        clientKeys = ec();
        clientCertificate = sign(new X500Name("O=Corvid Test,OU=sensors,CN=device-1"), clientKeys,
                new X500Name("CN=Corvid Test CA"), caKeys, false, null);
        KeyPair strangerCaKeys = ec();
        strangerKeys = ec();
        strangerCertificate = sign(new X500Name("CN=stranger"), strangerKeys, new X500Name("CN=Other CA"),
                strangerCaKeys, false, null);

        caPem = write("ca.pem", pem(caCertificate));
        serverChainPem = write("server.pem", pem(server) + pem(caCertificate));
        serverKeyPem = write("server.key", pem(new JcaPKCS8Generator(serverKeys.getPrivate(), null).generate()));
        OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider())
                // PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, as openssl 3 writes it by default.
                .setPRF(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE))
                .setPassword(PASSWORD).setRandom(new SecureRandom()).build();
        serverEncryptedKeyPem = write("server-encrypted.key",
                pem(new JcaPKCS8Generator(serverKeys.getPrivate(), encryptor).generate()));
        serverP12 = writeKeyStore("server.p12", serverKeys, PASSWORD, server, caCertificate);
        serverNoPasswordP12 = writeKeyStore("server-nopass.p12", serverKeys, new char[0], server, caCertificate);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", caCertificate);
        trustP12 = store("trust.p12", trust, PASSWORD);
        clientPem = write("client.pem", pem(clientCertificate) + pem(caCertificate));
        clientKeyPem = write("client.key", pem(new JcaPKCS8Generator(clientKeys.getPrivate(), null).generate()));
    }

    private static TestCertificates shared;

    /**
     * The set shared by every test of this JVM (making keys takes a while), in a temporary
     * directory that is deleted when the JVM ends.
     */
    static synchronized TestCertificates shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("corvid-test-certificates");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteAll(dir)));
                shared = new TestCertificates(dir);
            } catch (Exception e) {
                throw new IllegalStateException("could not make test certificates", e);
            }
        }
        return shared;
    }

    private static void deleteAll(Path dir) {
        try (var files = Files.list(dir)) {
            files.forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: nothing more to do
        }
        dir.toFile().delete();
    }

    /** A client context that trusts the test CA and presents no certificate. */
    SSLContext clientContext(String protocol) {
        return clientContext(protocol, null, null);
    }

    /** A client context that trusts the test CA and presents the trusted client certificate. */
    SSLContext clientContextWithCertificate(String protocol) {
        return clientContext(protocol, clientKeys, clientCertificate);
    }

    /** A client context that trusts the test CA and presents a certificate from an unknown CA. */
    SSLContext clientContextWithStrangerCertificate(String protocol) {
        return clientContext(protocol, strangerKeys, strangerCertificate);
    }

    /** Trusts the test CA, for clients that take a TrustManagerFactory. */
    TrustManagerFactory trustManagerFactory() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", caCertificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Presents the trusted client certificate, for clients that take a KeyManagerFactory. */
    KeyManagerFactory clientKeyManagerFactory() {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", clientKeys.getPrivate(), PASSWORD,
                    new X509Certificate[] {clientCertificate, caCertificate});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, PASSWORD);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private SSLContext clientContext(String protocol, KeyPair keys, X509Certificate certificate) {
        try {
            KeyManagerFactory keyManagers = null;
            if (keys != null) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("client", keys.getPrivate(), PASSWORD, new X509Certificate[] {certificate});
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(store, PASSWORD);
            }
            SSLContext context = SSLContext.getInstance(protocol);
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(),
                    trustManagerFactory().getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** EC P-256: quick to make. */
    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    /** RSA for the server, the most common kind of server key. */
    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                        boolean ca, GeneralNames alternativeNames) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        }
        if (alternativeNames != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames);
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(issuerKeys.getPrivate().getAlgorithm().equals("EC")
                        ? "SHA256withECDSA" : "SHA256withRSA").build(issuerKeys.getPrivate())));
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            if (object instanceof PemObject pemObject) {
                writer.writeObject(pemObject);
            } else {
                writer.writeObject(object);
            }
        }
        return text.toString();
    }

    private Path writeKeyStore(String name, KeyPair keys, char[] password, X509Certificate... chain)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", keys.getPrivate(), password, chain);
        return store(name, store, password);
    }

    private Path store(String name, KeyStore store, char[] password) throws GeneralSecurityException, IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        return file;
    }

    private Path write(String name, String text) {
        Path file = dir.resolve(name);
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
