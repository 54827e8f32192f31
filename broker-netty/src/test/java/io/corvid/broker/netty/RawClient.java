package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking MQTT client over a plain socket, built on the core's encoder and client decoder,
 * for tests that need to control every byte. Every read gives up after {@link #TIMEOUT}.
 */
final class RawClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final AutoCloseable resource;
    private final InputStream in;
    private final OutputStream out;
    private final ProtocolVersion version;
    private final MqttDecoder decoder;
    private ByteBuffer received = ByteBuffer.allocate(4096).flip();
    private final byte[] chunk = new byte[8192];

    RawClient(int port, ProtocolVersion version) {
        this(plainSocket(port), version);
    }

    /** A client over a socket that is already connected (a TLS socket, for instance). */
    RawClient(Socket socket, ProtocolVersion version) {
        this(socket, socket, inputOf(socket), outputOf(socket), version);
    }

    /** A client over any byte stream (a Unix domain socket channel, for instance); reads must time out on their own. */
    RawClient(AutoCloseable resource, InputStream in, OutputStream out, ProtocolVersion version) {
        this(null, resource, in, out, version);
    }

    private RawClient(Socket socket, AutoCloseable resource, InputStream in, OutputStream out,
                      ProtocolVersion version) {
        this.socket = socket;
        this.resource = resource;
        this.in = in;
        this.out = out;
        this.version = version;
        this.decoder = MqttDecoder.forClient(version, MqttDecoder.MAX_PACKET_SIZE_LIMIT);
    }

    private static Socket plainSocket(int port) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream inputOf(Socket socket) {
        try {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            return socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OutputStream outputOf(Socket socket) {
        try {
            return socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connects with a clean session and asserts a successful CONNACK. */
    static RawClient connected(int port, ProtocolVersion version, String clientId) {
        RawClient client = new RawClient(port, version);
        client.send(connectPacket(version, clientId));
        ConnAck connAck = client.receive(ConnAck.class);
        assertEquals(ReasonCode.SUCCESS, connAck.reasonCode(), "CONNACK of " + clientId);
        return client;
    }

    static Connect connectPacket(ProtocolVersion version, String clientId) {
        return new Connect(version, clientId, true, 60, null, null, null, Properties.EMPTY);
    }

    ProtocolVersion version() {
        return version;
    }

    Socket socket() {
        return socket;
    }

    /** Subscribes to one filter and asserts the granted QoS. */
    void subscribe(int packetId, String filter, QoS qos) {
        send(new Subscribe(packetId, List.of(new Subscription(filter, qos)), Properties.EMPTY));
        SubAck subAck = receive(SubAck.class);
        assertEquals(packetId, subAck.packetId());
        assertEquals(List.of(ReasonCode.fromValue(qos.value(), io.corvid.broker.packet.PacketType.SUBACK)),
                subAck.reasonCodes());
    }

    void send(MqttPacket packet) {
        sendBytes(MqttEncoder.encode(packet, version));
    }

    void sendBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next packet, of the given type. */
    <T extends MqttPacket> T receive(Class<T> type) {
        return assertInstanceOf(type, receive());
    }

    /** The next packet; fails on a decode error, a closed connection or a timeout. */
    MqttPacket receive() {
        MqttPacket packet = next();
        if (packet == null) {
            throw new AssertionError("the broker closed the connection while a packet was expected");
        }
        return packet;
    }

    /**
     * Reads until the broker closes the connection.
     *
     * @return the packets that arrived before the close
     */
    List<MqttPacket> receiveUntilClosed() {
        List<MqttPacket> packets = new ArrayList<>();
        MqttPacket packet;
        while ((packet = next()) != null) {
            packets.add(packet);
        }
        return packets;
    }

    /**
     * Reads raw bytes until the broker closes the connection, without decoding them.
     *
     * @return every byte that arrived before the close (after any already buffered)
     */
    byte[] receiveBytesUntilClosed() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(received.array(), received.arrayOffset() + received.position(), received.remaining());
        received.position(received.limit());
        while (true) {
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the broker did not close within " + TIMEOUT, e);
            } catch (SocketException e) {
                return all.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (n < 0) {
                return all.toByteArray();
            }
            all.write(chunk, 0, n);
        }
    }

    /** The next packet, or null once the peer closed; fails on a decode error or timeout. */
    private MqttPacket next() {
        while (true) {
            DecodeResult result = decoder.decode(received);
            if (result instanceof DecodeResult.Decoded decoded) {
                return decoded.packet();
            }
            if (result instanceof DecodeResult.Error error) {
                throw new AssertionError("the broker sent a bad packet: " + error);
            }
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("nothing from the broker within " + TIMEOUT, e);
            } catch (SocketException e) {
                // A reset is a close too (the broker closed while our bytes were unread).
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (n < 0) {
                if (received.hasRemaining()) {
                    throw new AssertionError("closed in the middle of a packet, " + received.remaining()
                            + " bytes pending");
                }
                return null;
            }
            append(n);
        }
    }

    private void append(int n) {
        if (received.capacity() - received.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(received.capacity() * 2, received.remaining() + n));
            bigger.put(received);
            received = bigger;
        } else {
            received.compact();
        }
        received.put(chunk, 0, n);
        received.flip();
    }

    @Override
    public void close() {
        try {
            resource.close();
        } catch (Exception e) {
            // closing a test connection: nothing to do
        }
    }
}
