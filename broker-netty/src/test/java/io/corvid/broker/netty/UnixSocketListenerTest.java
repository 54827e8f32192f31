package io.corvid.broker.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.transport.BoundListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A Unix domain socket listener, on each I/O mechanism (epoll, io_uring where it works, NIO),
 * next to a TCP listener; stale socket files; cleaning up on stop.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS) // blocking channel reads have no timeout of their own
class UnixSocketListenerTest {
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;

    @TempDir
    Path dir;
    private Broker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.stop();
        }
    }

    private Broker start(Path socket, EventLoops.Choice choice) {
        return new Broker.Builder()
                .listener(Listener.tcp("127.0.0.1", 0))
                .listener(Listener.unix(socket))
                .transport(new NettyTransport(1, choice, false))
                .build().start();
    }

    private static RawClient unixClient(Path socket, String clientId) {
        try {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            RawClient client = new RawClient(channel, Channels.newInputStream(channel), Channels.newOutputStream(channel),
                    V311);
            client.send(RawClient.connectPacket(V311, clientId));
            assertEquals(ReasonCode.SUCCESS, client.receive(ConnAck.class).reasonCode());
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(EventLoops.Choice.class)
    void unixAndTcpClientsExchangeMessages(EventLoops.Choice choice) throws Exception {
        Path socket = dir.resolve("corvid.sock");
        broker = start(socket, choice);
        BoundListener unix = broker.boundListeners().get(1);
        assertEquals(Listener.Protocol.UNIX, unix.listener().protocol());
        assertNull(unix.address(), "a Unix domain socket has no IP address");
        assertEquals(Brokers.port(broker, "tcp"), broker.port());
        try (RawClient local = unixClient(socket, "local");
             RawClient remote = RawClient.connected(broker.port(), V311, "remote")) {
            local.subscribe(1, "to/local", QoS.AT_LEAST_ONCE);
            remote.subscribe(1, "to/remote", QoS.AT_MOST_ONCE);
            remote.send(Publish.atMostOnce("to/local", "over tcp".getBytes(UTF_8), false));
            assertEquals("over tcp", new String(local.receive(Publish.class).payload(), UTF_8));
            local.send(Publish.atMostOnce("to/remote", "over a unix socket".getBytes(UTF_8), false));
            assertEquals("over a unix socket", new String(remote.receive(Publish.class).payload(), UTF_8));
        }
        broker.stop();
        assertFalse(Files.exists(socket), "the socket file is removed on stop");
    }

    @Test
    void replacesAStaleSocketFileButNotALiveOne() throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (ServerSocketChannel previous = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            previous.bind(UnixDomainSocketAddress.of(socket));
            // A live socket: the broker must not take it over.
            Broker second = new Broker.Builder().listener(Listener.unix(socket))
                    .transport(new NettyTransport(1, false)).build();
            UncheckedIOException failure = assertThrows(UncheckedIOException.class, second::start);
            assertTrue(failure.getCause().getMessage().contains(socket.toString()), failure.getCause().getMessage());
        }
        assertTrue(Files.exists(socket), "closing a JDK server channel leaves its file behind");
        broker = start(socket, EventLoops.Choice.AUTO);
        try (RawClient client = unixClient(socket, "after-stale")) {
            client.subscribe(1, "stale/#", QoS.AT_MOST_ONCE);
            assertTrue(broker.client("after-stale").isPresent());
        }
    }

    @Test
    void refusesToReplaceAFileThatIsNotASocket() throws Exception {
        Path notASocket = Files.writeString(dir.resolve("important.txt"), "keep me");
        Broker failing = new Broker.Builder().listener(Listener.unix(notASocket))
                .transport(new NettyTransport(1, false)).build();
        UncheckedIOException failure = assertThrows(UncheckedIOException.class, failing::start);
        assertTrue(failure.getCause().getMessage().contains("not a socket"), failure.getCause().getMessage());
        assertEquals("keep me", Files.readString(notASocket));
    }
}
