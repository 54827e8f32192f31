package io.corvid.broker.it;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Will;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client on a plain socket that sends exactly the packets a test gives it, encoded and
 * decoded with Corvid's own codec: for what no well-behaved library will do (stay silent
 * after CONNECT, hold back an acknowledgement, vanish without DISCONNECT).
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final ProtocolVersion version;
    private final MqttDecoder decoder;
    private final BlockingQueue<MqttPacket> packets = new LinkedBlockingQueue<>();
    /** Completes when the broker closed the connection (or it failed), with the time that happened. */
    public final CompletableFuture<Long> closedAtNanos = new CompletableFuture<>();
    private volatile DecodeResult.Error decodeError;

    private RawClient(TestBroker broker, ProtocolVersion version) {
        this.version = version;
        this.decoder = MqttDecoder.forClient(version, 1 << 20);
        this.socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", broker.port()), 5_000);
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to the broker", e);
        }
        Thread reader = new Thread(this::readLoop, "raw-client-reader-" + socket.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens a TCP connection to the broker; nothing is sent yet. */
    public static RawClient open(TestBroker broker, ProtocolVersion version) {
        return new RawClient(broker, version);
    }

    /** A CONNECT with the given essentials and no credentials. */
    public static Connect connectPacket(ProtocolVersion version, String clientId, boolean cleanStart, int keepAlive, Will will,
                                 long sessionExpiry) {
        Properties properties = version.isV5() && sessionExpiry > 0
                ? Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, sessionExpiry).build()
                : Properties.EMPTY;
        return new Connect(version, clientId, cleanStart, keepAlive, null, null, will, properties);
    }

    /** Sends CONNECT and returns the CONNACK. */
    public ConnAck connect(Connect connect) {
        send(connect);
        return expect(ConnAck.class);
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        byte[] chunk = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                int n = in.read(chunk);
                if (n < 0) {
                    break;
                }
                if (buffer.remaining() < n) {
                    ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + n));
                    buffer.flip();
                    bigger.put(buffer);
                    buffer = bigger;
                }
                buffer.put(chunk, 0, n);
                buffer.flip();
                while (true) {
                    DecodeResult result = decoder.decode(buffer);
                    if (result instanceof DecodeResult.Decoded decoded) {
                        packets.add(decoded.packet());
                    } else if (result instanceof DecodeResult.Error error) {
                        decodeError = error;
                        return;
                    } else {
                        break;
                    }
                }
                buffer.compact();
            }
        } catch (IOException e) {
            // reset by the broker, or closed by us
        } finally {
            closedAtNanos.complete(System.nanoTime());
        }
    }

    /** Encodes and writes a packet. */
    public void send(MqttPacket packet) {
        try {
            socket.getOutputStream().write(MqttEncoder.encode(packet, version));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send " + packet.type(), e);
        }
    }

    /** Writes bytes as they are, for packets the codec will not build. */
    public void sendBytes(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send " + bytes.length + " bytes", e);
        }
    }

    /** Waits for the next packet from the broker; fails if none comes or the connection ends first. */
    public MqttPacket next() {
        try {
            long deadline = System.nanoTime() + Await.TIMEOUT.toNanos();
            while (true) {
                MqttPacket packet = packets.poll(10, TimeUnit.MILLISECONDS);
                if (packet != null) {
                    return packet;
                }
                if (decodeError != null) {
                    fail("the broker sent bytes the client codec refuses: " + decodeError);
                }
                if (closedAtNanos.isDone() && packets.isEmpty()) {
                    fail("the broker closed the connection while a packet was expected");
                }
                if (System.nanoTime() - deadline > 0) {
                    fail("no packet from the broker within " + Await.TIMEOUT.toMillis() + " ms");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for the next packet and checks its type. */
    public <T extends MqttPacket> T expect(Class<T> type) {
        MqttPacket packet = next();
        return assertInstanceOf(type, packet, "packet from the broker");
    }

    /** The packets received and not yet taken. */
    public BlockingQueue<MqttPacket> pending() {
        return packets;
    }

    /** Waits until the broker closes the connection; returns when that happened (System.nanoTime). */
    public long awaitClosedByBroker(Duration timeout) {
        return Await.result("the broker closing the connection", closedAtNanos, timeout);
    }

    /** Aborts the connection without DISCONNECT (TCP reset). */
    public void kill() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // gone already
        }
    }
}
