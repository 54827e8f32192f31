package io.corvid.broker.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.TlsConfig;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.transport.TransportSettings;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every kind of listener in one broker at once (TCP, TLS, WebSocket, secure WebSocket, Unix
 * domain socket), on each I/O mechanism: a message published through any of them reaches the
 * subscribers on all of them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // the Unix client's blocking reads have no timeout of their own
class AllListenersTest {
    private static final ProtocolVersion V5 = ProtocolVersion.MQTT_5;

    @TempDir
    Path dir;
    private Broker broker;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    /** One client of any kind, as far as the test is concerned. */
    private interface Client {
        void send(MqttPacket packet) throws IOException;

        MqttPacket receive() throws IOException;
    }

    private Client raw(RawClient client) {
        opened.add(client);
        return new Client() {
            @Override
            public void send(MqttPacket packet) {
                client.send(packet);
            }

            @Override
            public MqttPacket receive() {
                return client.receive();
            }
        };
    }

    private Client webSocket(RawWebSocket ws) {
        opened.add(ws);
        ws.mqtt(V5);
        return new Client() {
            @Override
            public void send(MqttPacket packet) throws IOException {
                ws.sendPackets(V5, packet);
            }

            @Override
            public MqttPacket receive() throws IOException {
                return ws.receivePacket();
            }
        };
    }

    private static SSLSocket tls(int port) throws IOException {
        SSLSocket socket = (SSLSocket) TestCertificates.shared().clientContext("TLS").getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Await.TIMEOUT.toMillis());
        socket.setSoTimeout((int) Await.TIMEOUT.toMillis());
        return socket;
    }

    @ParameterizedTest
    @EnumSource(EventLoops.Choice.class)
    void everyListenerServesTheSameBroker(EventLoops.Choice choice) throws Exception {
        TlsConfig tls = TlsConfig.keyStore(TestCertificates.shared().serverP12, TestCertificates.PASSWORD).build();
        Path socketPath = dir.resolve("all.sock");
        NettyTransport transport = new NettyTransport(2, choice, false);
        broker = new Broker.Builder()
                .listener(Listener.tcp("127.0.0.1", 0))
                .listener(Listener.tls("127.0.0.1", 0, tls))
                .listener(Listener.webSocket("127.0.0.1", 0, "/mqtt"))
                .listener(Listener.secureWebSocket("127.0.0.1", 0, "/mqtt", tls))
                .listener(Listener.unix(socketPath))
                .transport(transport)
                .build().start();
        assertEquals(expectedKind(choice), transport.ioKind());

        SocketChannel unixChannel = SocketChannel.open(StandardProtocolFamily.UNIX);
        unixChannel.connect(UnixDomainSocketAddress.of(socketPath));
        List<Client> clients = List.of(
                raw(new RawClient(Brokers.port(broker, "tcp"), V5)),
                raw(new RawClient(tls(Brokers.port(broker, "tls")), V5)),
                webSocket(new RawWebSocket(Brokers.port(broker, "ws")).upgrade("/mqtt", "mqtt")),
                webSocket(new RawWebSocket(tls(Brokers.port(broker, "wss"))).upgrade("/mqtt", "mqtt")),
                raw(new RawClient(unixChannel, Channels.newInputStream(unixChannel),
                        Channels.newOutputStream(unixChannel), V5)));
        List<String> names = List.of("tcp", "tls", "ws", "wss", "unix");
        for (int i = 0; i < clients.size(); i++) {
            Client client = clients.get(i);
            client.send(RawClient.connectPacket(V5, "all-" + names.get(i)));
            client.receive();
            client.send(new Subscribe(1, List.of(new Subscription("all/#", QoS.AT_MOST_ONCE)), Properties.EMPTY));
            assertInstanceOf(SubAck.class, client.receive());
        }
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).send(Publish.atMostOnce("all/" + names.get(i), ("from " + names.get(i)).getBytes(UTF_8),
                    false));
        }
        Set<String> expected = new TreeSet<>();
        names.forEach(name -> expected.add("from " + name));
        for (int i = 0; i < clients.size(); i++) {
            Set<String> received = new TreeSet<>();
            for (int n = 0; n < names.size(); n++) {
                received.add(new String(assertInstanceOf(Publish.class, clients.get(i).receive()).payload(), UTF_8));
            }
            assertEquals(expected, received, "what the " + names.get(i) + " client received");
        }
        for (String name : names) {
            assertEquals(name, broker.client("all-" + name).orElseThrow().listenerName());
        }
    }

    private static EventLoops.Kind expectedKind(EventLoops.Choice choice) {
        if (choice == EventLoops.Choice.NIO) {
            return EventLoops.Kind.NIO;
        }
        if (choice == EventLoops.Choice.IO_URING_PREFERRED && IoUring.isAvailable()) {
            return EventLoops.Kind.IO_URING;
        }
        return Epoll.isAvailable() ? EventLoops.Kind.EPOLL : EventLoops.Kind.NIO;
    }

    @Test
    void theBrokersSettingsChooseNioAndTheIoThreads() {
        NettyTransport transport = new NettyTransport();
        broker = new Broker.Builder().host("127.0.0.1").port(0)
                .nativeTransport(TransportSettings.NativeTransport.NIO).ioThreads(3)
                .transport(transport).build().start();
        assertEquals(EventLoops.Kind.NIO, transport.ioKind());
        assertEquals("NIO (forced)", transport.ioDescription());
    }
}
