package io.corvid.broker.cli;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * A minimal MQTT 3.1.1 client on a plain socket, on the core's codec: enough for tests that
 * drive a launcher process from outside. Writes are synchronized so that a reader thread may
 * answer while another thread publishes.
 */
final class WireClient implements AutoCloseable {
    private static final ProtocolVersion VERSION = ProtocolVersion.MQTT_3_1_1;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final MqttDecoder decoder = MqttDecoder.forClient(VERSION, 1 << 20);
    private ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private ConnAck connAck;

    private WireClient(Socket socket) throws IOException {
        this.socket = socket;
        this.socket.setSoTimeout(30_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects and checks that the CONNACK accepts; returns the client and the CONNACK. */
    static WireClient connect(int port, String clientId, boolean cleanSession) throws IOException {
        WireClient client = attempt(port, null, new Connect(VERSION, clientId, cleanSession, 60, null, null, null,
                Properties.EMPTY));
        if (client.connAck.reasonCode() != ReasonCode.SUCCESS) {
            client.close();
            throw new IOException("connect refused: " + client.connAck);
        }
        return client;
    }

    /**
     * Sends {@code preamble} (e.g. a PROXY protocol header; may be null) and {@code connect}, and
     * reads the CONNACK, whatever it says: {@link #connAck()}.
     */
    static WireClient attempt(int port, byte[] preamble, Connect connect) throws IOException {
        WireClient client = new WireClient(new Socket("127.0.0.1", port));
        try {
            if (preamble != null) {
                client.out.write(preamble);
            }
            client.send(connect);
            MqttPacket answer = client.receive();
            if (!(answer instanceof ConnAck connAck)) {
                throw new IOException("expected CONNACK, got " + answer);
            }
            client.connAck = connAck;
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** A CONNACK for {@code connect} from the address a PROXY protocol v1 header claims (IPv4). */
    static ConnAck connAckFrom(int port, String claimedAddress, Connect connect) throws IOException {
        byte[] header = ("PROXY TCP4 " + claimedAddress + " 127.0.0.1 40000 " + port + "\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (WireClient client = attempt(port, header, connect)) {
            return client.connAck();
        }
    }

    /** The CONNACK the broker answered with. */
    ConnAck connAck() {
        return connAck;
    }

    synchronized void send(MqttPacket packet) {
        try {
            out.write(MqttEncoder.encode(packet, VERSION));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next packet; throws on end of stream or after the socket's read timeout. */
    MqttPacket receive() throws IOException {
        while (true) {
            buffer.flip();
            DecodeResult result = decoder.decode(buffer);
            buffer.compact();
            if (result instanceof DecodeResult.Decoded decoded) {
                return decoded.packet();
            }
            if (result instanceof DecodeResult.Error error) {
                throw new IOException("undecodable: " + error);
            }
            if (!buffer.hasRemaining()) {
                buffer = ByteBuffer.allocate(buffer.capacity() * 2).put(buffer.flip());
            }
            int n = in.read(buffer.array(), buffer.position(), buffer.remaining());
            if (n < 0) {
                throw new IOException("connection closed");
            }
            buffer.position(buffer.position() + n);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is best effort.
        }
    }
}
