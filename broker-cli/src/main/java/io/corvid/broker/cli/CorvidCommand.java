package io.corvid.broker.cli;

import io.corvid.broker.Broker;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The standalone launcher: {@code java -jar broker-cli.jar -h 127.0.0.1 -p 1883}. Runs until
 * the JVM is asked to stop (SIGTERM, SIGINT), then stops the broker gracefully.
 */
@Command(name = "corvid", mixinStandardHelpOptions = false, versionProvider = CorvidCommand.Version.class,
        description = "Corvid MQTT broker (MQTT 3.1, 3.1.1 and 5.0).", sortOptions = false)
public final class CorvidCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(CorvidCommand.class);

    @Option(names = {"-h", "--host"}, description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = "0.0.0.0";

    @Option(names = {"-p", "--port"}, description = "TCP port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = 1883;

    @Option(names = "--max-connections", description = "Most clients connected at once (default: no limit).")
    Integer maxConnections;

    @Option(names = "--max-packet-size", description = "Largest packet accepted, in bytes (default: 1048576).")
    Integer maxPacketSize;

    @Option(names = "--max-inflight", description = "Most QoS 1/2 messages in flight per client (default: 128).")
    Integer maxInflight;

    @Option(names = "--max-queued-messages", description = "Most messages queued per session (default: 1000).")
    Integer maxQueuedMessages;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Show the version and exit.")
    boolean version;

    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Entry point of the fat jar. */
    public static void main(String[] args) {
        int exitCode = new CommandLine(new CorvidCommand()).execute(args);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /** The broker this command line describes, not yet started. */
    Broker.Builder builder() {
        Broker.Builder builder = new Broker.Builder().host(host).port(port);
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
        return builder;
    }

    @Override
    public Integer call() throws InterruptedException {
        Broker broker = builder().build();
        broker.start();
        Thread hook = new Thread(() -> {
            LOG.info("Shutdown requested");
            broker.stop();
            stopped.countDown();
        }, "corvid-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 0;
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
