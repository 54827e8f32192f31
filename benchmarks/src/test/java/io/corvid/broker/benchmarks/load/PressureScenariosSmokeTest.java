package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pressure scenarios end to end against an embedded Corvid broker. They measure the broker,
 * so only what the generator owes is asserted: the run ends, its RESULT line adds up, and a
 * subscriber told to hold its reads reads nothing until told to resume.
 */
class PressureScenariosSmokeTest {
    private Broker broker;

    @BeforeEach
    void start() {
        broker = new Broker.Builder().host("127.0.0.1").port(0).build().start();
    }

    @AfterEach
    void stop() {
        broker.stop();
    }

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
        assertEquals(result.get("status").equals("ok") ? 0 : 2, status, output);
        long expected = Long.parseLong(result.get("expected"));
        long delivered = Long.parseLong(result.get("delivered"));
        assertTrue(delivered <= expected, line);
        assertEquals(expected - delivered, Long.parseLong(result.get("lost")), line);
        assertTrue(Set.of("ok", "incomplete", "dup").contains(result.get("status")), line);
        assertEquals(result.get("status").equals("ok"), result.get("end").equals("complete")
                && delivered == expected && "0".equals(result.get("dup")), line);
        return result;
    }

    @Test
    @Timeout(60)
    void stuckReportsTheLiveSubscribers() {
        Map<String, String> result = run("stuck", "--qos", "1", "--messages", "300", "--live-subscribers", "2",
                "--timeout", "10", "--stall", "2");
        assertEquals("stuck", result.get("scenario"));
        assertEquals("1", result.get("stuck"));
        assertEquals(2, result.get("live_received").split(",").length);
        assertNotNull(result.get("live_rate"));
        assertNotNull(result.get("stuck_disconnected"));
    }

    @Test
    @Timeout(60)
    void stuckBaseline() {
        Map<String, String> result = run("stuck", "--no-stuck", "--qos", "0", "--messages", "300",
                "--timeout", "10", "--stall", "2");
        assertEquals("0", result.get("stuck"));
        assertEquals("na", result.get("stuck_disconnected"));
    }

    @Test
    @Timeout(60)
    void lateReadersReportTheDeliveryRatio() {
        Map<String, String> result = run("late-readers", "--pairs", "3", "--messages", "200",
                "--timeout", "10", "--stall", "2");
        assertEquals("late-readers", result.get("scenario"));
        assertEquals("3", result.get("pairs"));
        assertNotNull(result.get("ratio"));
    }

    @Test
    @Timeout(60)
    void slowSubscriberReportsWhetherItWasDisconnected() {
        Map<String, String> result = run("slow-subscriber", "--qos", "1", "--messages", "300", "--busy-us", "20",
                "--timeout", "10", "--stall", "2");
        assertEquals("slow-subscriber", result.get("scenario"));
        assertTrue(Set.of("true", "false").contains(result.get("disconnected")));
        assertEquals("20.0", result.get("busy_us"));
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Two subscribers on one topic, one holding its reads; 50 small messages (they fit in any
     * socket buffer, so no broker has a reason to drop them). Once the reading one has them all,
     * the broker wrote them to both sockets: the holding one must have read none. Resumed, it
     * gets them all.
     */
    @Test
    @Timeout(60)
    void heldReadsReadNothingUntilResumed() throws Exception {
        RunControl control = new RunControl();
        try (NettyDriver driver = new NettyDriver(new java.net.InetSocketAddress("127.0.0.1", broker.port()),
                ProtocolVersion.MQTT_3_1_1, 2, 100, 60, control)) {
            Receiver held = PressureRig.receiver(0, 0);
            Receiver reading = PressureRig.receiver(1, 0);
            NettyMqttConnection heldConnection = PressureRig.await(List.of(driver.subscriber("held", "t/held",
                    QoS.AT_MOST_ONCE, held, new ReadPolicy(true, 0, false))), "held").get(0);
            PressureRig.await(List.of(driver.subscriber("reading", "t/held", QoS.AT_MOST_ONCE, reading,
                    ReadPolicy.NORMAL)), "reading");
            Sender sender = new Sender(0, control, 0, 0, true);
            sender.limit(50);
            PressureRig.await(List.of(driver.publisherConnection("pub", "t/held", QoS.AT_MOST_ONCE, 16, sender)),
                    "publisher");
            control.phase(RunControl.Phase.MEASURE);
            sender.start();
            await(() -> reading.distinct() == 50, "the reading subscriber's 50 messages");
            assertEquals(0, held.received(), "the holding subscriber read nothing");
            heldConnection.holdReads(false);
            await(() -> held.distinct() == 50, "the resumed subscriber's 50 messages");
            assertEquals(0, control.errors(), control.errorMessages().toString());
        }
    }
}
