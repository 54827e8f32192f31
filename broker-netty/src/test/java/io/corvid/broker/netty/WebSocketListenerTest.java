package io.corvid.broker.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.TlsConfig;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WebSocket and secure WebSocket listeners: a handshake written by hand (lower-case header
 * names), subprotocols, MQTT packets split across and packed inside frames, control frames,
 * limits and bad input, and real clients (Paho, HiveMQ) next to TCP clients.
 */
class WebSocketListenerTest {
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;
    private static final int MAX_PACKET_SIZE = 16 * 1024;

    private static TestCertificates certs;
    private static Broker broker;
    private static int tcpPort;
    private static int wsPort;
    private static int wssPort;

    @BeforeAll
    static void startBroker() {
        certs = TestCertificates.shared();
        TlsConfig tls = TlsConfig.keyStore(certs.serverP12, TestCertificates.PASSWORD).build();
        broker = new Broker.Builder()
                .listener(Listener.tcp("127.0.0.1", 0))
                .listener(Listener.webSocket("127.0.0.1", 0, Listener.DEFAULT_WEBSOCKET_PATH))
                .listener(Listener.secureWebSocket("127.0.0.1", 0, "/secure/mqtt", tls))
                .maxPacketSize(MAX_PACKET_SIZE)
                .transport(new NettyTransport(2, false))
                .build().start();
        tcpPort = Brokers.port(broker, "tcp");
        wsPort = Brokers.port(broker, "ws");
        wssPort = Brokers.port(broker, "wss");
    }

    @AfterAll
    static void stopBroker() {
        broker.stop();
    }

    private static byte[] encode(io.corvid.broker.packet.MqttPacket packet) {
        return MqttEncoder.encode(packet, V311);
    }

