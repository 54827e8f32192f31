package io.corvid.broker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.corvid.broker.Authentication;
import io.corvid.broker.Authorization;
import io.corvid.broker.Broker;
import io.corvid.broker.BrokerListener;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.transport.Connection;
import io.corvid.broker.transport.ConnectionHandler;
import io.corvid.broker.transport.TransportInfo;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of the protocol engine behind the real decoder, with fake
 * connections in place of sockets (part of issue #16).
 *
 * <p>Input format, kept simple so that seeds can be written by hand: the first byte picks the
 * number of clients (1 to 3); then records follow, each a control byte {@code c} naming a
 * client ({@code c & 3}, modulo the number of clients) and either a network drop of that
 * client ({@code c & 0x80}) or a chunk of bytes: a length byte {@code n} and the next
 * {@code n + 1} bytes, fed to that client's decoder as one read. Chunks cut packets anywhere,
 * as TCP does. After the last record every client still open drops.
 *
 * <p>Invariants:
 * <ul>
 *   <li>no exception escapes the engine: every task the engine runs on a connection's thread or
 *       its own threads is watched, and any throwable fails the input, as does any ERROR log
 *       line (session tasks log what they throw and go on);</li>
 *   <li>every connection the engine accepted (CONNACK success, {@code onClientConnected})
 *       gets exactly one {@code onClientDisconnected} once it is closed, and no other
 *       connection gets one;</li>
 *   <li>afterwards a fresh well-behaved client connects, subscribes, publishes at QoS 1 and
 *       receives its message.</li>
 * </ul>
 * It sits in the engine's package because the engine is built without a transport, as the
 * other engine tests build it. The corpus is under
 * {@code src/test/resources/io/corvid/broker/engine/EngineFuzzTestInputs/packetSequences/}.
 */
class EngineFuzzTest {

    /** The decoders' maximum packet size: bounds what one fuzzed client may make the engine hold. */
    private static final int MAXIMUM_PACKET_SIZE = 16 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Logger ROOT_LOGGER =
            (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    /** The fuzzing time of a {@code JAZZER_FUZZ=1} run (a {@code fuzz-*} execution of mvn verify), as io.corvid.broker.fuzz.FuzzBudget. */
    @FuzzTest(maxDuration = "3s")
    void packetSequences(byte[] input) throws Exception {
        Queue<Throwable> escaped = new ConcurrentLinkedQueue<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> escaped.add(error));
        // Session tasks catch what they throw and log it at ERROR, so that one bad task does not
        // stop a session: such a log line is an exception that escaped the engine's own code.
        AppenderBase<ILoggingEvent> errors = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                    IThrowableProxy thrown = event.getThrowableProxy();
                    escaped.add(new AssertionError(event.getLoggerName() + " logged: " + event.getFormattedMessage()
                            + (thrown == null ? "" : " (" + thrown.getClassName() + ": " + thrown.getMessage() + ")")));
                }
            }
        };
        errors.start();
        ROOT_LOGGER.addAppender(errors);
        DisconnectCounter counter = new DisconnectCounter();
        BrokerEngine engine = new BrokerEngine(new Broker.Builder().connectTimeout(Duration.ofSeconds(30))
                .sysInterval(Duration.ZERO).buildConfig(),
                new Plugins(Authentication.allowAll(), Authorization.allowAll(), List.of(), List.of(counter), Map.of(),
                        null), new AdjustableClock(), null);
        List<FuzzClient> clients = new ArrayList<>();
        try {
            engine.restore();
            engine.start();
            int count = input.length == 0 ? 1 : 1 + (input[0] & 0xFF) % 3;
            for (int i = 0; i < count; i++) {
                clients.add(new FuzzClient(engine, i, escaped));
            }
            replay(input, clients);
            for (FuzzClient client : clients) {
                client.dropNetwork();
            }
            for (FuzzClient client : clients) {
                client.awaitClosed();
            }
            Await.until("a disconnect event for every accepted connection", counter::balanced);
            counter.assertExactlyOneDisconnectPerConnect();
            aWellBehavedClientStillWorks(engine);
            assertTrue(escaped.isEmpty(), () -> "exceptions escaped the engine: " + escaped);
        } finally {
            engine.close();
            for (FuzzClient client : clients) {
                client.shutdown();
            }
            Thread.setDefaultUncaughtExceptionHandler(previous);
            ROOT_LOGGER.detachAppender(errors);
        }
    }

    /** Plays the records of the input (see the class comment) against the clients. */
    private static void replay(byte[] input, List<FuzzClient> clients) {
        int at = 1;
        while (at < input.length) {
            int control = input[at++] & 0xFF;
            FuzzClient client = clients.get((control & 3) % clients.size());
            if ((control & 0x80) != 0) {
                client.dropNetwork();
                continue;
            }
            if (at >= input.length) {
                break;
            }
            int length = Math.min((input[at++] & 0xFF) + 1, input.length - at);
            byte[] chunk = new byte[length];
            System.arraycopy(input, at, chunk, 0, length);
            at += length;
            client.read(chunk);
        }
        for (FuzzClient client : clients) {
            client.awaitIdle();
        }
    }

    /** Connect, subscribe, publish at QoS 1, receive it: the engine is still usable. */
    private static void aWellBehavedClientStillWorks(BrokerEngine engine) {
        try (TestClient client = new TestClient(engine, "fuzz-survivor")) {
            ConnAck connAck = client.connect(ProtocolVersion.MQTT_5, true);
            assertEquals(ReasonCode.SUCCESS, connAck.reasonCode(), connAck::toString);
            client.subscribe("fuzz/survivor", QoS.AT_LEAST_ONCE);
            client.publish("fuzz/survivor", "still here", QoS.AT_LEAST_ONCE, false);
            // A fuzzed client may have left a retained message on the topic: look past it.
            for (int i = 0; ; i++) {
                Publish received = client.receive();
                assertEquals("fuzz/survivor", received.topic());
                if ("still here".equals(new String(received.payload(), StandardCharsets.UTF_8))) {
                    break;
                }
                assertTrue(i < 1, "more than one retained message before the published one");
            }
        }
    }

    /** Counts connect and disconnect events per connection (by its remote address, unique per client). */
    private static final class DisconnectCounter implements BrokerListener {
        private final Map<SocketAddress, AtomicInteger> connects = new ConcurrentHashMap<>();
        private final Map<SocketAddress, AtomicInteger> disconnects = new ConcurrentHashMap<>();

        @Override
        public void onClientConnected(ClientInfo client, boolean sessionPresent) {
            connects.computeIfAbsent(client.remoteAddress(), a -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void onClientDisconnected(ClientInfo client, DisconnectReason reason) {
            disconnects.computeIfAbsent(client.remoteAddress(), a -> new AtomicInteger()).incrementAndGet();
        }

        boolean balanced() {
            return connects.keySet().stream().allMatch(disconnects::containsKey);
        }

        void assertExactlyOneDisconnectPerConnect() {
            for (Map.Entry<SocketAddress, AtomicInteger> entry : disconnects.entrySet()) {
                AtomicInteger connected = connects.get(entry.getKey());
                assertTrue(connected != null, () -> entry.getKey() + " disconnected without having connected");
                assertEquals(connected.get(), entry.getValue().get(),
                        () -> entry.getKey() + ": connects and disconnect events differ");
            }
            for (Map.Entry<SocketAddress, AtomicInteger> entry : connects.entrySet()) {
                assertEquals(1, entry.getValue().get(), () -> entry.getKey() + " connected more than once");
            }
        }
    }

    /**
     * One fuzzed client: a {@link Connection} whose "event loop" is one thread that records
     * every throwable of every task, and a server-side decoder fed the fuzzed chunks the way
     * the transport feeds it (decode what is whole, stop at the first error).
     */
    private static final class FuzzClient implements Connection {
        private static final AtomicInteger PORTS = new AtomicInteger();

        private final ScheduledExecutorService loop;
        private final Queue<Throwable> escaped;
        private final SocketAddress remote;
        private final MqttDecoder decoder = MqttDecoder.forServer(MAXIMUM_PACKET_SIZE);
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final AtomicLong tasks = new AtomicLong();
        private final ConnectionHandler handler;
        private ByteBuffer buffer = ByteBuffer.allocate(0);
        /** Set on the loop when the transport side has reported the close: nothing more is delivered. */
        private boolean closeReported;
        /** Set on the loop after a decode error: the transport decodes nothing more. */
        private boolean decodingStopped;

        FuzzClient(BrokerEngine engine, int index, Queue<Throwable> escaped) throws Exception {
            this.escaped = escaped;
            this.remote = new InetSocketAddress("127.0.0.2", 1 + PORTS.getAndIncrement() % 65000);
            this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "fuzz-client-" + index);
                thread.setDaemon(true);
                return thread;
            });
            this.handler = loop.submit(() -> engine.accept(this)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** One read from the network: decode every whole packet and hand it to the engine. */
        void read(byte[] chunk) {
            execute(() -> {
                if (closeReported || decodingStopped) {
                    return;
                }
                ByteBuffer grown = ByteBuffer.allocate(buffer.remaining() + chunk.length);
                grown.put(buffer).put(chunk).flip();
                buffer = grown;
                while (!closeReported) {
                    DecodeResult result = decoder.decode(buffer);
                    if (result instanceof DecodeResult.Decoded decoded) {
                        handler.onPacket(decoded.packet());
                    } else if (result instanceof DecodeResult.Error error) {
                        decodingStopped = true;
                        handler.onDecodeError(error, decoder.protocolVersion());
                        return;
                    } else {
                        return;
                    }
                }
            });
        }

        /** The peer vanishes: the transport reports the close once. */
        void dropNetwork() {
            execute(this::reportClose);
        }

        private void reportClose() {
            if (!closeReported) {
                closeReported = true;
                handler.onClosed(null);
                closed.complete(null);
            }
        }

        void awaitClosed() throws Exception {
            closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitIdle();
        }

        /** Waits until the loop has run everything submitted so far, and what that submitted in turn. */
        void awaitIdle() {
            long before;
            do {
                before = tasks.get();
                CompletableFuture<Void> marker = new CompletableFuture<>();
                loop.execute(() -> marker.complete(null));
                marker.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
            } while (tasks.get() != before);
        }

        /** Runs a task on the loop; any throwable is an exception that escaped the engine. */
        private void execute(Runnable task) {
            loop.execute(watched(task));
        }

        private Runnable watched(Runnable task) {
            return () -> {
                tasks.incrementAndGet();
                try {
                    task.run();
                } catch (Throwable t) {
                    escaped.add(t);
                }
            };
        }

        void shutdown() {
            ((ExecutorService) loop).shutdownNow();
        }

        @Override
        public void write(MqttPacket packet, ProtocolVersion version) {
            // Encoded as the transport would: a packet the encoder refuses is an engine bug.
            MqttEncoder.encode(packet, version);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            execute(this::reportClose);
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void setReadEnabled(boolean enabled) {
        }

        @Override
        public Executor executor() {
            return this::execute;
        }

        @Override
        public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
            try {
                ScheduledFuture<?> future = loop.schedule(watched(task), delay, unit);
                return () -> future.cancel(false);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return () -> { };
            }
        }

        @Override
        public SocketAddress remoteAddress() {
            return remote;
        }

        @Override
        public TransportInfo transportInfo() {
            return TransportInfo.plain("fuzz");
        }
    }
}
