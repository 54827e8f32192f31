package io.corvid.broker.examples;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker that speaks MQTT over TLS only, with its certificate and key in a PKCS12 key store,
 * and a client that trusts that certificate and sends a message through it. Runs once and exits.
 *
 * <p>Run: {@code TlsExample <key store> [port]} (default port 8883), with the key store's
 * password in the environment variable {@value #PASSWORD_VARIABLE} rather than on the command
 * line, where other users could read it. A self-signed key store for a try-out:
 * <pre>
 * keytool -genkeypair -alias corvid -keyalg EC -groupname secp256r1 -validity 30 \
 *     -dname CN=localhost -ext SAN=dns:localhost,ip:127.0.0.1 \
 *     -storetype PKCS12 -keystore server.p12 -storepass "$CORVID_KEY_STORE_PASSWORD"
 * </pre>
 */
public final class TlsExample {
    /** The environment variable that holds the key store's password. */
    public static final String PASSWORD_VARIABLE = "CORVID_KEY_STORE_PASSWORD";

    private static final Logger LOG = LoggerFactory.getLogger(TlsExample.class);

    private TlsExample() {
    }

    /** Starts a broker with a single TLS listener on 127.0.0.1:{@code port} (0 picks a free port). */
    public static Broker start(int port, Path keyStore, char[] password) {
        TlsConfig tls = TlsConfig.keyStore(keyStore, password).build();
        return new Broker.Builder()
                .listener(Listener.tls("127.0.0.1", port, tls))
                .build()
                .start();
    }

    /**
     * Starts the TLS broker, sends a message through it over TLS, and stops it.
     *
     * @return the message the client received
     */
    public static ReceivedMessage run(int port, Path keyStore, char[] password)
            throws InterruptedException, IOException, GeneralSecurityException {
        try (Broker broker = start(port, keyStore, password)) {
            Mqtt5BlockingClient client = DemoClients.aimedAt(broker, "tls-client")
                    .sslConfig().trustManagerFactory(trusting(keyStore, password)).applySslConfig()
                    .buildBlocking();
            client.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes inbox = client.publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
                client.subscribeWith().topicFilter("secure/#").send();
                client.publishWith().topic("secure/hello").payload("encrypted".getBytes(StandardCharsets.UTF_8)).send();
                ReceivedMessage received = DemoClients.next(inbox);
                LOG.info("Received '{}' on {} over TLS", received.text(), received.topic());
                return received;
            } finally {
                client.disconnect();
            }
        }
    }

    /**
     * Trusts the certificates of a key store. A self-signed certificate has no authority behind
     * it that the JDK's default trust store knows, so the client must trust it by name.
     */
    static TrustManagerFactory trusting(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        return trust;
    }

    public static void main(String[] args) throws Exception {
        String password = System.getenv(PASSWORD_VARIABLE);
        if (args.length < 1 || password == null) {
            LOG.error("Usage: TlsExample <PKCS12 key store> [port], with the password in ${}", PASSWORD_VARIABLE);
            System.exit(2);
        }
        run(args.length > 1 ? Integer.parseInt(args[1]) : 8883, Path.of(args[0]), password.toCharArray());
    }
}
