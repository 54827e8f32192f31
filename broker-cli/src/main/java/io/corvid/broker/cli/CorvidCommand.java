package io.corvid.broker.cli;

import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.QueueOverflowPolicy;
import io.corvid.broker.store.mvstore.Durability;
import io.corvid.broker.store.mvstore.MvStoreSessionStore;
import io.corvid.broker.TlsConfig;
import io.corvid.broker.transport.TransportSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The standalone launcher: {@code java -jar broker-cli.jar -h 127.0.0.1 -p 1883}. Runs until
 * the JVM is asked to stop (SIGTERM, SIGINT), then stops the broker gracefully.
 *
 * <p>Listeners: plain TCP always ({@code -p}); TLS on {@code --tls-port} (8883 by default) as
 * soon as a key store ({@code --key-store}) or a PEM certificate and key ({@code --cert},
 * {@code --key}) is given; WebSocket on {@code --ws-port} and secure WebSocket on
 * {@code --wss-port} when given; a Unix domain socket with {@code --unix-socket}. So
 * {@code java -jar broker-cli.jar -p 1883 --key-store ks.p12} serves TCP on 1883 and TLS on 8883.
 */
@Command(name = "corvid", mixinStandardHelpOptions = false, versionProvider = CorvidCommand.Version.class,
        description = "Corvid MQTT broker (MQTT 3.1, 3.1.1 and 5.0).", sortOptions = false,
        footer = {"", "Passwords can also come from the environment: CORVID_KEY_STORE_PSW, CORVID_KEY_PSW,",
            "CORVID_TRUST_STORE_PSW (a password on the command line is visible to other local users)."})
