package io.corvid.broker.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.TlsConfig;
import io.corvid.broker.admin.AdminServer;
import io.corvid.broker.cli.config.ConfigException;
import io.corvid.broker.cli.config.ConfigFile;
import io.corvid.broker.cli.config.ConfigOptions;
import io.corvid.broker.cluster.hazelcast.HazelcastCluster;
import io.corvid.broker.cli.security.AclAuthorization;
import io.corvid.broker.cli.security.PasswdCommand;
import io.corvid.broker.cli.security.PasswordFileAuthentication;
import io.corvid.broker.metrics.PrometheusMetrics;
import io.corvid.broker.store.mvstore.Durability;
import io.corvid.broker.store.mvstore.MvStoreSessionStore;
import io.corvid.broker.transport.TransportSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The standalone launcher: {@code java -jar broker-cli.jar -p 1883}. Runs until the JVM is
 * asked to stop (SIGTERM, SIGINT), then stops the broker gracefully.
 *
 * <p>Listeners: {@code -p} is the main one; it speaks TLS only as soon as key material is
 * given ({@code --key-store}, or {@code --cert} and {@code --key}), plain TCP otherwise. Other
 * listeners only when asked: {@code --tcp-port}, {@code --ws-port}, {@code --wss-port},
 * {@code --unix-socket}. So {@code java -jar broker-cli.jar -p 1883 --key-store ks.p12} serves
 * TLS on 1883 and nothing else.
 *
 * <p>Every option may also come from a YAML file ({@code --config}), under its long name
 * without the dashes; a flag on the command line wins over the file.
 */
@Command(name = "corvid", mixinStandardHelpOptions = false, versionProvider = CorvidCommand.Version.class,
        description = "Corvid MQTT broker (MQTT 3.1, 3.1.1 and 5.0).", sortOptions = false,
        subcommands = PasswdCommand.class,
        footer = {"", "Every option can be set in the --config file under its long name without '--' "
                + "(e.g. 'max-inflight: 256'); flags win over the file.",
            "Passwords can also come from the environment: CORVID_KEY_STORE_PSW, CORVID_KEY_PSW,",
            "CORVID_TRUST_STORE_PSW, and the admin token from CORVID_ADMIN_TOKEN (a secret on the command line",
            "is visible to other local users)."})
