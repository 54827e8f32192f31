package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.BrokerConfig;
import io.corvid.broker.Listener;
import io.corvid.broker.TlsConfig;
import io.corvid.broker.transport.TransportSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CorvidCommandTest {

    private static CorvidCommand parse(String... args) {
        CorvidCommand command = new CorvidCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void hostAndPortBecomeTheDefaultListener() {
        BrokerConfig config = parse("-h", "127.0.0.1", "-p", "1999").builder().buildConfig();
        assertEquals("127.0.0.1", config.listeners().get(0).host());
        assertEquals(1999, config.listeners().get(0).port());
    }

    @Test
    void defaultsAreAnonymousOn1883() {
        BrokerConfig config = parse().builder().buildConfig();
        assertEquals("0.0.0.0", config.listeners().get(0).host());
        assertEquals(1883, config.listeners().get(0).port());
        assertEquals(BrokerConfig.DEFAULT_MAX_PACKET_SIZE, config.maxPacketSize());
    }

    @Test
    void limitsArePassedToTheBroker() {
        BrokerConfig config = parse("--max-connections", "10", "--max-packet-size", "2048", "--max-inflight", "7",
                "--max-queued-messages", "99").builder().buildConfig();
        assertEquals(10, config.maxConnections());
        assertEquals(2048, config.maxPacketSize());
        assertEquals(7, config.maxInflight());
        assertEquals(99, config.maxQueuedMessages());
    }

    @Test
    void flowControlLimitsArePassedToTheBroker() {
        BrokerConfig config = parse("--max-queued-bytes", "4096", "--queue-overflow-policy", "DROP_OLDEST",
                "--memory-budget", "1000000", "--write-stall-timeout", "5").builder().buildConfig();
        assertEquals(4096, config.maxQueuedBytes());
        assertEquals(io.corvid.broker.QueueOverflowPolicy.DROP_OLDEST, config.queueOverflowPolicy());
        assertEquals(1_000_000, config.memoryBudget());
        assertEquals(java.time.Duration.ofSeconds(5), config.writeStallTimeout());
    }

    @Test
    void flowControlDefaultsAreTheDocumentedOnes() {
        BrokerConfig config = parse().builder().buildConfig();
        assertEquals(100_000, config.maxQueuedMessages());
        assertEquals(32L * 1024 * 1024, config.maxQueuedBytes());
        assertEquals(io.corvid.broker.QueueOverflowPolicy.DROP_NEWEST, config.queueOverflowPolicy());
        assertEquals(Runtime.getRuntime().maxMemory() / 100 * 25, config.memoryBudget());
        assertEquals(java.time.Duration.ofSeconds(60), config.writeStallTimeout());
    }

    @Test
    void aDamagedStoreStopsTheLauncherWithTheFileAndTheWayOut(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("sessions.mvstore");
        byte[] garbage = new byte[64 * 1024];
        new java.util.Random(7).nextBytes(garbage);
        java.nio.file.Files.write(file, garbage);
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new CorvidCommand()).setErr(new PrintWriter(err))
                .execute("-h", "127.0.0.1", "-p", "0", "--data-dir", dir.toString());
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains("sessions.mvstore"), err.toString());
        assertTrue(java.nio.file.Files.size(file) == garbage.length, "the damaged file is left as it was");
    }

    @Test
    void theSysIntervalIsInSecondsAndZeroTurnsTheTopicsOff() {
        assertEquals(BrokerConfig.DEFAULT_SYS_INTERVAL, parse().builder().buildConfig().sysInterval());
        assertEquals(java.time.Duration.ofSeconds(3), parse("--sys-interval", "3").builder().buildConfig().sysInterval());
        assertEquals(java.time.Duration.ZERO, parse("--sys-interval", "0").builder().buildConfig().sysInterval());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--sys-interval", "-1").builder());
    }

    @Test
    void aNegativeMemoryBudgetIsRefused() {
        assertThrows(CommandLine.ParameterException.class,
                () -> parse("--memory-budget", "-1").builder());
    }

    @Test
    void theDescribedBrokerStartsAndStops() {
        try (Broker broker = parse("-h", "127.0.0.1", "-p", "0").builder().build().start()) {
            assertNotEquals(0, broker.port());
        }
    }

    @Test
    void theStartedBrokerIsMeasuredForTheAdminListener() {
        CorvidCommand command = parse("-h", "127.0.0.1", "-p", "0");
        try (Broker broker = command.startWithMetrics(command.builder())) {
            broker.publish("greetings", new byte[0], io.corvid.broker.packet.QoS.AT_LEAST_ONCE, false);
            String scrape = command.metrics.scrape();
            assertTrue(scrape.contains("\ncorvid_messages_received_total{qos=\"1\"} 1.0\n"), scrape);
            assertTrue(scrape.contains("\ncorvid_delivery_latency_seconds_count 0\n"), scrape);
            assertTrue(scrape.contains("\njvm_memory_used_bytes{"), scrape);
            assertTrue(scrape.contains("\nnetty_allocator_memory_used{"), scrape);
        } finally {
            command.metrics.close();
        }
    }

    @Test
    void metricsFalseRecordsNothingButTheEngineStillCounts() {
        CorvidCommand command = parse("-h", "127.0.0.1", "-p", "0", "--metrics", "false");
        try (Broker broker = command.startWithMetrics(command.builder())) {
            broker.publish("greetings", new byte[0], io.corvid.broker.packet.QoS.AT_LEAST_ONCE, false);
            assertNull(command.metrics);
            assertEquals(1, broker.metrics().messagesReceived());
        }
    }

    @Test
    void badArgumentsFailWithUsage() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new CorvidCommand()).setErr(new PrintWriter(err)).execute("--port", "not-a-number");
        assertNotEquals(0, exit);
        assertTrue(err.toString().contains("--port"), err.toString());
    }

    @Test
    void helpListsTheOptions() {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new CorvidCommand()).setOut(new PrintWriter(out)).execute("--help");
        assertEquals(0, exit);
        for (String option : List.of("--host", "--key-store", "--key-store-psw", "--tcp-port", "--cert", "--key",
                "--client-auth", "--trust-store", "--ca-file", "--ws-port", "--wss-port", "--ws-path", "--unix-socket",
                "--proxy-protocol", "--force-nio", "--io-threads", "--config", "--allow-anonymous", "--max-keep-alive",
                "--receive-maximum", "--topic-alias-maximum", "--max-qos", "--retain-available", "--max-session-expiry",
                "--data-dir", "--log-level", "--version")) {
            assertTrue(out.toString().contains(option), option);
        }
    }

    private static Listener listener(BrokerConfig config, Listener.Protocol protocol) {
        return config.listeners().stream().filter(l -> l.protocol() == protocol).findFirst()
                .orElseThrow(() -> new AssertionError("no " + protocol + " listener in " + config.listeners()));
    }

    private static List<Listener.Protocol> protocols(BrokerConfig config) {
        return config.listeners().stream().map(Listener::protocol).toList();
    }

    @Test
    void aKeyStoreMakesTheMainPortTlsOnly() {
        BrokerConfig config = parse("-p", "1883", "--key-store", "ks.p12").builder().buildConfig();
        assertEquals(List.of(Listener.Protocol.TLS), protocols(config), "no plain TCP port left open beside TLS");
        Listener tls = listener(config, Listener.Protocol.TLS);
        assertEquals(1883, tls.port());
        assertEquals(Path.of("ks.p12"), tls.tls().keyStore());
        assertNull(tls.tls().keyStorePassword(), "no password unless given");
        assertEquals(TlsConfig.ClientAuth.NONE, tls.tls().clientAuth());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.tls().protocols());
        assertEquals(8883, listener(parse("--key-store", "ks.p12").builder().buildConfig(), Listener.Protocol.TLS).port(),
                "TLS without -p takes MQTT's TLS port");
    }

    @Test
    void plainTcpNextToTlsOnlyWhenAsked() {
        BrokerConfig config = parse("-p", "8883", "--key-store", "ks.p12", "--tcp-port", "1883").builder().buildConfig();
        assertEquals(List.of(Listener.Protocol.TLS, Listener.Protocol.TCP), protocols(config));
        assertEquals(8883, listener(config, Listener.Protocol.TLS).port());
        assertEquals(1883, listener(config, Listener.Protocol.TCP).port());
    }

    @Test
    void keyStorePasswordAndTlsVersions() {
        BrokerConfig config = parse("--key-store", "ks.p12", "--key-store-psw", "changeit", "-p", "9883",
                "--tls-versions", "TLSv1.3").builder().buildConfig();
        Listener tls = listener(config, Listener.Protocol.TLS);
        assertEquals(9883, tls.port());
        assertArrayEquals("changeit".toCharArray(), tls.tls().keyStorePassword());
        assertEquals(List.of("TLSv1.3"), tls.tls().protocols());
    }

    @Test
    void pemCertificateAndKey() {
        BrokerConfig config = parse("--cert", "chain.pem", "--key", "key.pem", "--key-psw", "pw").builder().buildConfig();
        TlsConfig tls = listener(config, Listener.Protocol.TLS).tls();
        assertNull(tls.keyStore());
        assertEquals(Path.of("chain.pem"), tls.certificateChain());
        assertEquals(Path.of("key.pem"), tls.privateKey());
        assertArrayEquals("pw".toCharArray(), tls.privateKeyPassword());
    }

    @Test
    void mutualTlsWithATrustStoreOrACaFile() {
        TlsConfig withStore = listener(parse("--key-store", "ks.p12", "--client-auth", "require", "--trust-store",
                "trust.p12", "--trust-store-psw", "tpw", "--use-identity-as-username").builder().buildConfig(),
                Listener.Protocol.TLS).tls();
        assertEquals(TlsConfig.ClientAuth.REQUIRE, withStore.clientAuth());
        assertEquals(Path.of("trust.p12"), withStore.trustStore());
        assertArrayEquals("tpw".toCharArray(), withStore.trustStorePassword());
        assertTrue(withStore.useIdentityAsUsername());

        TlsConfig withPem = listener(parse("--cert", "c.pem", "--key", "k.pem", "--client-auth", "OPTIONAL",
                "--ca-file", "ca.pem").builder().buildConfig(), Listener.Protocol.TLS).tls();
        assertEquals(TlsConfig.ClientAuth.OPTIONAL, withPem.clientAuth());
        assertEquals(Path.of("ca.pem"), withPem.trustedCertificates());
        assertFalse(withPem.useIdentityAsUsername());
    }

    @Test
    void webSocketListenersOnlyWhenAsked() {
        assertEquals(List.of(Listener.Protocol.TCP), protocols(parse().builder().buildConfig()));
        BrokerConfig config = parse("--ws-port", "8080", "--wss-port", "8443", "--ws-path", "/broker",
                "--key-store", "ks.p12").builder().buildConfig();
        assertEquals(List.of(Listener.Protocol.TLS, Listener.Protocol.WEBSOCKET, Listener.Protocol.SECURE_WEBSOCKET),
                protocols(config));
        assertEquals(8080, listener(config, Listener.Protocol.WEBSOCKET).port());
        assertEquals("/broker", listener(config, Listener.Protocol.WEBSOCKET).webSocketPath());
        Listener wss = listener(config, Listener.Protocol.SECURE_WEBSOCKET);
        assertEquals(8443, wss.port());
        assertEquals("/broker", wss.webSocketPath());
        assertEquals(Path.of("ks.p12"), wss.tls().keyStore());
        assertEquals(Listener.DEFAULT_WEBSOCKET_PATH,
                listener(parse("--ws-port", "80").builder().buildConfig(), Listener.Protocol.WEBSOCKET).webSocketPath());
    }

    @Test
    void unixSocketProxyProtocolAndTransportChoices() {
        BrokerConfig config = parse("--unix-socket", "/run/corvid.sock", "--proxy-protocol", "--force-nio",
                "--io-threads", "3", "--ws-port", "8080").builder().buildConfig();
        assertEquals(Path.of("/run/corvid.sock"), listener(config, Listener.Protocol.UNIX).socketPath());
        assertTrue(listener(config, Listener.Protocol.TCP).proxyProtocol());
        assertTrue(listener(config, Listener.Protocol.WEBSOCKET).proxyProtocol());
        assertFalse(listener(config, Listener.Protocol.UNIX).proxyProtocol());
        TransportSettings transport = config.transportSettings();
        assertEquals(TransportSettings.NativeTransport.NIO, transport.nativeTransport());
        assertEquals(3, transport.ioThreads());
        TransportSettings defaults = parse().builder().buildConfig().transportSettings();
        assertEquals(TransportSettings.NativeTransport.AUTO, defaults.nativeTransport());
        assertFalse(listener(parse().builder().buildConfig(), Listener.Protocol.TCP).proxyProtocol());
    }

    @Test
    void contradictoryTlsOptionsAreUsageErrors() {
        List<String[]> wrong = List.of(
                new String[] {"--wss-port", "8443"},
                new String[] {"--client-auth", "require"},
                new String[] {"--key-store", "ks.p12", "--client-auth", "require"},
                new String[] {"--key-store", "ks.p12", "--cert", "c.pem", "--key", "k.pem"},
                new String[] {"--cert", "c.pem"},
                new String[] {"--key-store", "ks.p12", "--trust-store", "t.p12", "--ca-file", "ca.pem"},
                new String[] {"--ws-port", "80", "--ws-path", "mqtt"});
        for (String[] args : wrong) {
            assertThrows(CommandLine.ParameterException.class, () -> parse(args).builder(), String.join(" ", args));
        }
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new CorvidCommand()).setErr(new PrintWriter(err)).execute("--wss-port", "8443");
        assertEquals(2, exit);
        assertTrue(err.toString().contains("--wss-port needs --key-store"), err.toString());
        StringWriter badMode = new StringWriter();
        assertNotEquals(0, new CommandLine(new CorvidCommand()).setErr(new PrintWriter(badMode))
                .execute("--key-store", "ks.p12", "--client-auth", "sometimes"));
        assertTrue(badMode.toString().contains("none, optional or require"), badMode.toString());
    }
}
