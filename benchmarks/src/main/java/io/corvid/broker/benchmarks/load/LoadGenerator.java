package io.corvid.broker.benchmarks.load;

import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The end-to-end load generator: drives any MQTT broker at host:port and prints a summary and
 * one machine-readable {@code RESULT key=value ...} line per run.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.corvid.broker.benchmarks.load.LoadGenerator \
 *     pairs --port 1883 --qos 1 --pairs 20 --duration 10
 * </pre>
 *
 * <p>Exit status: 0 when the run was clean, 2 when messages were lost or duplicated at QoS 1/2,
 * a connection failed or a pressure run (stuck, late-readers, slow-subscriber) ended before
 * everything arrived, 1 for bad arguments or a run that could not be set up.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Drives an MQTT broker with one of the scenarios fanin, fanout, pairs, latency, "
                + "connections or retained, or one of the pressure scenarios stuck, late-readers or "
                + "slow-subscriber (a fixed number of messages against misbehaving subscribers), "
                + "or recovery (a persistent session's stored messages across a broker restart; "
                + "see benchmarks/recovery.sh), and prints one RESULT line.",
                "Clients: 'netty' is the generator's own client (Corvid's codec on Netty, epoll where available); "
                        + "'hivemq' is the HiveMQ MQTT client (fanin, fanout, pairs, latency)."})
