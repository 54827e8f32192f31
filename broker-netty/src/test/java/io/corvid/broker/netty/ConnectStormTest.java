package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection storm against a broker that is serving an established QoS 1 stream.
 *
 * <p>One publisher sends QoS 1 messages at {@value #STREAM_RATE}/s to one subscriber, each
 * waiting for its acknowledgement, while up to {@value #STORM} connections open at once: 70 % never
 * send a byte, 15 % send a malformed CONNECT, 15 % connect properly. The stream must keep
 * flowing (no gap between deliveries longer than {@link #MAX_GAP}, every message delivered once
 * and in order); the silent connections must be closed by the connect timeout and the
 * malformed ones by their protocol error; and a new client must be served afterwards.
 * Once on an unpaced listener, once on one paced at 1,000 new connections/s, which must take
 * the storm no faster than that.
 *
 * <p>Why {@value #STORM}: the broker runs in this JVM, which therefore holds both ends of every
 * connection, two descriptors each, under a limit of 20,000 per process here; 6,000 connections
 * (12,000 descriptors) leave room for the rest, and more than the 4,096 of the accept backlog
 * arrive at once, so the broker must accept while the storm is still coming. Where the process
 * may open fewer descriptors the storm is made smaller to fit ({@link #stormSize()}).
 */
class ConnectStormTest {
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;
    private static final int STORM = 6_000;
    private static final int STREAM_RATE = 200;
    private static final Duration MAX_GAP = Duration.ofSeconds(2);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** A CONNECT whose remaining length runs over four bytes: malformed. */
    private static final byte[] GARBAGE = {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};

    /** Descriptors left for everything else the test JVM holds. */
    private static final long DESCRIPTOR_RESERVE = 1_000;

    private final List<SocketChannel> storm = new ArrayList<>(STORM);
    private final List<AutoCloseable> clients = new ArrayList<>();
    private Broker broker;
    private NettyTransport transport;
    private Thread publisherThread;
    private Thread subscriberThread;
    private volatile boolean stopPublishing;

    @AfterEach
    void stop() throws Exception {
        stopPublishing = true;
        for (SocketChannel channel : storm) {
            channel.close();
        }
        // Closing the sockets ends the stream threads' blocking reads.
        for (AutoCloseable client : clients) {
            client.close();
        }
        for (Thread thread : new Thread[] {publisherThread, subscriberThread}) {
            if (thread != null) {
                thread.interrupt();
                thread.join(Await.TIMEOUT.toMillis());
            }
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private RawClient connected(int port, String clientId) {
        RawClient client = RawClient.connected(port, V311, clientId);
        clients.add(client);
        return client;
    }

    /** {@link #STORM}, or as many as two descriptors each allow below the process's limit. */
    private static int stormSize() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
            long free = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - DESCRIPTOR_RESERVE;
            return (int) Math.max(0, Math.min(STORM, free / 2));
        }
        return STORM;
    }

    @Test
    void anEstablishedQos1StreamKeepsFlowingThroughAConnectStorm() throws Exception {
        int stormSize = stormSize();
        assertTrue(stormSize >= 500, "this JVM may open too few files for a storm: " + stormSize + " connections");
        runStorm(stormSize, new Broker.Builder());
        assertEquals(0, transport.acceptPauses());
    }

    @Test
    void aPacedListenerTakesTheStormAtItsRateWhileTheStreamKeepsFlowing() throws Exception {
        int rate = 1_000;
        int burst = 100;
        // Within the accept backlog (4,096), so that no client waits for a SYN retry.
        int stormSize = Math.min(2_000, stormSize());
        assertTrue(stormSize >= 500, "this JVM may open too few files for a storm: " + stormSize + " connections");
        double acceptedSeconds = runStorm(stormSize, new Broker.Builder().maxConnectionRate(rate)
                .connectionRateBurst(burst));
        double paced = (double) (stormSize - burst) / rate;
        assertTrue(acceptedSeconds >= paced * 0.9, "the storm was accepted in " + acceptedSeconds
                + " s, faster than " + rate + "/s with a burst of " + burst + " allows (" + paced + " s)");
        assertTrue(transport.acceptPauses("storm") >= 1, "pauses: " + transport.acceptPauses("storm"));
    }

    /**
     * Runs the stream, the storm and the checks on a broker made by {@code builder}.
     *
     * @return seconds from the storm's start until the broker had accepted every connection of it
     */
    private double runStorm(int stormSize, Broker.Builder builder) throws Exception {
        transport = new NettyTransport(2, false);
        broker = builder
                .listener(Listener.tcp("127.0.0.1", 0).named("storm"))
                .connectTimeout(CONNECT_TIMEOUT)
                .transport(transport).build().start();
        int port = Brokers.port(broker, "storm");

        RawClient subscriber = connected(port, "stream-sub");
        subscriber.subscribe(1, "stream/#", QoS.AT_LEAST_ONCE);
        RawClient publisher = connected(port, "stream-pub");
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        List<Integer> received = new CopyOnWriteArrayList<>();
        AtomicInteger published = new AtomicInteger();
        AtomicReference<Throwable> streamFailure = new AtomicReference<>();
        subscriberThread = new Thread(() -> subscribe(subscriber, arrivals, received, streamFailure), "stream-sub");
        publisherThread = new Thread(() -> publish(publisher, published, streamFailure), "stream-pub");
        subscriberThread.start();
        publisherThread.start();
        Await.until("the stream flowing", () -> received.size() >= 50);

        long stormStart = System.nanoTime();
        int silent = 0;
        int garbage = 0;
        int valid = 0;
        for (int i = 0; i < stormSize; i++) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            storm.add(channel);
            switch (i % 20) {
                case 0, 1, 2 -> {
                    channel.write(ByteBuffer.wrap(GARBAGE));
                    garbage++;
                }
                case 3, 4, 5 -> {
                    channel.write(ByteBuffer.wrap(MqttEncoder.encode(RawClient.connectPacket(V311, "storm-" + i), V311)));
                    valid++;
                }
                default -> silent++;
            }
        }
        double openedSeconds = (System.nanoTime() - stormStart) / 1e9;
        Await.until("every storm connection accepted", () -> broker.metrics().connectionsAccepted() == 2 + stormSize);
        double acceptedSeconds = (System.nanoTime() - stormStart) / 1e9;
        int stormValid = valid;
        Await.until("the silent and malformed storm connections closed",
                () -> transport.openConnections() == 2 + stormValid);
        double settledSeconds = (System.nanoTime() - stormStart) / 1e9;
        long deliveredDuringStorm = arrivals.stream().filter(at -> at > stormStart).count();

        stopPublishing = true;
        publisherThread.join(Await.TIMEOUT.toMillis());
        Await.until("every published message delivered", () -> received.size() >= published.get()
                || streamFailure.get() != null);
        assertNull(streamFailure.get(), () -> "the stream failed: " + streamFailure.get());
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < published.get(); i++) {
            expected.add(i);
        }
        assertEquals(expected, received, "every QoS 1 message delivered once, in order");
        long maxGapNanos = 0;
        for (int i = 1; i < arrivals.size(); i++) {
            maxGapNanos = Math.max(maxGapNanos, arrivals.get(i) - arrivals.get(i - 1));
        }
        assertTrue(maxGapNanos < MAX_GAP.toNanos(), "the stream stalled for " + maxGapNanos / 1_000_000 + " ms");
        assertTrue(deliveredDuringStorm > 0, "messages were delivered while the storm was on");
        assertEquals(2 + stormSize, broker.metrics().connectionsAccepted(), "every storm connection was accepted");
        assertTrue(broker.metrics().malformedPackets() >= garbage,
                "malformed CONNECTs counted: " + broker.metrics().malformedPackets());
        assertEquals(stormValid + 2, broker.metrics().clientsConnected());

        RawClient after = connected(port, "after-storm");
        after.subscribe(1, "after/#", QoS.AT_LEAST_ONCE);
        after.send(PingReq.INSTANCE);
        assertInstanceOf(PingResp.class, after.receive());
        System.out.printf("ConnectStormTest: %d connections (%d silent, %d malformed, %d CONNECT) opened in %.2f s, "
                        + "accepted after %.2f s (%d accept pauses), settled after %.2f s; stream %d msgs at %d/s, "
                        + "%d during the storm, longest gap %d ms%n",
                stormSize, silent, garbage, valid, openedSeconds, acceptedSeconds, transport.acceptPauses(),
                settledSeconds, published.get(), STREAM_RATE, deliveredDuringStorm, maxGapNanos / 1_000_000);
        return acceptedSeconds;
    }

    /** Publishes QoS 1 at {@link #STREAM_RATE}, one in flight, until told to stop. */
    private void publish(RawClient publisher, AtomicInteger published, AtomicReference<Throwable> failure) {
        long interval = TimeUnit.SECONDS.toNanos(1) / STREAM_RATE;
        long next = System.nanoTime();
        try {
            for (int seq = 0; !stopPublishing; seq++) {
                int packetId = seq % 65_535 + 1;
                publisher.send(new Publish("stream/" + (seq % 4), QoS.AT_LEAST_ONCE, false, false, packetId,
                        Integer.toString(seq).getBytes(StandardCharsets.US_ASCII), Properties.EMPTY));
                PubAck ack = publisher.receive(PubAck.class);
                assertEquals(packetId, ack.packetId());
                published.incrementAndGet();
                next += interval;
                LockSupport.parkNanos(next - System.nanoTime()); // the stream's pace, not a wait for a condition
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /** Receives the stream, acknowledging each message, until its connection is closed. */
    private void subscribe(RawClient subscriber, List<Long> arrivals, List<Integer> received,
                           AtomicReference<Throwable> failure) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Publish publish = subscriber.receive(Publish.class);
                arrivals.add(System.nanoTime());
                received.add(Integer.parseInt(new String(publish.payload(), StandardCharsets.US_ASCII)));
                subscriber.send(new PubAck(publish.packetId(), ReasonCode.SUCCESS, Properties.EMPTY));
            }
        } catch (Throwable t) {
            if (!stopPublishing) {
                failure.compareAndSet(null, t);
            }
        }
    }
}
