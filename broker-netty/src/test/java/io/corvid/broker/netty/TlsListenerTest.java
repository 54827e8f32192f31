package io.corvid.broker.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.corvid.broker.AuthenticationRequest;
import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.TlsConfig;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import io.netty.handler.ssl.OpenSsl;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS listeners with both engines (OpenSSL from netty-tcnative and the JDK's): key stores and
 * PEM files, TLS 1.2 and 1.3, real clients (Paho, HiveMQ, mosquitto), mutual TLS and the
 * certificate subject as user name, and the ways a handshake goes wrong.
 */
class TlsListenerTest {
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;

    @TempDir
    static Path dir;
    static TestCertificates certs;

    private Broker broker;
    private NettyTransport transport;
    private final List<AuthenticationRequest> authentications = new CopyOnWriteArrayList<>();

    /** The two TLS engines. */
    enum Engine {
        OPENSSL, JDK;

        NettyTransport transport() {
            if (this == OPENSSL) {
                assumeTrue(OpenSsl.isAvailable(), "OpenSSL (netty-tcnative) does not load on this platform");
            }
            return new NettyTransport(2, null, this == JDK);
        }
    }

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.shared();
    }

    @AfterEach
    void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    private int start(Engine engine, TlsConfig tls) {
        transport = engine.transport();
        broker = new Broker.Builder()
                .listener(Listener.tls("127.0.0.1", 0, tls))
                .authentication(request -> {
                    authentications.add(request);
                    return AuthenticationResult.allow();
                })
                .transport(transport)
                .build().start();
        String description = transport.tlsEngineDescription();
        assertTrue(description.startsWith(engine == Engine.OPENSSL ? "OpenSSL" : "JDK"), description);
        return broker.port();
    }

    private static TlsConfig keyStore() {
        return TlsConfig.keyStore(certs.serverP12, TestCertificates.PASSWORD).build();
    }

    private static SSLSocket tlsSocket(int port, SSLContext context, String... protocols) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Await.TIMEOUT.toMillis());
        socket.setSoTimeout((int) Await.TIMEOUT.toMillis());
        if (protocols.length > 0) {
            socket.setEnabledProtocols(protocols);
        }
        socket.startHandshake();
        return socket;
    }

    private static void connectAndPing(RawClient client, String clientId) {
        client.send(RawClient.connectPacket(client.version(), clientId));
        assertEquals(ReasonCode.SUCCESS, client.receive(ConnAck.class).reasonCode());
        client.send(PingReq.INSTANCE);
        assertInstanceOf(PingResp.class, client.receive());
    }

    @Test
    void openSslLoadsOnLinux() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64")),
                "netty-tcnative is shipped for Linux x86-64 and AArch64 only");
        assertTrue(OpenSsl.isAvailable(), () -> "OpenSSL does not load: " + OpenSsl.unavailabilityCause());
        assertTrue(TlsContexts.Engine.choose(false).description().startsWith("OpenSSL"));
        assertTrue(TlsContexts.Engine.choose(true).description().startsWith("JDK"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void servesTls12AndTls13FromAPasswordProtectedKeyStore(Engine engine) throws Exception {
        int port = start(engine, keyStore());
        for (String version : List.of("TLSv1.2", "TLSv1.3")) {
            SSLSocket socket = tlsSocket(port, certs.clientContext("TLS"), version);
            assertEquals(version, socket.getSession().getProtocol());
            try (RawClient client = new RawClient(socket, V311)) {
                connectAndPing(client, "raw-" + version);
            }
        }
        AuthenticationRequest request = authentications.get(0);
        assertEquals("tls", request.listenerName());
        assertEquals(List.of(), request.peerCertificates());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void refusesTlsVersionsTheListenerDoesNotOffer(Engine engine) throws Exception {
        int port = start(engine, TlsConfig.keyStore(certs.serverP12, TestCertificates.PASSWORD)
                .protocols("TLSv1.3").build());
        assertThrows(IOException.class, () -> tlsSocket(port, certs.clientContext("TLS"), "TLSv1.2").close());
        try (RawClient client = new RawClient(tlsSocket(port, certs.clientContext("TLS"), "TLSv1.3"), V311)) {
            connectAndPing(client, "tls13-only");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void pahoV3ConnectsWithPemChainAndKey(Engine engine) throws Exception {
        int port = start(engine, TlsConfig.pem(certs.serverChainPem, certs.serverKeyPem, null).build());
        org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                "ssl://127.0.0.1:" + port, "paho3-tls", new MemoryPersistence());
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        paho.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(topic + "=" + new String(message.getPayload(), UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(certs.clientContext("TLSv1.2").getSocketFactory());
        try {
            paho.connect(options);
            paho.subscribe("tls/#", 1);
            paho.publish("tls/paho", "over TLS".getBytes(UTF_8), 1, false);
            assertEquals("tls/paho=over TLS", received.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            paho.disconnect();
        } finally {
            paho.close(true);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void hiveMqConnectsWithAnEncryptedPemKey(Engine engine) throws InterruptedException {
        int port = start(engine, TlsConfig.pem(certs.serverChainPem, certs.serverEncryptedKeyPem,
                TestCertificates.PASSWORD).build());
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("hivemq-tls")
                .serverHost("127.0.0.1").serverPort(port)
                .sslConfig().trustManagerFactory(certs.trustManagerFactory()).protocols(List.of("TLSv1.3"))
                .applySslConfig()
                .buildBlocking();
        client.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter("hive/#").qos(MqttQos.AT_LEAST_ONCE).send();
            client.publishWith().topic("hive/tls").payload("secure".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE).send();
            Optional<Mqtt5Publish> message = publishes.receive(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals("secure", new String(message.orElseThrow().getPayloadAsBytes(), UTF_8));
        } finally {
            client.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void pahoV5ConnectsWithAKeyStoreWithoutPassword(Engine engine) throws Exception {
        int port = start(engine, TlsConfig.keyStore(certs.serverNoPasswordP12, null).build());
        org.eclipse.paho.mqttv5.client.MqttClient paho = new org.eclipse.paho.mqttv5.client.MqttClient(
                "ssl://127.0.0.1:" + port, "paho5-tls", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setSocketFactory(certs.clientContext("TLS").getSocketFactory());
        try {
            paho.connect(options);
            assertTrue(paho.isConnected());
            Await.until("paho5-tls registered", () -> broker.client("paho5-tls").isPresent());
            paho.disconnect();
        } finally {
            paho.close(true);
        }
    }

    @Test
    void mosquittoClientsTalkOverTlsWithCafile() throws Exception {
        int port = start(Engine.OPENSSL, keyStore());
        List<String> common = List.of("-h", "127.0.0.1", "-p", String.valueOf(port), "--cafile",
                certs.caPem.toString(), "-V", "mqttv311");
        List<String> sub = new java.util.ArrayList<>(List.of(MosquittoClients.program("mosquitto_sub")));
        sub.addAll(common);
        sub.addAll(List.of("-i", "mosq-sub", "-t", "mosq/tls", "-C", "1", "-W", "20"));
        try (MosquittoClients.Run subscriber = new MosquittoClients.Run(dir, sub)) {
            Brokers.awaitSubscribed(broker, "mosq-sub");
            List<String> pub = new java.util.ArrayList<>(List.of(MosquittoClients.program("mosquitto_pub")));
            pub.addAll(common);
            pub.addAll(List.of("-i", "mosq-pub", "-t", "mosq/tls", "-m", "hello over TLS", "-q", "1"));
            try (MosquittoClients.Run publisher = new MosquittoClients.Run(dir, pub)) {
                publisher.awaitSuccess();
            }
            assertEquals("hello over TLS", subscriber.awaitSuccess().strip());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void mutualTlsAcceptsATrustedClientAndUsesItsSubjectAsUserName(Engine engine) throws Exception {
        int port = start(engine, TlsConfig.keyStore(certs.serverP12, TestCertificates.PASSWORD)
                .clientAuth(TlsConfig.ClientAuth.REQUIRE)
                .trustStore(certs.trustP12, TestCertificates.PASSWORD)
                .useIdentityAsUsername(true)
                .build());
        try (RawClient client = new RawClient(tlsSocket(port, certs.clientContextWithCertificate("TLS")), V311)) {
            connectAndPing(client, "device-1");
            assertEquals(TestCertificates.CLIENT_SUBJECT, broker.client("device-1").orElseThrow().username());
        }
        AuthenticationRequest request = authentications.get(0);
        assertEquals(TestCertificates.CLIENT_SUBJECT, request.username());
        assertEquals(certs.clientCertificate, request.peerCertificates().get(0));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void mutualTlsRefusesClientsWithoutATrustedCertificate(Engine engine) throws Exception {
        int port = start(engine, TlsConfig.pem(certs.serverChainPem, certs.serverKeyPem, null)
                .clientAuth(TlsConfig.ClientAuth.REQUIRE)
                .trustedCertificates(certs.caPem)
                .build());
        try (LogCapture log = new LogCapture(TlsHandshakeHandler.class)) {
            for (SSLContext refused : List.of(certs.clientContext("TLSv1.2"),
                    certs.clientContextWithStrangerCertificate("TLSv1.2"))) {
                // TLS 1.2: the client learns of the refusal during the handshake.
                assertThrows(IOException.class, () -> {
                    try (Socket socket = tlsSocket(port, refused)) {
                        socket.getInputStream().read();
                    }
                });
            }
            // TLS 1.3: the client's handshake ends before the server checks its certificate; the
            // refusal arrives as an alert, the next read fails.
            assertThrows(IOException.class, () -> {
                try (RawClient client = new RawClient(tlsSocket(port, certs.clientContext("TLSv1.3")), V311)) {
                    client.send(RawClient.connectPacket(V311, "no-cert"));
                    client.socket().getInputStream().read();
                    throw new IOException("closed without an alert");
                } catch (java.io.UncheckedIOException writeFailed) {
                    throw writeFailed.getCause(); // the alert and the close came before the write
                }
            });
            Await.until("three refusals logged", () -> log.lines().stream()
                    .filter(line -> line.startsWith("INFO TLS handshake with")).count() >= 3);
        }
        assertTrue(authentications.isEmpty(), "no refused client reached authentication");
        try (RawClient client = new RawClient(tlsSocket(port, certs.clientContextWithCertificate("TLS")), V311)) {
            connectAndPing(client, "trusted");
            assertNull(broker.client("trusted").orElseThrow().username(), "identity is not the user name unless asked");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void optionalClientCertificatesLetClientsWithoutOneIn(Engine engine) throws Exception {
        int port = start(engine, TlsConfig.keyStore(certs.serverP12, TestCertificates.PASSWORD)
                .clientAuth(TlsConfig.ClientAuth.OPTIONAL)
                .trustStore(certs.trustP12, TestCertificates.PASSWORD)
                .useIdentityAsUsername(true)
                .build());
        try (RawClient anonymous = new RawClient(tlsSocket(port, certs.clientContext("TLS")), V311);
             RawClient device = new RawClient(tlsSocket(port, certs.clientContextWithCertificate("TLS")), V311)) {
            connectAndPing(anonymous, "anonymous");
            connectAndPing(device, "device");
            assertNull(broker.client("anonymous").orElseThrow().username());
            assertEquals(TestCertificates.CLIENT_SUBJECT, broker.client("device").orElseThrow().username());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void survivesAHandshakeSentOneByteAtATime(Engine engine) throws Exception {
        int port = start(engine, keyStore());
        for (String version : List.of("TLSv1.2", "TLSv1.3")) {
            try (SlowTlsClient client = new SlowTlsClient(port, certs.clientContext(version), 1, V311)) {
                client.handshake();
                assertEquals(version, client.protocol());
                client.send(RawClient.connectPacket(V311, "slow-" + version));
                assertEquals(ReasonCode.SUCCESS, assertInstanceOf(ConnAck.class, client.receive()).reasonCode());
                client.send(PingReq.INSTANCE);
                assertInstanceOf(PingResp.class, client.receive());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aClientThatClosesMidHandshakeIsLoggedAndTheListenerKeepsServing(Engine engine) throws Exception {
        int port = start(engine, keyStore());
        byte[] hello = SlowTlsClient.clientHello(certs.clientContext("TLS"));
        try (LogCapture log = new LogCapture(TlsHandshakeHandler.class)) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream out = socket.getOutputStream();
                out.write(hello, 0, hello.length / 2);
                out.flush();
            }
            String line = log.await("closed by the client during the TLS handshake");
            assertTrue(line.startsWith("INFO"), line);
            // Connected and gone without a byte (a port probe): not worth more than DEBUG.
            new Socket("127.0.0.1", port).close();
            try (RawClient client = new RawClient(tlsSocket(port, certs.clientContext("TLS")), V311)) {
                connectAndPing(client, "after-half-hello");
            }
            assertEquals(1, log.lines().size(), log.lines()::toString);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aPlainTcpClientOnTheTlsPortIsClosedAndLogged(Engine engine) throws Exception {
        int port = start(engine, keyStore());
        try (LogCapture log = new LogCapture(TlsHandshakeHandler.class);
             RawClient plain = new RawClient(port, V311)) {
            plain.send(RawClient.connectPacket(V311, "plain-on-tls"));
            plain.receiveBytesUntilClosed();
            assertTrue(log.await("not TLS").startsWith("INFO"));
        }
        assertTrue(broker.client("plain-on-tls").isEmpty());
        try (RawClient client = new RawClient(tlsSocket(port, certs.clientContext("TLS")), V311)) {
            connectAndPing(client, "after-plain");
        }
    }

    @Test
    void aWrongKeyStorePasswordFailsTheStartNamingTheListener() {
        TlsConfig wrong = TlsConfig.keyStore(certs.serverP12, "wrong".toCharArray()).build();
        Broker failing = new Broker.Builder().listener(Listener.tcp("127.0.0.1", 0))
                .listener(Listener.tls("127.0.0.1", 0, wrong).named("secure"))
                .transport(new NettyTransport(1, false)).build();
        java.io.UncheckedIOException failure = assertThrows(java.io.UncheckedIOException.class, failing::start);
        String message = failure.getCause().getMessage();
        assertTrue(message.contains("listener secure") && message.contains("server.p12"), message);
        assertTrue(!failing.isRunning());
    }

    @Test
    void aMissingPemFileFailsTheStartNamingIt() {
        Path missing = dir.resolve("missing.key");
        Broker failing = new Broker.Builder()
                .listener(Listener.tls("127.0.0.1", 0, TlsConfig.pem(certs.serverChainPem, missing, null).build()))
                .transport(new NettyTransport(1, false)).build();
        java.io.UncheckedIOException failure = assertThrows(java.io.UncheckedIOException.class, failing::start);
        assertTrue(failure.getCause().getMessage().contains("missing.key"), failure.getCause().getMessage());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aTlsErrorAfterTheHandshakeEndsOnlyThatConnection(Engine engine) throws Exception {
        int port = start(engine, keyStore());
        try (RawClient good = new RawClient(tlsSocket(port, certs.clientContext("TLS")), V311);
             SlowTlsClient bad = new SlowTlsClient(port, certs.clientContext("TLSv1.2"), 4096, V311)) {
            connectAndPing(good, "good");
            bad.handshake();
            // An application data record that fails authentication.
            bad.sendRaw(new byte[] {0x17, 0x03, 0x03, 0x00, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
            bad.awaitClosed();
            good.send(PingReq.INSTANCE);
            assertInstanceOf(PingResp.class, good.receive());
        }
    }
}
