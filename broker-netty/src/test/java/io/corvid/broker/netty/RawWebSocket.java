package io.corvid.broker.netty;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A WebSocket client written by hand for tests that control every byte: the upgrade request
 * (any header spelling), frames of any kind and size, masking as RFC 6455 asks of clients,
 * and MQTT packets carried in binary frames.
 */
final class RawWebSocket implements AutoCloseable {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** A frame from the server. */
    record Frame(boolean fin, int opcode, byte[] payload) {
        /** The status code of a close frame. */
        int closeStatus() {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
    }

    /** The server's answer to the upgrade request. */
    record Response(String statusLine, Map<String, String> headers) {
        /** A header by its name in lower case. */
        String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Random random = new Random(7);
    private MqttDecoder decoder;
    private ByteBuffer stream = ByteBuffer.allocate(0);

    RawWebSocket(int port) throws IOException {
        this(connect(port));
    }

    /** Over a socket that is already connected (a TLS socket, for instance). */
    RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout((int) Await.TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Await.TIMEOUT.toMillis());
        return socket;
    }

    /** The upgrade request with the headers as given (lines without CRLF), ending with the blank line. */
    static String request(String path, String... headerLines) {
        StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    /** A usual upgrade request for {@code path} offering {@code subprotocol}. */
    static String upgradeRequest(String path, String subprotocol) {
        return request(path, "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Protocol: " + subprotocol);
    }

    /** Sends {@code request} and reads the response's status line and headers. */
    Response handshake(String request) throws IOException {
        return handshake(request.getBytes(StandardCharsets.US_ASCII));
    }

    private Response handshake(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        String statusLine = readLine();
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while (!(line = readLine()).isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new Response(statusLine, headers);
    }

    /** Upgrades with a usual request and fails unless the server switched protocols. */
    RawWebSocket upgrade(String path, String subprotocol) throws IOException {
        Response response = handshake(upgradeRequest(path, subprotocol));
        if (!response.statusLine().startsWith("HTTP/1.1 101")) {
            throw new AssertionError("upgrade refused: " + response);
        }
        return this;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("closed in the HTTP response after: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Reads the rest of an HTTP response body until the server closes. */
    String readUntilClosed() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Sends one masked frame. */
    void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        out.write(frame(fin, opcode, payload));
        out.flush();
    }

    /**
     * Sends {@code request} and {@code afterRequest} (say, the first frames) in one write, so
     * that they reach the server in one TCP segment, and reads the response's status line and headers.
     */
    Response handshakeFollowedBy(String request, byte[] afterRequest) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(request.getBytes(StandardCharsets.US_ASCII));
        bytes.write(afterRequest);
        return handshake(bytes.toByteArray());
    }

    /** One masked frame, as bytes. */
    byte[] frame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    /** Sends {@code bytes} as one final binary frame. */
    void sendBinary(byte[] bytes) throws IOException {
        sendFrame(true, BINARY, bytes);
    }

    /** Reads the next frame; fails if the server closes first. */
    Frame readFrame() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        if ((second & 0x80) != 0) {
            throw new AssertionError("the server masked a frame");
        }
        long length = second & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame((first & 0x80) != 0, first & 0x0F, payload);
    }

    /** Starts speaking MQTT of {@code version} over binary frames. */
    RawWebSocket mqtt(ProtocolVersion version) {
        decoder = MqttDecoder.forClient(version, MqttDecoder.MAX_PACKET_SIZE_LIMIT);
        return this;
    }

    /** Encodes packets back to back into one binary frame. */
    void sendPackets(ProtocolVersion version, MqttPacket... packets) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (MqttPacket packet : packets) {
            bytes.write(MqttEncoder.encode(packet, version));
        }
        sendBinary(bytes.toByteArray());
    }

    /** The next MQTT packet, from as many binary frames as it takes (ignoring pongs). */
    MqttPacket receivePacket() throws IOException {
        while (true) {
            DecodeResult result = decoder.decode(stream);
            if (result instanceof DecodeResult.Decoded decoded) {
                return decoded.packet();
            }
            if (result instanceof DecodeResult.Error error) {
                throw new AssertionError("bad packet from the broker: " + error);
            }
            Frame frame = readFrame();
            if (frame.opcode() == BINARY || frame.opcode() == CONTINUATION) {
                ByteBuffer bigger = ByteBuffer.allocate(stream.remaining() + frame.payload().length);
                bigger.put(stream).put(frame.payload()).flip();
                stream = bigger;
            } else if (frame.opcode() != PONG) {
                throw new AssertionError("expected a binary frame, got opcode " + frame.opcode());
            }
        }
    }

    /** Whether the server closed the TCP connection (reads until it does). */
    boolean awaitTcpClose() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain
            }
        } catch (SocketException reset) {
            // a reset is a close as well
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
