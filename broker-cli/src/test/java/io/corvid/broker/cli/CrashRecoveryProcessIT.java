package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The durability promise, tested the hard way: a launcher process with a data directory is
 * killed with SIGKILL while a QoS 1 publisher runs; restarted on the same directory, it must
 * deliver to a persistent subscriber every message it had acknowledged.
 */
class CrashRecoveryProcessIT {
    private static final Pattern LISTENING = Pattern.compile("Listening for MQTT on .*:(\\d+) ");
    private static final String TOPIC = "crash/t";
    private static final int WINDOW = 32;

    @TempDir
    Path temp;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 23, 47})
    void everyAcknowledgedMessageSurvivesAKill(long seed) throws Exception {
        Random random = new Random(seed);
        Path dataDir = temp.resolve("data");
        int killAfter = 300 + random.nextInt(2_700);

        Launcher first = Launcher.start(temp.resolve("first.log"), dataDir);
        BitSet acknowledged = new BitSet();
        try {
            try (WireClient subscriber = WireClient.connect(first.port, "crash-sub", false)) {
                subscriber.send(new Subscribe(1, List.of(new Subscription(TOPIC, QoS.AT_LEAST_ONCE)), Properties.EMPTY));
                assertTrue(subscriber.receive() instanceof SubAck);
                subscriber.send(Disconnect.NORMAL);
            }
            publishUntilKilled(first, killAfter, acknowledged);
        } finally {
            first.process.destroyForcibly();
        }
        assertTrue(acknowledged.cardinality() >= killAfter, "published before the kill: " + acknowledged.cardinality());

        Launcher second = Launcher.start(temp.resolve("second.log"), dataDir);
        try (WireClient subscriber = WireClient.connect(second.port, "crash-sub", false)) {
            assertTrue(subscriber.connAck().sessionPresent(), "the persistent session survived");
            BitSet received = new BitSet();
            BitSet missing = (BitSet) acknowledged.clone();
            while (!missing.isEmpty()) {
                MqttPacket packet = subscriber.receive(); // the socket's read timeout bounds the wait
                if (packet instanceof Publish publish) {
                    int sequence = ByteBuffer.wrap(publish.payload()).getInt();
                    received.set(sequence);
                    missing.clear(sequence);
                    subscriber.send(new PubAck(publish.packetId()));
                }
            }
            assertTrue(received.cardinality() >= acknowledged.cardinality());
        } finally {
            second.stop();
        }
    }

    /**
     * Publishes numbered QoS 1 messages with {@value #WINDOW} in flight, records each PUBACK,
     * and kills the broker with SIGKILL once {@code killAfter} are acknowledged.
     */
    private static void publishUntilKilled(Launcher broker, int killAfter, BitSet acknowledged) throws Exception {
        try (WireClient publisher = WireClient.connect(broker.port, "crash-pub", true)) {
            Semaphore window = new Semaphore(WINDOW);
            AtomicReferenceArray<Integer> inFlight = new AtomicReferenceArray<>(65_536);
            AtomicInteger acks = new AtomicInteger();
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        MqttPacket packet = publisher.receive();
                        if (packet instanceof PubAck ack) {
                            Integer sequence = inFlight.getAndSet(ack.packetId(), null);
                            synchronized (acknowledged) {
                                acknowledged.set(sequence);
                            }
                            acks.incrementAndGet();
                            window.release();
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    window.release(WINDOW); // the broker is gone: let the writer see it
                }
            }, "crash-pub-reader");
            reader.start();
            int sequence = 0;
            while (broker.process.isAlive()) {
                if (acks.get() >= killAfter) {
                    broker.process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
                    assertTrue(broker.process.waitFor(20, TimeUnit.SECONDS));
                    break;
                }
                if (!window.tryAcquire(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("no PUBACK for 10 s with " + acks.get() + " acknowledged");
                }
                sequence++;
                int packetId = (sequence - 1) % 65_535 + 1;
                inFlight.set(packetId, sequence);
                byte[] payload = ByteBuffer.allocate(64).putInt(sequence).array();
                try {
                    publisher.send(new Publish(TOPIC, QoS.AT_LEAST_ONCE, false, false, packetId, payload, Properties.EMPTY));
                } catch (RuntimeException e) {
                    break;
                }
            }
            reader.join(20_000);
        }
    }

    /** The fat jar as a process on a data directory, on an ephemeral port. */
    private record Launcher(Process process, int port) {
        static Launcher start(Path log, Path dataDir) throws Exception {
            Path jar = Path.of("target", "broker-cli.jar");
            assertTrue(Files.exists(jar), "package the module first: " + jar.toAbsolutePath());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString(), "-h", "127.0.0.1", "-p", "0",
                    "--data-dir", dataDir.toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                return new Launcher(process, Integer.parseInt(awaitLog(log, process).group(1)));
            } catch (RuntimeException | Error e) {
                process.destroyForcibly();
                throw e;
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        private static Matcher awaitLog(Path log, Process process) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String text = Files.exists(log) ? Files.readString(log) : "";
                Matcher matcher = LISTENING.matcher(text);
                if (matcher.find()) {
                    return matcher;
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the launcher exited: " + text);
                }
                process.waitFor(50, TimeUnit.MILLISECONDS);
            }
            throw new AssertionError("the launcher did not listen within 60 s: " + Files.readString(log));
        }
    }
}
