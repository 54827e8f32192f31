package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.BrokerConfig;
import io.corvid.broker.Listener;
import io.corvid.broker.QueueOverflowPolicy;
import io.corvid.broker.packet.QoS;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The --config file: its values become the options, flags win, and a bad file says what is wrong where. */
class ConfigFileOptionsTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path file = dir.resolve("corvid.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static CorvidCommand parse(String... args) {
        CommandLine commandLine = CorvidCommand.commandLine(args);
        commandLine.parseArgs(args);
        return commandLine.getCommand();
    }

    /** Runs the command line as main does, up to the first error; returns exit code and error output. */
    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        int exit = CorvidCommand.execute(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
        return new String[] {Integer.toString(exit), err.toString()};
    }

    @Test
    void valuesOfTheFileBecomeTheOptions() throws IOException {
        Path config = file("""
                # a comment
                host: 127.0.0.1
                port: 1999
                ws-port: 8080
                max-inflight: 7
                max-qos: 1
                retain-available: false
                queue-overflow-policy: drop_oldest
                in-memory: true
                sys-interval: 0
                """);
        CorvidCommand command = parse("--config", config.toString());
        BrokerConfig broker = command.builder().buildConfig();
        assertEquals("127.0.0.1", broker.listeners().get(0).host());
        assertEquals(1999, broker.listeners().get(0).port());
        assertEquals(List.of(Listener.Protocol.TCP, Listener.Protocol.WEBSOCKET),
                broker.listeners().stream().map(Listener::protocol).toList());
        assertEquals(7, broker.maxInflight());
        assertEquals(QoS.AT_LEAST_ONCE, broker.maximumQos());
        assertFalse(broker.retainAvailable());
        assertEquals(QueueOverflowPolicy.DROP_OLDEST, broker.queueOverflowPolicy());
        assertEquals(java.time.Duration.ZERO, broker.sysInterval());
        assertTrue(command.inMemory);
    }

    @Test
    void aListIsWhatTheFlagTakesCommaSeparated() throws IOException {
        Path config = file("key-store: ks.p12\ntls-versions: [TLSv1.3, TLSv1.2]\n");
        Listener tls = parse("--config", config.toString()).builder().buildConfig().listeners().get(0);
        assertEquals(Listener.Protocol.TLS, tls.protocol());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.tls().protocols());
    }

    @Test
    void flagsWinOverTheFile() throws IOException {
        Path config = file("port: 1999\nmax-inflight: 7\nin-memory: true\n");
        CorvidCommand command = parse("-p", "2000", "--config", config.toString(), "--max-inflight", "9");
        BrokerConfig broker = command.builder().buildConfig();
        assertEquals(2000, broker.listeners().get(0).port());
        assertEquals(9, broker.maxInflight());
        assertTrue(command.inMemory, "what the flags leave alone still comes from the file");
        assertEquals(1999, parse("--config=" + config).builder().buildConfig().listeners().get(0).port());
    }

    @Test
    void anUnknownKeyNamesTheFileTheLineAndTheLikelyKey() throws IOException {
        Path config = file("port: 1883\nmax-inflights: 10\n");
        String[] result = run("-c", config.toString());
        assertEquals("2", result[0]);
        assertTrue(result[1].contains(config + " line 2"), result[1]);
        assertTrue(result[1].contains("unknown key 'max-inflights'"), result[1]);
        assertTrue(result[1].contains("did you mean 'max-inflight'"), result[1]);
    }

    @Test
    void aBadValueNamesTheKeyTheValueAndWhatIsAllowed() throws IOException {
        for (String[] bad : List.of(
                new String[] {"max-inflight: lots", "'lots'", "max-inflight"},
                new String[] {"max-qos: 3", "expected 0, 1 or 2", "max-qos"},
                new String[] {"queue-overflow-policy: whatever", "DROP_NEWEST", "queue-overflow-policy"},
                new String[] {"in-memory: maybe", "expected true or false", "in-memory"},
                new String[] {"client-auth: sometimes", "none, optional or require", "client-auth"},
                new String[] {"log-level: loud", "TRACE", "log-level"})) {
            Path config = file("# limits\n" + bad[0] + "\n");
            String[] result = run("--config", config.toString());
            assertEquals("2", result[0], bad[0]);
            assertTrue(result[1].contains(config + " line 2: " + bad[2]), result[1]);
            assertTrue(result[1].contains(bad[1]), bad[0] + " -> " + result[1]);
        }
    }

    @Test
    void aValueOutOfRangeIsRefusedBeforeAnythingStarts() throws IOException {
        Path config = file("max-inflight: 0\nin-memory: true\n");
        String[] result = run("--config", config.toString(), "-p", "0");
        assertEquals("2", result[0]);
        assertTrue(result[1].contains("--max-inflight"), result[1]);
    }

    @Test
    void fileShapesThatAreNotOptionsAreRefused() throws IOException {
        for (String[] bad : List.of(
                new String[] {"port: 1\nport: 2\n", "'port' is set twice (first on line 1)"},
                new String[] {"tls:\n  key-store: ks.p12\n", "not a nested mapping"},
                new String[] {"port: [1883\n", "not valid YAML"},
                new String[] {"- port\n", "expected 'name: value' lines"},
                new String[] {"port:\n", "'port' has no value"},
                new String[] {"config: other.yaml\n", "unknown key 'config'"},
                new String[] {"help: true\n", "unknown key 'help'"})) {
            Path config = file(bad[0]);
            String[] result = run("--config", config.toString());
            assertEquals("2", result[0], bad[0]);
            assertTrue(result[1].contains(bad[1]), bad[0] + " -> " + result[1]);
        }
        String[] missing = run("--config", dir.resolve("absent.yaml").toString());
        assertEquals("2", missing[0]);
        assertTrue(missing[1].contains("absent.yaml: no such file"), missing[1]);
    }

    @Test
    void anEmptyFileSetsNothing() throws IOException {
        Path config = file("# nothing yet\n");
        BrokerConfig broker = parse("--config", config.toString()).builder().buildConfig();
        assertEquals(CorvidCommand.DEFAULT_PORT, broker.listeners().get(0).port());
    }
}