public final class CorvidCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(CorvidCommand.class);

    /** The main port without TLS. */
    static final int DEFAULT_PORT = 1883;
    /** The main port with TLS. */
    static final int DEFAULT_TLS_PORT = 8883;
    /** The data directory when none is given: durable by default, as the standalone server promises. */
    static final String DEFAULT_DATA_DIR = "corvid-data";
    /** Exit code for a configuration the launcher cannot use (picocli uses it for bad flags too). */
    static final int EXIT_BAD_CONFIGURATION = 2;
    /** Exit code when the configuration is valid but the broker cannot start (e.g. a port in use). */
    static final int EXIT_CANNOT_START = 1;
    private static final long PURGE_PERIOD_MINUTES = 5;
    /** How often the password and ACL files are checked for changes. */
    private static final Duration SECURITY_FILES_POLL = Duration.ofSeconds(2);

    /** Log levels of {@code --log-level}. */
    enum LogLevel { ERROR, WARN, INFO, DEBUG, TRACE, OFF }

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "<file.yaml>",
            description = "YAML file of options (keys are the long flags without '--'); flags win over it.")
    Path config;

    @Option(names = {"-h", "--host"}, description = "Address the listeners bind to (default: ${DEFAULT-VALUE}).")
    String host = "0.0.0.0";

    @Option(names = {"-p", "--port"}, paramLabel = "<port>",
            description = "Main listener's port: TLS only when --key-store or --cert is given, plain TCP otherwise "
                    + "(default: " + DEFAULT_PORT + ", or " + DEFAULT_TLS_PORT + " with TLS); 0 picks a free one.")
    Integer port;

    @Option(names = "--tcp-port", paramLabel = "<port>",
            description = "Also serve plain TCP on this port (e.g. next to TLS on -p).")
    Integer tcpPort;

    @Option(names = "--ws-port", paramLabel = "<port>",
            description = "Also serve MQTT over WebSocket on this port.")
    Integer wsPort;

    @Option(names = "--wss-port", paramLabel = "<port>",
            description = "Also serve MQTT over secure WebSocket on this port; needs --key-store or --cert/--key.")
    Integer wssPort;

    @Option(names = "--ws-path", paramLabel = "<path>", description = "WebSocket path (default: ${DEFAULT-VALUE}).")
    String wsPath = Listener.DEFAULT_WEBSOCKET_PATH;

    @Option(names = "--unix-socket", paramLabel = "<path>", description = "Also serve MQTT on this Unix domain socket.")
    Path unixSocket;

    @Option(names = "--proxy-protocol",
            description = "Expect a PROXY protocol (v1 or v2) header on every TCP, TLS and WebSocket connection.")
    boolean proxyProtocol;

    @Mixin
    TlsOptions tls = new TlsOptions();

    @Option(names = "--allow-anonymous",
            description = "Accept clients without a user name from anywhere (default: from this host only, "
                    + "and from nowhere once --password-file is given).")
    boolean allowAnonymous;

    @Option(names = "--password-file", paramLabel = "<file>",
            description = "Users and password hashes in Mosquitto's format (mosquitto_passwd, or this jar's passwd "
                    + "command); reloaded on SIGHUP and when it changes.")
    Path passwordFile;

    @Option(names = "--acl-file", paramLabel = "<file>",
            description = "Who may publish and subscribe to what, in Mosquitto's acl_file format; once given, what it "
                    + "does not allow is denied. Reloaded on SIGHUP and when it changes.")
    Path aclFile;

    @Mixin
    LimitOptions limits = new LimitOptions();

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

    @Mixin
    AdminOptions admin = new AdminOptions();

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(names = "--metrics", paramLabel = "true|false", arity = "1",
            description = "Record Prometheus metrics (Micrometer) and serve them at the admin listener's /metrics "
                    + "(default: true). The engine's own counters ($SYS, the admin API) are kept either way.")
    boolean recordMetrics = true;

    @Option(names = "--log-level", paramLabel = "<level>",
            description = "Level of the broker's log: ${COMPLETION-CANDIDATES} (default: INFO).")
    LogLevel logLevel;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Show the version and exit.")
    boolean version;

    /** Where options came from a config file, for messages; {@code null} without one. */
    private ConfigOptions configOptions;
    /**
     * The running broker's metrics, JVM and Netty included, once it has started ({@code null} with
     * {@code --metrics false}): what the admin
     * listener serves at {@code /metrics} ({@code metrics::scrape}, {@link PrometheusMetrics#CONTENT_TYPE}).
     */
    PrometheusMetrics metrics;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** This node's cluster as {@link #builder()} made it, or {@code null} when not clustered. */
    private HazelcastCluster clusterNode;

    /** Entry point of the fat jar. */
    public static void main(String[] args) {
        // Netty's leak detector samples buffer allocations on every write path; the standalone
        // server turns it off unless the operator asks for it (-Dio.netty.leakDetection.level=...).
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        int exitCode = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /**
     * Runs the command line {@code args}: reads the config file it names, if any, then parses
     * and runs. Returns the exit code; errors go to {@code err}.
     */
    static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine;
        try {
            commandLine = commandLine(args);
        } catch (ConfigException e) {
            err.println("corvid: bad config file: " + e.getMessage());
            return EXIT_BAD_CONFIGURATION;
        }
        return commandLine.setOut(out).setErr(err).execute(args);
    }

    /**
     * The command line for {@code args}, with the values of the config file they name (if any)
     * as the options' defaults.
     *
     * @throws ConfigException when that file cannot be used
     */
    static CommandLine commandLine(String[] args) {
        CorvidCommand command = new CorvidCommand();
        CommandLine commandLine = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
        Path configFile = configFileIn(args);
        if (configFile != null) {
            command.configOptions = ConfigOptions.checked(ConfigFile.load(configFile), commandLine.getCommandSpec(),
                    CorvidCommand::new);
            commandLine.setDefaultValueProvider(command.configOptions);
        }
        return commandLine;
    }

    /**
     * The config file named in {@code args}. Read before picocli parses them because the file
     * supplies the defaults of that same parse.
     */
    static Path configFileIn(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if ((arg.equals("-c") || arg.equals("--config")) && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (arg.startsWith("--config=")) {
                return Path.of(arg.substring("--config=".length()));
            }
            if (arg.equals("--")) {
                break;
            }
        }
        return null;
    }

    /**
     * The broker this command line describes, not yet started and without its store.
     *
     * @throws CommandLine.ParameterException when options contradict each other
     */
    Broker.Builder builder() {
        Broker.Builder builder = new Broker.Builder();
        for (Listener listener : listeners()) {
            builder.listener(listener);
        }
        limits.applyTo(builder);
        if (ioThreads != null) {
            require(ioThreads > 0, "--io-threads must be positive");
            builder.ioThreads(ioThreads);
        }
        if (forceNio) {
            builder.nativeTransport(TransportSettings.NativeTransport.NIO);
        }
        clusterNode = cluster.cluster();
        if (clusterNode != null) {
            builder.cluster(clusterNode);
        }
        return builder;
    }

    /** The main port: {@code -p}, or the default for the main listener's protocol. */
    int mainPort() {
        return port != null ? port : tls.enabled() ? DEFAULT_TLS_PORT : DEFAULT_PORT;
    }

    List<Listener> listeners() {
        TlsConfig tlsConfig = tls.tlsConfig();
        require(tlsConfig != null || wssPort == null, "--wss-port needs --key-store or --cert/--key");
        require(wsPath.startsWith("/"), "--ws-path must start with '/': " + wsPath);
        List<Listener> listeners = new ArrayList<>();
        listeners.add((tlsConfig != null ? Listener.tls(host, mainPort(), tlsConfig) : Listener.tcp(host, mainPort()))
                .withProxyProtocol(proxyProtocol));
        if (tcpPort != null) {
            listeners.add(Listener.tcp(host, tcpPort).withProxyProtocol(proxyProtocol));
        }
        if (wsPort != null) {
            listeners.add(Listener.webSocket(host, wsPort, wsPath).withProxyProtocol(proxyProtocol));
        }
        if (wssPort != null) {
            listeners.add(Listener.secureWebSocket(host, wssPort, wsPath, tlsConfig).withProxyProtocol(proxyProtocol));
        }
        if (unixSocket != null) {
            listeners.add(Listener.unix(unixSocket));
        }
        return listeners;
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        if (logLevel != null) {
            setLogLevel(logLevel);
        }
        Broker.Builder builder = builder();
        PasswordFileAuthentication users;
        AclAuthorization acl;
        try {
            users = passwordFile == null ? null : new PasswordFileAuthentication(passwordFile, allowAnonymous);
            acl = aclFile == null ? null : new AclAuthorization(aclFile);
            admin.load();
        } catch (IOException e) {
            spec.commandLine().getErr().println("corvid: " + e.getMessage());
            return EXIT_BAD_CONFIGURATION;
        }
        ClientAdmission admission = new ClientAdmission(users, allowAnonymous, tls.useIdentityAsUsername);
        builder.authentication(admission);
        if (acl != null) {
            builder.authorization(acl);
        }
        String persistence;
        if (!inMemory) {
            MvStoreSessionStore store;
            try {
                store = MvStoreSessionStore.open(dataDir, durability);
            } catch (RuntimeException e) {
                spec.commandLine().getErr().println("corvid: cannot open the store in " + dataDir.toAbsolutePath()
                        + ": " + e.getMessage());
                return EXIT_BAD_CONFIGURATION;
            }
            persistence = dataDir.toAbsolutePath() + " (durability " + durability + ")";
            builder.sessionStore(store);
            purgeExpiredPeriodically(store);
        } else {
            persistence = "in memory only (--in-memory): persistent sessions and retained messages end with the broker";
        }
        Broker broker;
        AdminServer adminServer;
        try {
            broker = buildMeasured(builder);
            Map<String, Object> effectiveOptions = EffectiveOptions.of(spec);
            adminServer = admin.server(broker, () -> effectiveOptions, metrics == null ? null : metrics::scrape);
            broker.start();
            bindMetrics(broker);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("corvid: " + e.getMessage());
            return EXIT_BAD_CONFIGURATION;
        } catch (UncheckedIOException e) {
            spec.commandLine().getErr().println("corvid: cannot start: " + e.getMessage()
                    + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""));
            return EXIT_CANNOT_START;
        } catch (IllegalStateException e) {
            // The cluster could not be joined (its port taken, its data port taken ...).
            spec.commandLine().getErr().println("corvid: cannot start: " + e.getMessage());
            return EXIT_CANNOT_START;
        }
        String adminDescription = "off (--admin-port)";
        if (adminServer != null) {
            try {
                adminServer.start();
            } catch (IllegalStateException e) {
                broker.stop();
                spec.commandLine().getErr().println("corvid: " + e.getMessage());
                return EXIT_BAD_CONFIGURATION;
            } catch (UncheckedIOException e) {
                broker.stop();
                spec.commandLine().getErr().println("corvid: cannot start: " + e.getMessage());
                return EXIT_CANNOT_START;
            }
            adminDescription = adminServer.url() + (adminServer.requiresToken() ? " (bearer token required)"
                    : " (no token: requests from this host only)");
        }
        String authentication = admission.describe() + (users == null ? ""
                : " (" + users.file() + ", " + users.userCount() + " users)");
        String authorization = acl == null ? "none: every client may publish and subscribe to every topic"
                : "ACL file " + acl.file() + " (" + acl.ruleCount() + " rules); what it does not allow is denied";
        for (String line : StartupBanner.lines(new Version().getVersion()[0], configOptions, authentication,
                authorization, persistence, limits.describeSet(), adminDescription,
                ClusterOptions.describe(broker, clusterNode))) {
            LOG.info(line);
        }
        SecurityFilesReloader reloader = securityFilesReloader(users, acl);
        reloader.start(SECURITY_FILES_POLL);
        Thread hook = new Thread(() -> {
            LOG.info("Shutdown requested");
            reloader.close();
            if (adminServer != null) {
                adminServer.stop(); // first: it answers from the broker
            }
            broker.stop();
            if (metrics != null) {
                metrics.close();
            }
            // The log goes through an asynchronous appender: write out what is queued before the JVM ends.
            if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
                logging.stop();
            }
            stopped.countDown();
        }, "corvid-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 0;
    }

    /**
     * Builds and starts the broker with its metrics recorded (unless {@code --metrics false}),
     * then binds its counters and gauges into {@link #metrics}.
     */
    Broker startWithMetrics(Broker.Builder builder) {
        Broker broker = buildMeasured(builder);
        try {
            broker.start();
            bindMetrics(broker);
            return broker;
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            throw e;
        }
    }

    /**
     * Builds the broker, recording into a new {@link #metrics} unless {@code --metrics false}.
     * The counters are the engine's own, read at a scrape; the message path gains only the
     * latency sample (one message in 64 per publisher timed, one {@code Timer.record} per
     * delivery of it), which {@code --metrics false} leaves out too.
     */
    private Broker buildMeasured(Broker.Builder builder) {
        metrics = recordMetrics ? new PrometheusMetrics() : null;
        if (metrics != null) {
            builder.metricsRecorder(metrics.recorder());
        }
        return builder.build();
    }

    /** Binds the started broker's counters and gauges into {@link #metrics}, when recorded. */
    private void bindMetrics(Broker broker) {
        if (metrics != null) {
            metrics.bindTo(broker);
        }
    }

    private static SecurityFilesReloader securityFilesReloader(PasswordFileAuthentication users, AclAuthorization acl) {
        List<SecurityFilesReloader.Watched> files = new ArrayList<>();
        if (users != null) {
            files.add(new SecurityFilesReloader.Watched("password file", users.file(), () -> users.reload() + " users"));
        }
        if (acl != null) {
            files.add(new SecurityFilesReloader.Watched("ACL file", acl.file(), () -> acl.reload() + " rules"));
        }
        return new SecurityFilesReloader(files);
    }

    private static void setLogLevel(LogLevel level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
            logging.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level.name()));
        }
    }

    /**
     * Removes expired messages and sessions from the store every few minutes: the engine drops
     * an expired message only when it would send it, so a long-offline session's expired
     * messages would otherwise keep their room in the file.
     */
    private static void purgeExpiredPeriodically(MvStoreSessionStore store) {
        ScheduledExecutorService purger = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "corvid-store-purge");
            thread.setDaemon(true);
            return thread;
        });
        purger.scheduleWithFixedDelay(() -> store.purgeExpired(System.currentTimeMillis())
                .whenComplete((result, failure) -> {
                    if (failure != null) {
                        LOG.debug("Purging expired entries from the store did not run: {}", failure.toString());
                    }
                }), PURGE_PERIOD_MINUTES, PURGE_PERIOD_MINUTES, TimeUnit.MINUTES);
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