    @Test
    void handWrittenHandshakeWithLowerCaseHeadersAndPacketsSplitAndPacked() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(wsPort)) {
            RawWebSocket.Response response = ws.handshake(RawWebSocket.request("/mqtt",
                    "host: 127.0.0.1:" + wsPort,
                    "upgrade: websocket",
                    "connection: upgrade",
                    "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==",
                    "sec-websocket-version: 13",
                    "sec-websocket-protocol: mqtt"));
            assertTrue(response.statusLine().startsWith("HTTP/1.1 101"), response.toString());
            assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", response.header("sec-websocket-accept"));
            assertEquals("mqtt", response.header("sec-websocket-protocol"));
            ws.mqtt(V311);

            // CONNECT split over three frames: two whole binary messages, then a fragmented one.
            byte[] connect = encode(RawClient.connectPacket(V311, "ws-by-hand"));
            ws.sendBinary(Arrays.copyOfRange(connect, 0, 1));
            ws.sendFrame(false, RawWebSocket.BINARY, Arrays.copyOfRange(connect, 1, 5));
            ws.sendFrame(true, RawWebSocket.CONTINUATION, Arrays.copyOfRange(connect, 5, connect.length));
            assertEquals(ReasonCode.SUCCESS, assertInstanceOf(ConnAck.class, ws.receivePacket()).reasonCode());

            // SUBSCRIBE, a PUBLISH to it and PINGREQ packed into one frame.
            ws.sendPackets(V311,
                    new Subscribe(1, List.of(new Subscription("ws/echo", QoS.AT_MOST_ONCE)), Properties.EMPTY),
                    Publish.atMostOnce("ws/echo", "packed".getBytes(UTF_8), false),
                    PingReq.INSTANCE);
            assertInstanceOf(SubAck.class, ws.receivePacket());
            // The routed PUBLISH and the PINGRESP may come in either order.
            List<io.corvid.broker.packet.MqttPacket> answers = List.of(ws.receivePacket(), ws.receivePacket());
            assertTrue(answers.contains(PingResp.INSTANCE), answers::toString);
            Publish echoed = (Publish) answers.stream().filter(Publish.class::isInstance).findFirst().orElseThrow();
            assertArrayEquals("packed".getBytes(UTF_8), echoed.payload());

            // A large PUBLISH in one frame, and one split byte by byte over many frames.
            byte[] large = new byte[10_000];
            Arrays.fill(large, (byte) 'x');
            ws.sendPackets(V311, Publish.atMostOnce("ws/echo", large, false));
            assertArrayEquals(large, assertInstanceOf(Publish.class, ws.receivePacket()).payload());
            byte[] small = encode(Publish.atMostOnce("ws/echo", "dribbled".getBytes(UTF_8), false));
            for (byte b : small) {
                ws.sendBinary(new byte[] {b});
            }
            assertArrayEquals("dribbled".getBytes(UTF_8),
                    assertInstanceOf(Publish.class, ws.receivePacket()).payload());
        }
    }

    @Test
    void answersPingsAndEchoesTheClientsCloseFrame() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(wsPort).upgrade("/mqtt", "mqtt").mqtt(V311)) {
            ws.sendBinary(encode(RawClient.connectPacket(V311, "ws-control")));
            assertInstanceOf(ConnAck.class, ws.receivePacket());
            ws.sendFrame(true, RawWebSocket.PING, "are you there".getBytes(UTF_8));
            RawWebSocket.Frame pong = ws.readFrame();
            assertEquals(RawWebSocket.PONG, pong.opcode());
            assertArrayEquals("are you there".getBytes(UTF_8), pong.payload());
            Await.until("ws-control connected", () -> broker.client("ws-control").isPresent());

            ws.sendFrame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8}); // 1000
            RawWebSocket.Frame close = ws.readFrame();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertEquals(1000, close.closeStatus());
            assertTrue(ws.awaitTcpClose());
            Await.until("ws-control gone", () -> broker.client("ws-control").isEmpty());
        }
    }

    @Test
    void theBrokerSendsACloseFrameWhenItEndsTheConnection() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(wsPort).upgrade("/mqtt", "mqtt").mqtt(V311)) {
            ws.sendBinary(encode(RawClient.connectPacket(V311, "ws-kicked")));
            assertInstanceOf(ConnAck.class, ws.receivePacket());
            Await.until("ws-kicked connected", () -> broker.client("ws-kicked").isPresent());
            assertTrue(broker.disconnect("ws-kicked"));
            RawWebSocket.Frame close = ws.readFrame();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertEquals(1000, close.closeStatus());
            assertTrue(ws.awaitTcpClose());
        }
    }

    @Test
    void negotiatesMqttv31ForMqtt31Clients() throws Exception {
        ProtocolVersion v31 = ProtocolVersion.MQTT_3_1;
        try (RawWebSocket ws = new RawWebSocket(wsPort)) {
            RawWebSocket.Response response = ws.handshake(RawWebSocket.upgradeRequest("/mqtt", "mqttv3.1"));
            assertEquals("mqttv3.1", response.header("sec-websocket-protocol"));
            ws.mqtt(v31);
            ws.sendBinary(MqttEncoder.encode(RawClient.connectPacket(v31, "ws-31"), v31));
            assertEquals(ReasonCode.SUCCESS, assertInstanceOf(ConnAck.class, ws.receivePacket()).reasonCode());
        }
    }

    @Test
    void closesWith1003OnATextFrame() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(wsPort).upgrade("/mqtt", "mqtt")) {
            ws.sendFrame(true, RawWebSocket.TEXT, "{\"hello\":1}".getBytes(UTF_8));
            RawWebSocket.Frame close = ws.readFrame();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertEquals(1003, close.closeStatus());
            assertTrue(ws.awaitTcpClose());
        }
    }

    @Test
    void closesWith1009OnAFrameLargerThanTheMaximumPacketSize() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(wsPort).upgrade("/mqtt", "mqtt")) {
            ws.sendBinary(new byte[MAX_PACKET_SIZE + 1]);
            RawWebSocket.Frame close = ws.readFrame();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertEquals(1009, close.closeStatus());
            assertTrue(ws.awaitTcpClose());
        }
    }

    @Test
    void answers404ForAnotherPath() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(wsPort)) {
            RawWebSocket.Response response = ws.handshake(RawWebSocket.upgradeRequest("/other", "mqtt"));
            assertTrue(response.statusLine().startsWith("HTTP/1.1 404"), response.toString());
            assertTrue(ws.readUntilClosed().contains("/mqtt"));
        }
        try (RawWebSocket ws = new RawWebSocket(wsPort)) {
            RawWebSocket.Response response = ws.handshake(RawWebSocket.upgradeRequest("/mqttx", "mqtt"));
            assertTrue(response.statusLine().startsWith("HTTP/1.1 404"), response.toString());
        }
    }

    /**
     * A client that sends its first frame right behind the upgrade request, without waiting
     * for the 101, has both arrive in one TCP read: the bytes after the request belong to the
     * WebSocket decoder, all of them, down to the frame's first byte.
     */
    @Test
    void aFrameInTheSameWriteAsTheUpgradeRequestIsReadWhole() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(wsPort)) {
            byte[] connectFrame = ws.frame(true, RawWebSocket.BINARY,
                    encode(RawClient.connectPacket(V311, "ws-eager")));
            RawWebSocket.Response response = ws.handshakeFollowedBy(
                    RawWebSocket.upgradeRequest("/mqtt", "mqtt"), connectFrame);
            assertTrue(response.statusLine().startsWith("HTTP/1.1 101"), response.toString());
            ws.mqtt(V311);
            assertEquals(ReasonCode.SUCCESS, assertInstanceOf(ConnAck.class, ws.receivePacket()).reasonCode());
            ws.sendPackets(V311, PingReq.INSTANCE);
            assertEquals(PingResp.INSTANCE, ws.receivePacket());
        }
    }

    @Test
    void upgradesWithAQueryString() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(wsPort).upgrade("/mqtt?client=browser", "mqtt").mqtt(V311)) {
            ws.sendBinary(encode(RawClient.connectPacket(V311, "ws-query")));
            assertInstanceOf(ConnAck.class, ws.receivePacket());
        }
    }

    @Test
    void aPlainMqttClientOnTheWebSocketPortGets400AndAClose() throws Exception {
        try (LogCapture log = new LogCapture(WebSocketMqttHandler.class);
             RawClient plain = new RawClient(wsPort, V311)) {
            plain.send(RawClient.connectPacket(V311, "plain-on-ws"));
            String answer = new String(plain.receiveBytesUntilClosed(), UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(log.await("did not send an HTTP request").startsWith("INFO"));
        }
        assertTrue(broker.client("plain-on-ws").isEmpty());
    }

    @Test
    void secureWebSocketByHand() throws Exception {
        SSLSocket socket = (SSLSocket) certs.clientContext("TLS").getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", wssPort), (int) Await.TIMEOUT.toMillis());
        try (RawWebSocket ws = new RawWebSocket(socket).upgrade("/secure/mqtt", "mqtt").mqtt(V311)) {
            ws.sendBinary(encode(RawClient.connectPacket(V311, "wss-by-hand")));
            assertInstanceOf(ConnAck.class, ws.receivePacket());
            ws.sendPackets(V311, PingReq.INSTANCE);
            assertInstanceOf(PingResp.class, ws.receivePacket());
        }
    }

    @Test
    void pahoOverWebSocketAndHiveMqOverTcpExchangeMessages() throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                "ws://127.0.0.1:" + wsPort + "/mqtt", "paho-ws", new MemoryPersistence());
        BlockingQueue<String> pahoReceived = new LinkedBlockingQueue<>();
        paho.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                pahoReceived.add(new String(message.getPayload(), UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        Mqtt5BlockingClient tcp = MqttClient.builder().useMqttVersion5().identifier("hivemq-tcp")
                .serverHost("127.0.0.1").serverPort(tcpPort).buildBlocking();
        try {
            paho.connect(new MqttConnectOptions());
            paho.subscribe("to/ws", 1);
            tcp.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes fromWs = tcp.publishes(MqttGlobalPublishFilter.ALL)) {
                tcp.subscribeWith().topicFilter("to/tcp").qos(MqttQos.AT_LEAST_ONCE).send();
                tcp.publishWith().topic("to/ws").payload("hello websocket".getBytes(UTF_8))
                        .qos(MqttQos.AT_LEAST_ONCE).send();
                assertEquals("hello websocket", pahoReceived.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                paho.publish("to/tcp", "hello tcp".getBytes(UTF_8), 1, false);
                assertEquals("hello tcp", new String(fromWs.receive(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .orElseThrow().getPayloadAsBytes(), UTF_8));
            }
        } finally {
            tcp.disconnect();
            paho.disconnect();
            paho.close(true);
        }
    }

    @Test
    void hiveMqOverWebSocketAndPahoV5OverSecureWebSocket() throws Exception {
        Mqtt5BlockingClient hive = MqttClient.builder().useMqttVersion5().identifier("hivemq-ws")
                .serverHost("127.0.0.1").serverPort(wsPort)
                .webSocketConfig().serverPath("mqtt").applyWebSocketConfig()
                .buildBlocking();
        org.eclipse.paho.mqttv5.client.MqttClient paho = new org.eclipse.paho.mqttv5.client.MqttClient(
                "wss://127.0.0.1:" + wssPort + "/secure/mqtt", "paho5-wss",
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setSocketFactory(certs.clientContext("TLS").getSocketFactory());
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try {
            hive.connect();
            paho.connect(options);
            // (subscribe(String, int, listener) of Paho 1.2.5 recurses forever; the array form works.)
            paho.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                new org.eclipse.paho.mqttv5.common.MqttSubscription("wss/in", 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
                        (topic, message) -> received.add(new String(message.getPayload(), UTF_8))});
            hive.publishWith().topic("wss/in").payload("over ws, to wss".getBytes(UTF_8))
                    .qos(MqttQos.EXACTLY_ONCE).send();
            assertEquals("over ws, to wss", received.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
            hive.disconnect();
            paho.disconnect();
            paho.close(true);
        }
    }

    @Test
    void hiveMqV3OverSecureWebSocket() throws Exception {
        Mqtt3BlockingClient hive = MqttClient.builder().useMqttVersion3().identifier("hivemq3-wss")
                .serverHost("127.0.0.1").serverPort(wssPort)
                .sslConfig().trustManagerFactory(certs.trustManagerFactory()).applySslConfig()
                .webSocketConfig().serverPath("secure/mqtt").applyWebSocketConfig()
                .buildBlocking();
        hive.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith().topicFilter("hive3/#").qos(MqttQos.AT_LEAST_ONCE).send();
            broker.publish("hive3/news", "from the broker".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
            assertEquals("from the broker", new String(publishes.receive(Await.TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS).orElseThrow().getPayloadAsBytes(), UTF_8));
        } finally {
            hive.disconnect();
        }
    }

    @Test
    void aBrokenClientDoesNotDisturbTheOthers() throws IOException {
        try (RawWebSocket good = new RawWebSocket(wsPort).upgrade("/mqtt", "mqtt").mqtt(V311);
             RawWebSocket bad = new RawWebSocket(wsPort).upgrade("/mqtt", "mqtt")) {
            good.sendBinary(encode(RawClient.connectPacket(V311, "ws-good")));
            assertInstanceOf(ConnAck.class, good.receivePacket());
            // Not an MQTT packet at all: the engine closes the connection as for TCP.
            bad.sendBinary(new byte[] {(byte) 0xF0, 0x00});
            assertTrue(bad.awaitTcpClose());
            good.sendPackets(V311, PingReq.INSTANCE);
            assertInstanceOf(PingResp.class, good.receivePacket());
        }
    }
}
