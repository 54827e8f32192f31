package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.TlsConfig;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PROXY protocol v1 and v2 on a listener: the address from the header is the client's
 * address; a header split over many reads works; a malformed or missing header closes that
 * connection only.
 */
class ProxyProtocolTest {
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;
    private static final byte[] V2_SIGNATURE = {
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
    };

    private static Broker broker;
    private static int port;
    private static int tlsPort;

    @BeforeAll
    static void startBroker() {
        TestCertificates certs = TestCertificates.shared();
        broker = new Broker.Builder()
                .listener(Listener.tcp("127.0.0.1", 0).named("proxied").withProxyProtocol(true))
                .listener(Listener.tls("127.0.0.1", 0,
                        TlsConfig.keyStore(certs.serverP12, TestCertificates.PASSWORD).build())
                        .named("proxied-tls").withProxyProtocol(true))
                .transport(new NettyTransport(2, false))
                .build().start();
        port = Brokers.port(broker, "proxied");
        tlsPort = Brokers.port(broker, "proxied-tls");
    }

    @AfterAll
    static void stopBroker() {
        broker.stop();
    }

    private static byte[] connect(String clientId) {
        return MqttEncoder.encode(RawClient.connectPacket(V311, clientId), V311);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    private static byte[] v2Header(int command, byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(V2_SIGNATURE);
        header.write(0x20 | command); // version 2, LOCAL (0) or PROXY (1)
        int addressLength = 2 * source.length + 4;
        header.write(source.length == 4 ? 0x11 : 0x21); // TCP over IPv4 / IPv6
        header.write(addressLength >>> 8);
        header.write(addressLength);
        header.writeBytes(source);
        header.writeBytes(destination);
        header.write(sourcePort >>> 8);
        header.write(sourcePort);
        header.write(destinationPort >>> 8);
        header.write(destinationPort);
        return header.toByteArray();
    }

    private static RawClient connectedThroughProxy(byte[] header, String clientId, boolean byteByByte) {
        RawClient client = new RawClient(port, V311);
        byte[] bytes = concat(header, connect(clientId));
        if (byteByByte) {
            for (byte b : bytes) {
                client.sendBytes(new byte[] {b});
            }
        } else {
            client.sendBytes(bytes);
        }
        assertEquals(ReasonCode.SUCCESS, client.receive(ConnAck.class).reasonCode());
        return client;
    }

    @Test
    void version1GivesTheClientsRealAddress() throws Exception {
        byte[] header = "PROXY TCP4 203.0.113.7 127.0.0.1 51000 1883\r\n".getBytes(StandardCharsets.US_ASCII);
        try (RawClient client = connectedThroughProxy(header, "proxied-v1", false)) {
            Await.until("proxied-v1 registered", () -> broker.client("proxied-v1").isPresent());
            assertEquals(new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 51000),
                    broker.client("proxied-v1").orElseThrow().remoteAddress());
            client.send(PingReq.INSTANCE);
            client.receive(PingResp.class);
        }
    }

    @Test
    void version2WithIpv6SplitOverManyReads() throws Exception {
        InetAddress source = InetAddress.getByName("2001:db8::42");
        byte[] header = v2Header(1, source.getAddress(), InetAddress.getByName("::1").getAddress(), 40000, 1883);
        try (RawClient client = connectedThroughProxy(header, "proxied-v2", true)) {
            Await.until("proxied-v2 registered", () -> broker.client("proxied-v2").isPresent());
            assertEquals(new InetSocketAddress(source, 40000), broker.client("proxied-v2").orElseThrow().remoteAddress());
            client.send(PingReq.INSTANCE);
            client.receive(PingResp.class);
        }
    }

    @Test
    void aLocalHeaderKeepsTheSocketsAddress() throws Exception {
        byte[] header = v2Header(0, new byte[4], new byte[4], 0, 0);
        try (RawClient client = connectedThroughProxy(header, "proxied-local", false)) {
            Await.until("proxied-local registered", () -> broker.client("proxied-local").isPresent());
            assertEquals(client.socket().getLocalSocketAddress(),
                    broker.client("proxied-local").orElseThrow().remoteAddress());
        }
    }

    @Test
    void aMalformedHeaderClosesThatConnectionOnly() throws Exception {
        byte[] good = "PROXY TCP4 198.51.100.1 127.0.0.1 1111 1883\r\n".getBytes(StandardCharsets.US_ASCII);
        try (RawClient bystander = connectedThroughProxy(good, "bystander", false);
             LogCapture log = new LogCapture(ProxyProtocolHandler.class)) {
            try (RawClient bad = new RawClient(port, V311)) {
                bad.sendBytes(concat("PROXY TCP4 999.1.1.1 127.0.0.1 1 2\r\n".getBytes(StandardCharsets.US_ASCII),
                        connect("bad-header")));
                bad.receiveBytesUntilClosed();
            }
            assertTrue(log.await("Malformed PROXY protocol header").startsWith("INFO"));
            try (RawClient none = new RawClient(port, V311)) {
                none.sendBytes(connect("no-header"));
                assertEquals(0, none.receiveBytesUntilClosed().length);
            }
            assertTrue(log.await("did not start with a PROXY protocol header").startsWith("INFO"));
            bystander.send(PingReq.INSTANCE);
            bystander.receive(PingResp.class);
        }
        assertTrue(broker.client("bad-header").isEmpty());
        assertTrue(broker.client("no-header").isEmpty());
    }

    @Test
    void theHeaderComesBeforeTls() throws Exception {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", tlsPort), (int) Await.TIMEOUT.toMillis());
        OutputStream out = plain.getOutputStream();
        out.write("PROXY TCP4 192.0.2.99 127.0.0.1 2222 8883\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        SSLSocket tls = (SSLSocket) TestCertificates.shared().clientContext("TLS").getSocketFactory()
                .createSocket(plain, "localhost", tlsPort, true);
        tls.startHandshake();
        try (RawClient client = new RawClient(tls, V311)) {
            client.send(RawClient.connectPacket(V311, "proxied-tls"));
            assertEquals(ReasonCode.SUCCESS, client.receive(ConnAck.class).reasonCode());
            Await.until("proxied-tls registered", () -> broker.client("proxied-tls").isPresent());
            assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.99"), 2222),
                    broker.client("proxied-tls").orElseThrow().remoteAddress());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
