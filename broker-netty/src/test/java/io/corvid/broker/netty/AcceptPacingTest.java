package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.transport.ConnectionAcceptor;
import io.corvid.broker.transport.TransportSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Accept pacing ({@link AcceptPacer}) over real sockets: a burst of connections is accepted at
 * the listener's pace, the excess waiting in the kernel's backlog rather than being refused,
 * while a connection accepted before the burst keeps being served; the pauses are counted.
 */
class AcceptPacingTest {
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;
    private static final int RATE = 20;
    private static final int BURST = 5;
    private static final int STORM = 40;

    private final BlockingQueue<RecordingHandler> accepted = new LinkedBlockingQueue<>();
    private final BlockingQueue<Long> acceptedAtNanos = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new ArrayList<>();
    private NettyTransport transport;
    private int port;

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (transport != null) {
            transport.stop();
        }
    }

    private void start(double rate, int burst) throws IOException {
        transport = new NettyTransport(2, false);
        TransportSettings settings = new TransportSettings(1024 * 1024, Integer.MAX_VALUE, 0,
                TransportSettings.NativeTransport.AUTO, 32 * 1024, 64 * 1024, rate, burst);
        ConnectionAcceptor recording = RecordingHandler.acceptorInto(accepted);
        ConnectionAcceptor timed = connection -> {
            acceptedAtNanos.add(System.nanoTime());
            return recording.accept(connection);
        };
        port = transport.start(List.of(Listener.tcp("127.0.0.1", 0).named("paced")), timed, settings)
                .get(0).address().getPort();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Await.TIMEOUT.toMillis());
        socket.setSoTimeout((int) Await.TIMEOUT.toMillis());
        return socket;
    }

    private RecordingHandler nextAccepted() throws InterruptedException {
        RecordingHandler handler = accepted.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (handler == null) {
            throw new AssertionError("no connection accepted within " + Await.TIMEOUT);
        }
        return handler;
    }

    @Test
    void acceptsABurstAtTheListenersPaceWhileAnOpenConnectionIsServed() throws Exception {
        start(RATE, BURST);
        Socket established = connect();
        RecordingHandler servedOne = nextAccepted();
        acceptedAtNanos.clear();

        long stormStart = System.nanoTime();
        for (int i = 0; i < STORM; i++) {
            connect(); // completes in the kernel's backlog whether or not the broker accepted it yet
        }
        // While the storm waits to be accepted, the open connection is read and served as ever.
        established.getOutputStream().write(MqttEncoder.encode(RawClient.connectPacket(V311, "t"), V311));
        established.getOutputStream().write(MqttEncoder.encode(PingReq.INSTANCE, V311));
        servedOne.next(); // CONNECT
        assertEquals(PingReq.INSTANCE, servedOne.next().value());
        long pingServedNanos = System.nanoTime();

        List<Long> times = new ArrayList<>();
        for (int i = 0; i < STORM; i++) {
            nextAccepted();
            times.add(acceptedAtNanos.take());
        }
        double stormSeconds = (times.get(STORM - 1) - stormStart) / 1e9;
        // The bucket held BURST - 1 after the first connection: the rest come at RATE a second.
        double paced = (double) (STORM - BURST) / RATE;
        assertTrue(stormSeconds >= paced * 0.9, "the storm was accepted in " + stormSeconds + " s, faster than "
                + RATE + "/s with a burst of " + BURST + " allows (" + paced + " s)");
        assertTrue(stormSeconds < paced + 3, "the storm took " + stormSeconds + " s, far slower than its pace");
        assertTrue(times.get(STORM - 1) > pingServedNanos,
                "the open connection was served before the storm was through, not after");
        // Within any second after the first, no more than RATE (+ the burst once) were accepted.
        for (int i = 0; i < STORM; i++) {
            int inSecond = 0;
            for (int j = i; j < STORM && times.get(j) - times.get(i) < TimeUnit.SECONDS.toNanos(1); j++) {
                inSecond++;
            }
            assertTrue(inSecond <= RATE + BURST, inSecond + " connections accepted within one second");
        }
        assertTrue(transport.acceptPauses() >= 1, "pauses counted: " + transport.acceptPauses());
        assertEquals(transport.acceptPauses(), transport.acceptPauses("paced"));
        assertEquals(0, transport.acceptPauses("other"));
        assertEquals(0, transport.refusedConnections(), "paced, not refused");
        assertEquals(STORM + 1, transport.openConnections());
    }

    @Test
    void withoutPacingAStormIsAcceptedAtOnceAndNothingIsCounted() throws Exception {
        start(0, 0);
        for (int i = 0; i < STORM; i++) {
            connect();
        }
        for (int i = 0; i < STORM; i++) {
            nextAccepted();
        }
        assertEquals(0, transport.acceptPauses());
    }

    @Test
    void theBuildersConnectionRateReachesEveryListener() throws Exception {
        transport = new NettyTransport(1, false);
        Broker broker = new Broker.Builder()
                .listener(Listener.tcp("127.0.0.1", 0).named("a"))
                .listener(Listener.tcp("127.0.0.1", 0).named("b"))
                .maxConnectionRate(10).connectionRateBurst(2)
                .transport(transport).build().start();
        try {
            for (String listener : new String[] {"a", "b"}) {
                port = Brokers.port(broker, listener);
                for (int i = 0; i < 4; i++) {
                    connect();
                }
            }
            Await.until("8 connections accepted", () -> transport.openConnections() == 8);
            // Each listener has its own bucket: both paused after their burst of 2.
            assertTrue(transport.acceptPauses("a") >= 1, "a paused " + transport.acceptPauses("a"));
            assertTrue(transport.acceptPauses("b") >= 1, "b paused " + transport.acceptPauses("b"));
        } finally {
            broker.stop();
        }
    }
}
