package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Persistent subscribers and the recovery scenario end to end against an embedded Corvid broker
 * (persistent sessions in memory: no restart here, benchmarks/recovery.sh does that).
 */
class PersistentSmokeTest {
    private Broker broker;

    @BeforeEach
    void start() {
        broker = new Broker.Builder().host("127.0.0.1").port(0).build().start();
    }

    @AfterEach
    void stop() {
        broker.stop();
    }

    /** Runs the generator; returns the RESULT line's values and, under "exit", its exit status. */
    private Map<String, String> run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String[] all = Arrays.copyOf(args, args.length + 4);
        all[args.length] = "--port";
        all[args.length + 1] = Integer.toString(broker.port());
        all[args.length + 2] = "--threads";
        all[args.length + 3] = "2";
        int status = LoadGenerator.execute(new PrintStream(bytes, true, StandardCharsets.UTF_8), all);
        String output = bytes.toString(StandardCharsets.UTF_8);
        String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line in:\n" + output));
        Map<String, String> result = new HashMap<>();
        Arrays.stream(line.substring("RESULT ".length()).split(" ")).map(kv -> kv.split("=", 2))
                .forEach(kv -> result.put(kv[0], kv[1]));
        result.put("exit", Integer.toString(status));
        result.put("line", line);
        result.put("output", output);
        return result;
    }

    private static void assertClean(Map<String, String> result) {
        String line = result.get("output");
        assertEquals("0", result.get("lost"), line);
        assertEquals("0", result.get("dup"), line);
        assertEquals("0", result.get("errors"), line);
        assertEquals("ok", result.get("status"), line);
        assertEquals("0", result.get("exit"), line);
    }

    @Test
    @Timeout(60)
    void persistentPairsAtQos1LoseNothingAndLeaveNoSession() {
        Map<String, String> result = run("pairs", "--persistent-subscribers", "--qos", "1", "--pairs", "3",
                "--warmup", "0.3", "--duration", "0.7");
        assertClean(result);
        assertEquals("true", result.get("persistent"), result.get("line"));
        assertTrue(Long.parseLong(result.get("sent")) > 0, result.get("line"));
        assertTrue(broker.sessions().isEmpty(), "sessions left: " + broker.sessions());
    }

    @Test
    @Timeout(60)
    void persistentFaninAtQos2OverMqtt5() {
        Map<String, String> result = run("fanin", "--persistent-subscribers", "--qos", "2", "--protocol", "5",
                "--publishers", "4", "--warmup", "0.3", "--duration", "0.7");
        assertClean(result);
        assertEquals("true", result.get("persistent"), result.get("line"));
        assertTrue(broker.sessions().isEmpty(), "sessions left: " + broker.sessions());
    }

    @Test
    @Timeout(60)
    void cleanRunsSayPersistentFalse() {
        Map<String, String> result = run("pairs", "--qos", "1", "--pairs", "2", "--warmup", "0.2", "--duration", "0.3");
        assertClean(result);
        assertEquals("false", result.get("persistent"), result.get("line"));
    }

    @Test
    @Timeout(60)
    void recoveryFillThenDrainGetsEveryMessageOnce() {
        Map<String, String> fill = run("recovery", "--phase", "fill", "--session", "smoke-1", "--messages", "3000");
        assertEquals("ok", fill.get("status"), fill.get("output"));
        assertEquals("3000", fill.get("acked"), fill.get("line"));
        assertEquals(3000, broker.session("smoke-1").orElseThrow().queuedMessages()
                + broker.session("smoke-1").orElseThrow().inflightMessages());

        Map<String, String> drain = run("recovery", "--phase", "drain", "--session", "smoke-1", "--messages", "3000");
        assertClean(drain);
        assertEquals("true", drain.get("session_present"), drain.get("line"));
        assertEquals("3000", drain.get("received"), drain.get("line"));
        assertTrue(broker.session("smoke-1").isEmpty(), "the drain discards the session");

        // Drained and discarded: a second drain finds no session.
        Map<String, String> again = run("recovery", "--phase", "drain", "--session", "smoke-1", "--messages", "1",
                "--stall", "0.5");
        assertEquals("false", again.get("session_present"), again.get("line"));
        assertEquals("ERROR", again.get("status"), again.get("line"));
        assertEquals("2", again.get("exit"));
    }

    @Test
    @Timeout(60)
    void recoveryBothOverMqtt5AtQos2() {
        Map<String, String> result = run("recovery", "--messages", "2000", "--qos", "2", "--protocol", "5");
        assertClean(result);
        assertEquals("both", result.get("phase"), result.get("line"));
        assertEquals("2000", result.get("received"), result.get("line"));
    }

    @Test
    @Timeout(60)
    void recoveryFillRefusesAnExistingSession() {
        assertEquals("ok", run("recovery", "--phase", "fill", "--session", "smoke-2", "--messages", "10").get("status"));
        Map<String, String> again = run("recovery", "--phase", "fill", "--session", "smoke-2", "--messages", "10");
        assertEquals("ERROR", again.get("status"), again.get("line"));
        assertEquals(null, again.get("acked"), "nothing published: " + again.get("line"));
    }
}
