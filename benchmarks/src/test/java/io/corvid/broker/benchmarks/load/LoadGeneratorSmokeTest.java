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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The generator end to end against an embedded Corvid broker: a short pairs run at QoS 1 loses nothing. */
class LoadGeneratorSmokeTest {

    @Test
    @Timeout(60)
    void pairsAtQos1LoseNothing() {
        Broker broker = new Broker.Builder().host("127.0.0.1").port(0).build().start();
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int status = LoadGenerator.execute(new PrintStream(bytes, true, StandardCharsets.UTF_8), "pairs",
                    "--port", Integer.toString(broker.port()), "--qos", "1", "--pairs", "4",
                    "--warmup", "0.5", "--duration", "1", "--threads", "2");
            String output = bytes.toString(StandardCharsets.UTF_8);
            String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no RESULT line in:\n" + output));
            Map<String, String> result = new HashMap<>();
            Arrays.stream(line.substring("RESULT ".length()).split(" ")).map(kv -> kv.split("=", 2))
                    .forEach(kv -> result.put(kv[0], kv[1]));
            assertEquals("pairs", result.get("scenario"), line);
            assertEquals("1", result.get("qos"), line);
            assertEquals("0", result.get("lost"), line);
            assertEquals("0", result.get("dup"), line);
            assertEquals("0", result.get("errors"), line);
            assertTrue(Long.parseLong(result.get("sent")) > 0, line);
            assertEquals("ok", result.get("status"), line);
            assertEquals(0, status, output);
        } finally {
            broker.stop();
        }
    }
}
