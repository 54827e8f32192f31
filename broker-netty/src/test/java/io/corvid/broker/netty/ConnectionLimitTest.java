package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connection limits per listener and over the whole broker: connections over the limit are
 * closed right after accept, before a byte is read, and counted; the ones already open keep
 * working, and a freed slot can be taken again.
 */
class ConnectionLimitTest {
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private Broker broker;
    private NettyTransport transport;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private RawClient connected(int port, String clientId) {
        RawClient client = RawClient.connected(port, V311, clientId);
        opened.add(client);
        return client;
    }

    /** Opens a socket, sends nothing, and asserts that the broker closes it without a byte. */
    private void assertRefused(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Await.TIMEOUT.toMillis());
            socket.setSoTimeout((int) Await.TIMEOUT.toMillis());
            assertEquals(-1, socket.getInputStream().read(), "a refused connection is closed at once, cleanly");
        }
    }

    @Test
    void refusesConnectionsOverTheListenersLimitWhileTheOthersKeepWorking() throws Exception {
        transport = new NettyTransport(2, false);
        broker = new Broker.Builder()
                .listener(Listener.tcp("127.0.0.1", 0).named("limited").withMaxConnections(3))
                .listener(Listener.tcp("127.0.0.1", 0).named("open"))
                .transport(transport).build().start();
        int limited = Brokers.port(broker, "limited");
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(connected(limited, "c" + i));
        }
        try (LogCapture log = new LogCapture(ConnectionLimits.class)) {
            for (int i = 0; i < 4; i++) {
                assertRefused(limited);
            }
            assertEquals(4, transport.refusedConnections());
            assertEquals(4, transport.refusedConnections("limited"));
            assertEquals(0, transport.refusedConnections("open"));
            List<String> lines = log.lines();
            assertEquals(1, lines.size(), "one report per interval, not one line per refusal: " + lines);
            assertEquals(true, lines.get(0).startsWith("WARN Refused 1 connection(s) on listener limited"), lines::toString);
        }
        assertEquals(3, broker.clients().size());

        // The three keep working: ping, and a message from one to another.
        clients.get(0).subscribe(1, "limits/#", QoS.AT_LEAST_ONCE);
        clients.get(1).send(Publish.atMostOnce("limits/x", "still here".getBytes(StandardCharsets.UTF_8), false));
        assertEquals("still here", new String(clients.get(0).receive(Publish.class).payload(), StandardCharsets.UTF_8));
        clients.get(2).send(PingReq.INSTANCE);
        assertInstanceOf(PingResp.class, clients.get(2).receive());

        // Another listener is not bound by this one's limit.
        connected(Brokers.port(broker, "open"), "elsewhere");

        // A freed slot can be taken again.
        clients.get(2).close();
        Await.until("the slot to be freed", () -> transport.openConnections() == 3);
        connected(limited, "c3");
    }

    @Test
    void theBrokersLimitSpansAllListeners() throws Exception {
        transport = new NettyTransport(2, false);
        broker = new Broker.Builder()
                .listener(Listener.tcp("127.0.0.1", 0).named("a"))
                .listener(Listener.webSocket("127.0.0.1", 0, "/mqtt").named("b"))
                .maxConnections(2)
                .transport(transport).build().start();
        connected(Brokers.port(broker, "a"), "first");
        RawWebSocket ws = new RawWebSocket(Brokers.port(broker, "b")).upgrade("/mqtt", "mqtt").mqtt(V311);
        opened.add(ws);
        ws.sendBinary(io.corvid.broker.codec.MqttEncoder.encode(RawClient.connectPacket(V311, "second"), V311));
        ws.receivePacket();
        assertRefused(Brokers.port(broker, "a"));
        assertRefused(Brokers.port(broker, "b"));
        assertEquals(2, transport.refusedConnections());
        assertEquals(2, transport.openConnections());
        assertEquals(2, broker.clients().size());
    }
}