public final class LoadGenerator implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO",
            description = "fanin, fanout, pairs, latency, connections, retained, stuck, late-readers, "
                    + "slow-subscriber or recovery (or use --scenario).")
    String scenarioArgument;

    @Option(names = "--scenario", description = "The scenario, as an option.")
    String scenarioOption;

    @Option(names = "--host", description = "Broker host (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Broker port (default: ${DEFAULT-VALUE}).")
    int port = 1883;

    @Option(names = "--protocol", description = "MQTT version: 3.1.1 or 5 (default: ${DEFAULT-VALUE}).")
    String protocol = "3.1.1";

    @Option(names = "--client", description = "netty or hivemq (default: ${DEFAULT-VALUE}).")
    String client = "netty";

    @Option(names = "--qos", description = "QoS of publishes and subscriptions: 0, 1 or 2 (default: 0; recovery 1).")
    Integer qos;

    @Option(names = "--payload", description = "Payload size in bytes, at least 16 (default: 64; stuck 256, "
            + "late-readers 16).")
    Integer payload;

    @Option(names = "--publishers", description = "Publishers (default: fanin 100, fanout 1, latency 1).")
    Integer publishers;

    @Option(names = "--subscribers", description = "Subscribers (default: fanin 1, fanout 100, latency 1).")
    Integer subscribers;

    @Option(names = "--pairs", description = "Publisher/subscriber pairs for 'pairs' (default: 20) and "
            + "'late-readers' (default: 10).")
    Integer pairs;

    @Option(names = "--rate", description = "Messages per second over all publishers: fixed for latency "
            + "(default 10000 there), a cap for the others (default: as fast as possible).")
    Double rate;

    @Option(names = "--warmup", description = "Warm-up seconds, not counted (default: ${DEFAULT-VALUE}).")
    double warmup = 3;

    @Option(names = "--duration", description = "Measured seconds; for 'connections' how long they are held "
            + "(default: ${DEFAULT-VALUE}).")
    double duration = 10;

    @Option(names = "--drain", description = "Most seconds to wait after the measured period for messages "
            + "in flight (default: ${DEFAULT-VALUE}).")
    double drain = 10;

    @Option(names = "--window", description = "Most QoS 1/2 messages in flight per publisher, lowered to the "
            + "broker's Receive Maximum (default: 1000; stuck, late-readers, slow-subscriber 100, as Paho "
            + "Python's max in flight).")
    Integer window;

    @Option(names = "--e2e-window", description = "Most messages sent but not yet received per subscriber, "
            + "shared by its publishers, so that the broker's per-subscriber queue (Corvid, and Mosquitto as "
            + "compare.sh configures it: 128 in flight + 1000 queued) never overflows and figures mean "
            + "sustained throughput; 0 = no limit, publishers flood (default: ${DEFAULT-VALUE}).")
    int e2eWindow = 500;

    @Option(names = "--keep-alive", description = "Keep alive in seconds (default: 60; connections: 600).")
    Integer keepAlive;

    @Option(names = "--threads", description = "Client threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--connections", description = "Idle connections for 'connections' (default: ${DEFAULT-VALUE}).")
    int connections = 1000;

    @Option(names = "--source-addresses", description = "Local addresses to connect from, in turn, e.g. "
            + "127.0.0.1-127.0.0.8 (default: chosen by the system).")
    String sourceAddresses = "";

    @Option(names = "--connect-concurrency", description = "Most connections being set up at once "
            + "(default: ${DEFAULT-VALUE}).")
    int connectConcurrency = 500;

    @Option(names = "--retained-count", description = "Retained messages for 'retained' (default: ${DEFAULT-VALUE}).")
    int retainedCount = 10_000;

    @Option(names = "--broker-pid", description = "The broker's process id: 'connections' reports its RSS "
            + "(/proc/<pid>/status) and, for a JVM, live heap (jcmd) per connection.")
    long brokerPid;

    @Option(names = "--messages", description = "Messages per publisher for stuck (default: 20000), "
            + "late-readers (default: 10000) and slow-subscriber (default: 20000); recovery: messages stored "
            + "for the session (default: 1000000).")
    Integer messages;

    @Option(names = "--live-subscribers", description = "stuck: subscribers that read normally beside the "
            + "stuck one (default: ${DEFAULT-VALUE}).")
    int liveSubscribers = 1;

    @Option(names = "--no-stuck", description = "stuck: leave the stuck subscriber out, for the baseline.")
    boolean noStuck;

    @Option(names = "--timeout", description = "stuck, late-readers, slow-subscriber: most seconds from the first "
            + "message; what arrived by then is reported (default: 60). recovery: most seconds for publishing, "
            + "and for receiving (default: 600).")
    Double timeout;

    @Option(names = "--stall", description = "stuck, late-readers, slow-subscriber: end early when nothing was "
            + "sent, acknowledged or received for this many seconds; 0 = wait for the timeout "
            + "(default: 5). recovery (drain): give up when nothing arrived for this long (default: 60).")
    Double stall;

    @Option(names = "--steady-after", description = "stuck: also report the live subscribers' rate from their "
            + "Nth message on, when the stuck peer's socket buffers are full (default: 0, not reported)")
    int steadyAfter;

    @Option(names = "--busy-us", description = "slow-subscriber: microseconds the subscriber spends per message, "
            + "busy, in its read path (default: ${DEFAULT-VALUE}).")
    double busyMicros = 50;

    @Option(names = "--persistent-subscribers", description = "fanin, fanout, pairs, latency: subscribers keep "
            + "persistent sessions (MQTT 3.1.1 Clean Session 0; 5.0 Clean Start 0 and Session Expiry Interval "
            + "3600 s), so that a broker with a store stores their QoS 1/2 messages before it acknowledges them; "
            + "client identifiers are unique per run, and the sessions are discarded after it. Publishers stay clean.")
    boolean persistentSubscribers;

    @Option(names = "--phase", description = "recovery: fill (create the persistent session, leave it, publish "
            + "--messages to it), drain (resume it and time the delivery of everything stored) or both, "
            + "without a restart between (default: ${DEFAULT-VALUE}).")
    String phase = "both";

    @Option(names = "--session", description = "recovery: the persistent session's client identifier, the same "
            + "for fill and drain; its topic is bench/recovery/<session> (default for fill and both: "
            + "lg-rec-<random>; drain needs it).")
    String session;

    @Option(names = "--verbose", description = "After an incomplete drain, print per subscriber and "
            + "publisher the sequence numbers that never arrived.")
    boolean verbose;

    private final PrintStream out;

    LoadGenerator(PrintStream out) {
        this.out = out;
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(execute(System.out, args));
    }

    /** Runs with {@code args}, printing to {@code out}; returns the exit status. */
    public static int execute(PrintStream out, String... args) {
        CommandLine commandLine = new CommandLine(new LoadGenerator(out));
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setExecutionExceptionHandler((exception, line, parseResult) -> {
            line.getErr().println("error: " + exception.getMessage());
            return 1;
        });
        return commandLine.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        Settings settings = settings();
        RunControl control = new RunControl();
        Result result = switch (settings.scenario()) {
            case CONNECTIONS -> new ConnectionsRun(settings, control, out).run();
            case RETAINED -> new RetainedRun(settings, control, out).run();
            case RECOVERY -> new RecoveryRun(settings, control, out).run();
            case STUCK, LATE_READERS, SLOW_SUBSCRIBER -> {
                try (NettyDriver driver = nettyDriver(settings, control)) {
                    yield switch (settings.scenario()) {
                        case STUCK -> new StuckRun(settings, control, out).run(driver);
                        case LATE_READERS -> new LateReadersRun(settings, control, out).run(driver);
                        default -> new SlowSubscriberRun(settings, control, out).run(driver);
                    };
                }
            }
            default -> {
                try (ClientDriver driver = driver(settings, control)) {
                    yield new ThroughputRun(settings, control, out).run(driver);
                }
            }
        };
        out.println(result.line());
        out.flush();
        for (String error : control.errorMessages()) {
            System.err.println("error: " + error);
        }
        if (control.errors() > control.errorMessages().size()) {
            System.err.println("error: ... " + (control.errors() - control.errorMessages().size()) + " more");
        }
        return "ok".equals(result.get("status")) ? 0 : 2;
    }

    private static ClientDriver driver(Settings settings, RunControl control) {
        return switch (settings.client()) {
            case "netty" -> nettyDriver(settings, control);
            case "hivemq" -> new HiveMqDriver(settings.broker(), settings.protocol(), settings.threads(),
                    settings.window(), settings.keepAlive(), settings.persistentSubscribers(), control);
            default -> throw new IllegalArgumentException(settings.client());
        };
    }

    private static NettyDriver nettyDriver(Settings settings, RunControl control) {
        return new NettyDriver(settings.broker(), settings.protocol(), settings.threads(), settings.window(),
                settings.keepAlive(), settings.persistentSubscribers(), control);
    }

    /** Resolves the options, with the scenario's defaults, into settings. */
    Settings settings() {
        if (scenarioArgument == null && scenarioOption == null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "name a scenario");
        }
        if (scenarioArgument != null && scenarioOption != null
                && Scenario.parse(scenarioArgument) != Scenario.parse(scenarioOption)) {
            throw new IllegalArgumentException("two different scenarios: " + scenarioArgument + " and "
                    + scenarioOption);
        }
        Scenario scenario = Scenario.parse(scenarioArgument != null ? scenarioArgument : scenarioOption);
        ProtocolVersion version = switch (protocol) {
            case "3.1.1", "311", "4" -> ProtocolVersion.MQTT_3_1_1;
            case "5", "5.0" -> ProtocolVersion.MQTT_5;
            default -> throw new IllegalArgumentException("--protocol must be 3.1.1 or 5: " + protocol);
        };
        QoS level = QoS.fromValue(qos != null ? qos : scenario == Scenario.RECOVERY ? 1 : 0);
        if (level == null) {
            throw new IllegalArgumentException("--qos must be 0, 1 or 2: " + qos);
        }
        if (scenario == Scenario.RECOVERY && level == QoS.AT_MOST_ONCE) {
            throw new IllegalArgumentException("recovery: --qos must be 1 or 2 (a broker stores no QoS 0 message)");
        }
        if (persistentSubscribers && !scenario.throughput()) {
            throw new IllegalArgumentException("--persistent-subscribers applies to fanin, fanout, pairs and latency"
                    + (scenario == Scenario.RECOVERY ? " (recovery's subscriber is always persistent)" : "")
                    + ", not to " + scenario.label());
        }
        String clientName = client.toLowerCase(Locale.ROOT);
        if (!clientName.equals("netty") && !clientName.equals("hivemq")) {
            throw new IllegalArgumentException("--client must be netty or hivemq: " + client);
        }
        if (clientName.equals("hivemq") && !scenario.throughput()) {
            throw new IllegalArgumentException("--client hivemq runs fanin, fanout, pairs and latency; "
                    + scenario.label() + " uses the netty client");
        }
        int pubs;
        int subs;
        switch (scenario) {
            case FANIN -> {
                pubs = or(publishers, 100);
                subs = or(subscribers, 1);
            }
            case FANOUT -> {
                pubs = or(publishers, 1);
                subs = or(subscribers, 100);
            }
            case PAIRS -> {
                int n = pairs != null ? pairs : publishers != null ? publishers : or(subscribers, 20);
                if ((publishers != null && publishers != n) || (subscribers != null && subscribers != n)) {
                    throw new IllegalArgumentException("pairs: --publishers and --subscribers must equal --pairs");
                }
                pubs = n;
                subs = n;
            }
            case LATENCY -> {
                pubs = or(publishers, 1);
                subs = or(subscribers, 1);
            }
            case LATE_READERS -> {
                pubs = or(pairs, 10);
                subs = pubs;
            }
            case STUCK -> {
                pubs = 1;
                subs = liveSubscribers;
            }
            case SLOW_SUBSCRIBER -> {
                pubs = 1;
                subs = 1;
            }
            default -> {
                pubs = 0;
                subs = 0;
            }
        }
        double messagesPerSecond = rate != null ? rate : scenario == Scenario.LATENCY ? 10_000 : 0;
        if (messagesPerSecond < 0) {
            throw new IllegalArgumentException("--rate must not be negative");
        }
        if (e2eWindow < 0) {
            throw new IllegalArgumentException("--e2e-window must not be negative");
        }
        int keepAliveSeconds = keepAlive != null ? keepAlive : scenario == Scenario.CONNECTIONS ? 600 : 60;
        List<InetAddress> locals = SourceAddresses.parse(sourceAddresses);
        if (connectConcurrency < 1) {
            throw new IllegalArgumentException("--connect-concurrency must be at least 1");
        }
        int payloadSize = payload != null ? payload
                : scenario == Scenario.STUCK ? 256 : scenario == Scenario.LATE_READERS ? 16 : 64;
        int inflightWindow = window != null ? window : scenario.pressure() ? 100 : 1000;
        PressureSettings pressure = scenario.pressure()
                ? new PressureSettings(or(messages, scenario == Scenario.LATE_READERS ? 10_000 : 20_000),
                        liveSubscribers, !noStuck, or(timeout, 60), or(stall, 5), Math.round(busyMicros * 1000), steadyAfter)
                : PressureSettings.NONE;
        RecoverySettings recovery = scenario == Scenario.RECOVERY ? recoverySettings() : RecoverySettings.NONE;
        return new Settings(scenario, host, port, version, clientName, level, payloadSize, pubs, subs,
                messagesPerSecond, warmup, duration, drain, inflightWindow, e2eWindow, keepAliveSeconds, threads,
                connections, locals, connectConcurrency, retainedCount, brokerPid, verbose, pressure,
                persistentSubscribers, recovery);
    }

    private RecoverySettings recoverySettings() {
        RecoverySettings.Phase step = RecoverySettings.Phase.parse(phase);
        String id = session;
        if (id == null) {
            if (step == RecoverySettings.Phase.DRAIN) {
                throw new IllegalArgumentException("recovery --phase drain needs --session, the one fill used");
            }
            id = "lg-rec-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);
        }
        return new RecoverySettings(step, id, or(messages, RecoverySettings.DEFAULT_MESSAGES), or(timeout, 600),
                or(stall, 60));
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }

    private static double or(Double value, double fallback) {
        return value != null ? value : fallback;
    }
}
