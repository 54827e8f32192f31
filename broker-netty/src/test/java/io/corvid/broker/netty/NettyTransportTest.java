package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Listener;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.transport.BoundListener;
import io.corvid.broker.transport.Connection;
import io.corvid.broker.transport.TransportSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NettyTransport} with a recording stand-in for the engine: binding, the
 * {@link Connection} contract over real sockets, exactly one onClosed per connection, and
 * releasing every thread.
 */
class NettyTransportTest {
    private static final TransportSettings SETTINGS = TransportSettings.defaults(1024 * 1024);
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;

    private final BlockingQueue<RecordingHandler> accepted = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new ArrayList<>();
    private NettyTransport transport;
    private int port;

    private void start(NettyTransport newTransport) throws IOException {
        transport = newTransport;
        List<BoundListener> bound = transport.start(List.of(Listener.tcp("127.0.0.1", 0).named("plain")),
                RecordingHandler.acceptorInto(accepted), SETTINGS);
        assertEquals(1, bound.size());
        port = bound.get(0).address().getPort();
        assertNotEquals(0, port, "port 0 is resolved");
        assertEquals("plain", bound.get(0).listener().name());
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

    /** Runs {@code action} on the connection's own thread, as the engine does, and waits for it. */
    private static <T> T onLoop(Connection connection, java.util.function.Supplier<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        connection.executor().execute(() -> {
            try {
                result.complete(action.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (transport != null) {
            transport.stop();
        }
    }

    @Test
    void deliversPacketsOnTheConnectionsOwnIoThread() throws Exception {
        start(new NettyTransport(2, false));
        Socket socket = connect();
        RecordingHandler handler = nextAccepted();
        List<String> threadNames = new ArrayList<>();
        handler.onPacket = packet -> threadNames.add(Thread.currentThread().getName());
        socket.getOutputStream().write(MqttEncoder.encode(RawClient.connectPacket(V311, "t"), V311));
        socket.getOutputStream().write(MqttEncoder.encode(PingReq.INSTANCE, V311));
        assertInstanceOf(Connect.class, handler.next().value());
        assertEquals(PingReq.INSTANCE, handler.next().value());
        assertTrue(threadNames.stream().allMatch(name -> name.startsWith("corvid-io-")), threadNames::toString);
        assertEquals(threadNames.get(0), onLoop(handler.connection, () -> Thread.currentThread().getName()));
        assertEquals(socket.getLocalSocketAddress(), handler.connection.remoteAddress());
        assertEquals("plain", handler.connection.transportInfo().listenerName());
    }

    @Test
    void reportsOnClosedOnceWhenTheClientCloses() throws Exception {
        start(new NettyTransport(1, false));
        connect().close();
        RecordingHandler handler = nextAccepted();
        handler.awaitClosed();
        assertNull(handler.closeCause, "an orderly close has no cause");
        transport.stop(); // no event can follow once the loops are gone
        assertEquals(1, handler.closedCount.get());
    }

    @Test
    void reportsOnClosedOnceWithTheErrorWhenTheClientResets() throws Exception {
        start(new NettyTransport(1, false));
        Socket socket = connect();
        RecordingHandler handler = nextAccepted();
        socket.setSoLinger(true, 0); // close with RST
        socket.close();
        handler.awaitClosed();
        assertInstanceOf(IOException.class, handler.closeCause);
        transport.stop();
        assertEquals(1, handler.closedCount.get());
        assertEquals(0, handler.callsAfterClose.get());
    }

    @Test
    void reportsOnClosedOnceWhenEveryoneClosesAtOnce() throws Exception {
        start(new NettyTransport(1, false));
        Socket socket = connect();
        RecordingHandler handler = nextAccepted();
        onLoop(handler.connection, () -> {
            handler.connection.write(PingReq.INSTANCE, V311);
            handler.connection.close();
            handler.connection.close();
            return null;
        });
        socket.close();
        handler.awaitClosed();
        transport.stop();
        assertEquals(1, handler.closedCount.get());
        assertEquals(0, handler.callsAfterClose.get());
    }

    @Test
    void closeDeliversWhatWasWrittenFirst() throws Exception {
        start(new NettyTransport(1, false));
        RawClient client = new RawClient(port, V311);
        sockets.add(client.socket());
        RecordingHandler handler = nextAccepted();
        byte[] payload = new byte[100_000];
        onLoop(handler.connection, () -> {
            handler.connection.write(Publish.atMostOnce("bye", payload, false), V311);
            handler.connection.close();
            return null;
        });
        List<MqttPacket> packets = client.receiveUntilClosed();
        assertEquals(1, packets.size());
        assertEquals(payload.length, ((Publish) packets.get(0)).payload().length);
        handler.awaitClosed();
    }

    @Test
    void stopClosesEveryConnectionAndReportsEachOnce() throws Exception {
        start(new NettyTransport(2, false));
        List<RecordingHandler> handlers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            connect();
            handlers.add(nextAccepted());
        }
        transport.stop();
        for (RecordingHandler handler : handlers) {
            assertEquals(1, handler.closedCount.get(), "onClosed before stop() returns");
        }
        for (Socket socket : sockets) {
            assertEquals(-1, socket.getInputStream().read(), "the client sees the close");
        }
        assertEquals(0, transport.openConnectionCount());
    }

    @Test
    void turnsUnwritableWhenTheClientDoesNotReadAndWritableWhenItCatchesUp() throws Exception {
        start(new NettyTransport(1, false));
        Socket socket = connect();
        RecordingHandler handler = nextAccepted();
        Connection connection = handler.connection;
        Publish message = Publish.atMostOnce("slow", new byte[16 * 1024], false);
        int size = MqttEncoder.encodedSize(message, V311);
        // Writes until the channel holds more than its high water mark: the client reads nothing.
        int written = onLoop(connection, () -> {
            int count = 0;
            while (connection.isWritable() && count < 100_000) {
                connection.write(message, V311);
                connection.flush();
                count++;
            }
            return count;
        });
        assertTrue(written < 100_000, "the channel never became unwritable");
        assertEquals(new RecordingHandler.Event("writable", false), handler.next("writable"));
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long remaining = (long) written * size;
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            assertTrue(n > 0, "stream ended early");
            remaining -= n;
        }
        assertEquals(new RecordingHandler.Event("writable", true), handler.next("writable"));
        assertTrue(onLoop(connection, connection::isWritable));
    }

    @Test
    void readsNothingWhileReadingIsDisabled() throws Exception {
        start(new NettyTransport(1, false));
        Socket socket = connect();
        RecordingHandler handler = nextAccepted();
        onLoop(handler.connection, () -> {
            handler.connection.setReadEnabled(false);
            return null;
        });
        socket.getOutputStream().write(MqttEncoder.encode(RawClient.connectPacket(V311, "paused"), V311));
        // The one bounded wait for something not to happen.
        assertNull(handler.events.poll(300, TimeUnit.MILLISECONDS), "read while reading was disabled");
        onLoop(handler.connection, () -> {
            handler.connection.setReadEnabled(true);
            return null;
        });
        assertInstanceOf(Connect.class, handler.next().value());
    }

    @Test
    void releasesItsThreadsOnStopAndStopsIdempotently() throws Exception {
        start(new NettyTransport(3, false));
        for (int i = 0; i < 3; i++) {
            connect();
            nextAccepted();
        }
        List<Thread> threads = transport.threads();
        assertTrue(threads.stream().anyMatch(t -> t.getName().startsWith("corvid-boss-")), threads::toString);
        assertTrue(threads.stream().anyMatch(t -> t.getName().startsWith("corvid-io-")), threads::toString);
        assertTrue(threads.stream().allMatch(
                t -> t.getName().matches("corvid-(boss|io)-\\d+") && !t.isDaemon()), threads::toString);
        transport.stop();
        transport.stop();
        Await.threadsEnded(threads);
        assertThrows(IllegalStateException.class,
                () -> transport.start(List.of(Listener.tcp("127.0.0.1", 0)), c -> null, SETTINGS));
    }

    @Test
    void stopsBeforeStartWithoutComplaint() {
        NettyTransport unused = new NettyTransport(1, true);
        unused.stopAccepting();
        unused.stop();
        unused.stop();
        assertEquals(List.of(), unused.threads());
    }

    @Test
    void stopAcceptingKeepsEstablishedConnections() throws Exception {
        start(new NettyTransport(1, false));
        Socket socket = connect();
        RecordingHandler handler = nextAccepted();
        transport.stopAccepting();
        // NIO releases the listening socket when its selector next wakes, a moment after the close.
        Await.until("the listening socket to close", () -> {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                return false;
            } catch (IOException refused) {
                return true;
            }
        });
        socket.getOutputStream().write(MqttEncoder.encode(RawClient.connectPacket(V311, "still-here"), V311));
        assertInstanceOf(Connect.class, handler.next().value());
    }

    @Test
    void failsWholeWhenOneListenerCannotBeBound() throws Exception {
        start(new NettyTransport(1, false));
        NettyTransport second = new NettyTransport(1, false);
        Listener free = Listener.tcp("127.0.0.1", 0).named("free");
        Listener taken = Listener.tcp("127.0.0.1", port).named("taken");
        IOException failure = assertThrows(IOException.class,
                () -> second.start(List.of(free, taken), c -> null, SETTINGS));
        assertTrue(failure.getMessage().contains("taken") && failure.getMessage().contains(":" + port),
                failure.getMessage());
        Await.threadsEnded(second.threads());
        second.stop(); // what Broker does after a failed start: still fine
    }

    @Test
    void forcesNioOnRequest() throws Exception {
        start(new NettyTransport(1, true));
        connect();
        RecordingHandler handler = nextAccepted();
        assertEquals("plain", handler.connection.transportInfo().listenerName());
    }

    @Test
    void theWriteBufferWaterMarksComeFromTheSettings() throws Exception {
        transport = new NettyTransport(1, false);
        TransportSettings small = new TransportSettings(1024 * 1024, Integer.MAX_VALUE, 0,
                TransportSettings.NativeTransport.AUTO, 1024, 4096);
        port = transport.start(List.of(Listener.tcp("127.0.0.1", 0)), RecordingHandler.acceptorInto(accepted), small)
                .get(0).address().getPort();
        Socket socket = connect();
        RecordingHandler handler = nextAccepted();
        Connection connection = handler.connection;
        // Not flushed, so nothing leaves the channel's buffer: 3 KiB stays writable, 5 KiB does not.
        Publish three = Publish.atMostOnce("wm", new byte[3 * 1024], false);
        assertTrue(onLoop(connection, () -> {
            connection.write(three, V311);
            return connection.isWritable();
        }));
        assertEquals(false, onLoop(connection, () -> {
            connection.write(Publish.atMostOnce("wm", new byte[2 * 1024], false), V311);
            return connection.isWritable();
        }));
        assertEquals(new RecordingHandler.Event("writable", false), handler.next("writable"));
        onLoop(connection, () -> {
            connection.flush();
            return null;
        });
        socket.getInputStream().readNBytes(MqttEncoder.encodedSize(three, V311));
        assertEquals(new RecordingHandler.Event("writable", true), handler.next("writable"));
    }

    @Test
    void systemPropertiesChooseTheIoMechanism() throws Exception {
        System.setProperty(NettyTransport.FORCE_NIO_PROPERTY, "true");
        try {
            start(new NettyTransport());
            assertEquals(EventLoops.Kind.NIO, transport.ioKind());
        } finally {
            System.clearProperty(NettyTransport.FORCE_NIO_PROPERTY);
        }
        transport.stop();
        System.setProperty(NettyTransport.IO_URING_PROPERTY, "true");
        try {
            start(new NettyTransport());
            EventLoops.Kind expected = io.netty.channel.uring.IoUring.isAvailable() ? EventLoops.Kind.IO_URING
                    : io.netty.channel.epoll.Epoll.isAvailable() ? EventLoops.Kind.EPOLL : EventLoops.Kind.NIO;
            assertEquals(expected, transport.ioKind());
            connect();
            nextAccepted();
        } finally {
            System.clearProperty(NettyTransport.IO_URING_PROPERTY);
        }
        transport.stop();
        start(new NettyTransport());
        assertEquals(io.netty.channel.epoll.Epoll.isAvailable() ? EventLoops.Kind.EPOLL : EventLoops.Kind.NIO,
                transport.ioKind(), "epoll by default where it loads");
    }
}