public final class CorvidCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(CorvidCommand.class);

    /** The TLS port when key material is given and no --tls-port. */
    static final int DEFAULT_TLS_PORT = 8883;
    /** The data directory when none is given: durable by default, as the standalone server promises. */
    static final String DEFAULT_DATA_DIR = "corvid-data";
    private static final long PURGE_PERIOD_MINUTES = 5;

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

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--host"}, description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = "0.0.0.0";

    @Option(names = {"-p", "--port"},
            description = "TCP port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = 1883;

    @Option(names = "--tls-port", paramLabel = "<port>",
            description = "TLS port (default: " + DEFAULT_TLS_PORT + " when --key-store or --cert is given).")
    Integer tlsPort;

    @Option(names = "--key-store", paramLabel = "<file.p12>",
            description = "PKCS12 key store with the server's key and certificate chain.")
    Path keyStore;

    @Option(names = "--key-store-psw", paramLabel = "<password>", defaultValue = "${env:CORVID_KEY_STORE_PSW}",
            description = "Password of the key store (none by default).")
    String keyStorePassword;

    @Option(names = "--cert", paramLabel = "<chain.pem>",
            description = "PEM server certificate chain (instead of --key-store).")
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
            description = "The client certificate's subject (RFC 2253) becomes the MQTT user name.")
    boolean useIdentityAsUsername;

    @Option(names = "--tls-versions", paramLabel = "<version>", split = ",",
            description = "TLS versions to offer (default: TLSv1.3,TLSv1.2).")
    List<String> tlsVersions;

    @Option(names = "--ws-port", paramLabel = "<port>",
            description = "WebSocket port (no WebSocket listener unless given).")
    Integer wsPort;

    @Option(names = "--wss-port", paramLabel = "<port>",
            description = "Secure WebSocket port; needs --key-store or --cert.")
    Integer wssPort;

    @Option(names = "--ws-path", paramLabel = "<path>", description = "WebSocket path (default: ${DEFAULT-VALUE}).")
    String wsPath = Listener.DEFAULT_WEBSOCKET_PATH;

    @Option(names = "--unix-socket", paramLabel = "<path>", description = "Also listen on this Unix domain socket.")
    Path unixSocket;

    @Option(names = "--proxy-protocol",
            description = "Expect a PROXY protocol (v1 or v2) header on every TCP, TLS and WebSocket connection.")
    boolean proxyProtocol;

    @Option(names = "--max-connections",
            description = "Most network connections (and clients) at once (default: no limit).")
    Integer maxConnections;

    @Option(names = "--max-packet-size", description = "Largest packet accepted, in bytes (default: 1048576).")
    Integer maxPacketSize;

    @Option(names = "--max-inflight", description = "Most QoS 1/2 messages in flight per client (default: 128).")
    Integer maxInflight;

    @Option(names = "--max-queued-messages",
            description = "Most messages queued per session, QoS 0 included (default: 100000).")
    Integer maxQueuedMessages;

    @Option(names = "--max-queued-bytes", paramLabel = "<bytes>",
            description = "Most bytes of messages queued per session (default: 33554432, 32 MiB).")
    Long maxQueuedBytes;

    @Option(names = "--queue-overflow-policy", paramLabel = "<policy>",
            description = "What happens to a QoS 1/2 message for a session that cannot take it: "
                    + "${COMPLETION-CANDIDATES} (default: DROP_NEWEST).")
    QueueOverflowPolicy queueOverflowPolicy;

    @Option(names = "--memory-budget", paramLabel = "<bytes>",
            description = "Bytes of messages held for all subscribers together (default: a quarter of the maximum heap).")
    Long memoryBudget;

    @Option(names = "--write-stall-timeout", paramLabel = "<seconds>",
            description = "Close a connection that takes no bytes for this long; 0 never (default: 60).")
    Integer writeStallTimeoutSeconds;

    @Option(names = "--data-dir", paramLabel = "<dir>",
            description = "Where persistent sessions, their QoS 1/2 messages and retained messages are stored "
                    + "(default: ${DEFAULT-VALUE} in the working directory).")
    Path dataDir = Path.of(DEFAULT_DATA_DIR);

    @Option(names = "--durability", paramLabel = "<mode>",
            description = "When an acknowledged message is safe: OS (written to the operating system: survives "
                    + "the broker being killed) or FSYNC (forced to disk: survives power loss). Default: ${DEFAULT-VALUE}.")
    Durability durability = Durability.OS;

    @Option(names = "--in-memory",
            description = "Keep persistent sessions and retained messages in memory only: they are lost when the broker stops.")
    boolean inMemory;

    @Option(names = "--io-threads", paramLabel = "<n>", description = "I/O threads (default: one per processor).")
    Integer ioThreads;

    @Option(names = "--force-nio", description = "Use the JDK's NIO even where native epoll is available.")
    boolean forceNio;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Show the version and exit.")
    boolean version;

    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Entry point of the fat jar. */
    public static void main(String[] args) {
        // Netty's leak detector samples buffer allocations on every write path; the standalone
        // server turns it off unless the operator asks for it (-Dio.netty.leakDetection.level=...).
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        int exitCode = new CommandLine(new CorvidCommand()).execute(args);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /**
     * The broker this command line describes, not yet started.
     *
     * @throws CommandLine.ParameterException when options contradict each other
     */
    Broker.Builder builder() {
        Broker.Builder builder = new Broker.Builder().host(host).port(port);
        for (Listener listener : listeners()) {
            builder.listener(listener);
        }
        if (maxConnections != null) {
            builder.maxConnections(maxConnections);
        }
        if (maxPacketSize != null) {
            builder.maxPacketSize(maxPacketSize);
        }
        if (maxInflight != null) {
            builder.maxInflight(maxInflight);
        }
        if (maxQueuedMessages != null) {
            builder.maxQueuedMessages(maxQueuedMessages);
        }
        if (maxQueuedBytes != null) {
            require(maxQueuedBytes > 0, "--max-queued-bytes must be positive");
            builder.maxQueuedBytes(maxQueuedBytes);
        }
        if (queueOverflowPolicy != null) {
            builder.queueOverflowPolicy(queueOverflowPolicy);
        }
        if (memoryBudget != null) {
            require(memoryBudget > 0, "--memory-budget must be positive");
            builder.memoryBudget(memoryBudget);
        }
        if (writeStallTimeoutSeconds != null) {
            require(writeStallTimeoutSeconds >= 0, "--write-stall-timeout must be 0 or more");
            builder.writeStallTimeout(java.time.Duration.ofSeconds(writeStallTimeoutSeconds));
        }
        if (ioThreads != null) {
            require(ioThreads > 0, "--io-threads must be positive");
            builder.ioThreads(ioThreads);
        }
        if (forceNio) {
            builder.nativeTransport(TransportSettings.NativeTransport.NIO);
        }
        return builder;
    }

    private List<Listener> listeners() {
        TlsConfig tls = tlsConfig();
        require(tls != null || tlsPort == null, "--tls-port needs --key-store or --cert/--key");
        require(tls != null || wssPort == null, "--wss-port needs --key-store or --cert/--key");
        require(wsPath.startsWith("/"), "--ws-path must start with '/': " + wsPath);
        List<Listener> listeners = new ArrayList<>();
        listeners.add(Listener.tcp(host, port).withProxyProtocol(proxyProtocol));
        if (tls != null) {
            listeners.add(Listener.tls(host, tlsPort != null ? tlsPort : DEFAULT_TLS_PORT, tls)
                    .withProxyProtocol(proxyProtocol));
        }
        if (wsPort != null) {
            listeners.add(Listener.webSocket(host, wsPort, wsPath).withProxyProtocol(proxyProtocol));
        }
        if (wssPort != null) {
            listeners.add(Listener.secureWebSocket(host, wssPort, wsPath, tls).withProxyProtocol(proxyProtocol));
        }
        if (unixSocket != null) {
            listeners.add(Listener.unix(unixSocket));
        }
        return listeners;
    }

    /** The TLS settings the options describe, or {@code null} when no key material is given. */
    private TlsConfig tlsConfig() {
        boolean pem = certificateChain != null || privateKey != null;
        if (keyStore == null && !pem) {
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

    @Override
    public Integer call() throws InterruptedException {
        Broker.Builder builder = builder();
        if (!inMemory) {
            MvStoreSessionStore store;
            try {
                store = MvStoreSessionStore.open(dataDir, durability);
            } catch (RuntimeException e) {
                spec.commandLine().getErr().println("Cannot open the store in " + dataDir.toAbsolutePath() + ": "
                        + e.getMessage());
                return 2;
            }
            LOG.info("Persistent sessions and retained messages are stored in {} (durability {})",
                    dataDir.toAbsolutePath(), durability);
            builder.sessionStore(store);
            purgeExpiredPeriodically(store);
        } else {
            LOG.info("In memory only (--in-memory): persistent sessions and retained messages end with the broker");
        }
        Broker broker = builder.build();
        broker.start();
        Thread hook = new Thread(() -> {
            LOG.info("Shutdown requested");
            broker.stop();
            // The log goes through an asynchronous appender: write out what is queued before the JVM ends.
            if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logging) {
                logging.stop();
            }
            stopped.countDown();
        }, "corvid-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 0;
    }

    /**
     * Removes expired messages and sessions from the store every few minutes: the engine drops
     * an expired message only when it would send it, so a long-offline session's expired
     * messages would otherwise keep their room in the file.
     */
    private static void purgeExpiredPeriodically(MvStoreSessionStore store) {
        java.util.concurrent.ScheduledExecutorService purger = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(task -> {
                    Thread thread = new Thread(task, "corvid-store-purge");
                    thread.setDaemon(true);
                    return thread;
                });
        purger.scheduleWithFixedDelay(() -> store.purgeExpired(System.currentTimeMillis())
                .whenComplete((result, failure) -> {
                    if (failure != null) {
                        LOG.debug("Purging expired entries from the store did not run: {}", failure.toString());
                    }
                }), PURGE_PERIOD_MINUTES, PURGE_PERIOD_MINUTES, java.util.concurrent.TimeUnit.MINUTES);
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String implementation = Broker.class.getPackage().getImplementationVersion();
            return new String[] {"Corvid " + (implementation == null ? "development build" : implementation)};
        }
    }
}
