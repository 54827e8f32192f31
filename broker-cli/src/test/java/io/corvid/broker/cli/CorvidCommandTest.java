package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.BrokerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
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
    void theDescribedBrokerStartsAndStops() {
        try (Broker broker = parse("-h", "127.0.0.1", "-p", "0").builder().build().start()) {
            assertNotEquals(0, broker.port());
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
        assertTrue(out.toString().contains("--host"));
    }
}
