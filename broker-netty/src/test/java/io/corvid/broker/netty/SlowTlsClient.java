package io.corvid.broker.netty;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * A TLS client that drives a JDK {@link SSLEngine} by hand over a plain socket and writes
 * every byte it sends (ClientHello, the rest of the handshake, application data) as its own
 * TCP segment, {@code chunkSize} bytes at a time. The server sees a handshake split over
 * hundreds of reads, most of which give it no whole record and no plaintext at all.
 */
final class SlowTlsClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final SSLEngine engine;
    private final int chunkSize;
    private final MqttDecoder decoder;
    private final ProtocolVersion version;
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private final ByteBuffer netOut;

    SlowTlsClient(int port, SSLContext context, int chunkSize, ProtocolVersion version) throws IOException {
        this.socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Await.TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) Await.TIMEOUT.toMillis());
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.engine = context.createSSLEngine("localhost", port);
        engine.setUseClientMode(true);
        this.chunkSize = chunkSize;
        this.version = version;
        this.decoder = MqttDecoder.forClient(version, MqttDecoder.MAX_PACKET_SIZE_LIMIT);
        int packetSize = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packetSize).flip();
        this.netOut = ByteBuffer.allocate(packetSize);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
    }

    /** The first flight of the handshake (the ClientHello), as the engine makes it; nothing is sent. */
    static byte[] clientHello(SSLContext context) throws SSLException {
        SSLEngine engine = context.createSSLEngine("localhost", 8883);
        engine.setUseClientMode(true);
        ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        byte[] bytes = new byte[hello.remaining()];
        hello.get(bytes);
        return bytes;
    }

    /** Runs the whole handshake. */
    void handshake() throws IOException {
        engine.beginHandshake();
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> wrapAndSend(ByteBuffer.allocate(0));
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapSome();
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
                default -> throw new IllegalStateException(engine.getHandshakeStatus().toString());
            }
        }
    }

    /** The negotiated TLS version. */
    String protocol() {
        return engine.getSession().getProtocol();
    }

    /** Encrypts and sends one packet, a few bytes per segment. */
    void send(MqttPacket packet) throws IOException {
        ByteBuffer plain = ByteBuffer.wrap(MqttEncoder.encode(packet, version));
        while (plain.hasRemaining()) {
            wrapAndSend(plain);
        }
    }

    /** Reads and decrypts until one whole packet arrived. */
    MqttPacket receive() throws IOException {
        while (true) {
            DecodeResult result = decoder.decode(appIn);
            if (result instanceof DecodeResult.Decoded decoded) {
                return decoded.packet();
            }
            if (result instanceof DecodeResult.Error error) {
                throw new AssertionError("bad packet from the broker: " + error);
            }
            unwrapSome();
        }
    }

    private void wrapAndSend(ByteBuffer source) throws IOException {
        netOut.clear();
        SSLEngineResult result = engine.wrap(source, netOut);
        if (result.getStatus() != SSLEngineResult.Status.OK) {
            throw new IllegalStateException("wrap: " + result);
        }
        netOut.flip();
        byte[] bytes = new byte[netOut.remaining()];
        netOut.get(bytes);
        for (int i = 0; i < bytes.length; i += chunkSize) {
            out.write(bytes, i, Math.min(chunkSize, bytes.length - i));
            out.flush();
        }
    }

    /** Unwraps what is buffered, reading from the socket when a record is incomplete. */
    private void unwrapSome() throws IOException {
        while (true) {
            appIn.compact();
            SSLEngineResult result;
            try {
                result = engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
            }
            switch (result.getStatus()) {
                case OK -> {
                    return;
                }
                case BUFFER_UNDERFLOW -> readMore();
                case BUFFER_OVERFLOW -> {
                    ByteBuffer bigger = ByteBuffer.allocate(appIn.capacity() * 2);
                    bigger.put(appIn).flip();
                    appIn = bigger;
                }
                case CLOSED -> throw new IOException("the server closed TLS");
                default -> throw new IllegalStateException(result.toString());
            }
        }
    }

    private void readMore() throws IOException {
        netIn.compact();
        if (!netIn.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(netIn.capacity() * 2);
            netIn.flip();
            bigger.put(netIn);
            netIn = bigger;
        }
        int n = in.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
        if (n < 0) {
            netIn.flip();
            throw new IOException("the server closed the connection");
        }
        netIn.position(netIn.position() + n);
        netIn.flip();
    }

    /** Sends bytes as they are, outside TLS. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads (and ignores) until the server closes the connection. */
    void awaitClosed() throws IOException {
        try {
            while (in.read() >= 0) {
                // an alert, perhaps
            }
        } catch (java.net.SocketException reset) {
            // closed with a reset: closed all the same
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
