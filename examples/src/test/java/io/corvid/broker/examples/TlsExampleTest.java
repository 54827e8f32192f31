package io.corvid.broker.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.corvid.broker.Broker;
import java.nio.file.Path;
import java.util.Objects;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS example serves MQTT over TLS, and over TLS only. */
class TlsExampleTest {
    @TempDir
    Path dir;

    @Test
    void aClientThatTrustsTheCertificateGetsItsMessageThrough() throws Exception {
        Path keyStore = SelfSignedKeyStore.write(dir);
        assertEquals(new ReceivedMessage("secure/hello", "encrypted", false, null),
                TlsExample.run(0, keyStore, SelfSignedKeyStore.PASSWORD));
    }

    @Test
    void plainMqttAndUntrustingClientsAreNotServed() throws Exception {
        Path keyStore = SelfSignedKeyStore.write(dir);
        try (Broker broker = TlsExample.start(0, keyStore, SelfSignedKeyStore.PASSWORD)) {
            Mqtt5BlockingClient plain = DemoClients.aimedAt(broker, "plain").buildBlocking();
            // The broker closes a connection whose first bytes are no TLS handshake.
            assertThrows(ConnectionClosedException.class, plain::connect, "plain MQTT on the TLS port");
            // The JDK's default trust store does not know a self-signed certificate.
            Mqtt5BlockingClient untrusting = DemoClients.aimedAt(broker, "untrusting").sslWithDefaultConfig()
                    .buildBlocking();
            Throwable refused = assertThrows(RuntimeException.class, untrusting::connect);
            assertTrue(causes(refused).anyMatch(SSLHandshakeException.class::isInstance),
                    "a failed TLS handshake, not " + refused);
        }
    }

    private static Stream<Throwable> causes(Throwable failure) {
        return Stream.iterate(failure, Objects::nonNull, Throwable::getCause);
    }
}
