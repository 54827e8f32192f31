package io.corvid.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
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
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A subscriber on a plain socket that connects, subscribes, and then reads nothing more until
 * the test {@linkplain #startReading says so}: the slowest consumer there is, for as long as
 * a test wants one. The broker's bytes pile up in the socket buffers, then in the broker.
 *
 * <p>Once reading, it decodes every packet with Corvid's codec, records the number each
 * PUBLISH payload starts with in {@link #log} (see {@link SequenceLog#payload}), and, if asked
 * to, acknowledges QoS 1 and QoS 2 messages as a client library would (PUBACK; PUBREC, then
 * PUBCOMP for the PUBREL). A DISCONNECT from the broker completes {@link #disconnect}; the end
 * of the connection completes {@link #closed}. Keep alive is 0, so the broker never drops it
 * for silence. MQTT 5.0 and 3.1.1.
 */
public final class StuckSubscriber implements AutoCloseable {
    private final Socket socket;
    private final ProtocolVersion version;
    private final String clientId;
    private final MqttDecoder decoder;
    /** Bytes read and not yet decoded; the reader thread takes over what setup left in it. */
    private ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private volatile boolean acknowledge;
    private Thread reader;
    /** The numbers of the messages received, in order. */
    public final SequenceLog log;
    /** Completes with the broker's DISCONNECT, once one is read. */
    public final CompletableFuture<Disconnect> disconnect = new CompletableFuture<>();
    /** Completes when the connection ended (noticed only while reading), with the time (System.nanoTime). */
    public final CompletableFuture<Long> closed = new CompletableFuture<>();

    private StuckSubscriber(TestBroker broker, ProtocolVersion version, String clientId, int receiveBufferBytes) {
        this.version = version;
        this.clientId = clientId;
        this.decoder = MqttDecoder.forClient(version, 1 << 20);
        this.log = new SequenceLog(clientId);
        this.socket = new Socket();
        try {
            if (receiveBufferBytes > 0) {
                // Set before connecting, so that the window the broker sees is small from the start.
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.connect(new InetSocketAddress("127.0.0.1", broker.port()), 5_000);
            socket.setSoTimeout((int) Await.TIMEOUT.toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to the broker", e);
        }
    }

    /**
     * Connects, subscribes to {@code filter} at {@code qos} and stops reading.
     *
     * @param persistent         MQTT 5.0: clean start 0 and a session expiry of five minutes;
     *                           MQTT 3.1.1: clean session 0. Otherwise a clean, non-persistent session.
     * @param receiveBufferBytes the socket's receive buffer (a small one makes the broker notice
     *                           sooner that nothing is read), or 0 for the system's default
     */
    public static StuckSubscriber subscribe(TestBroker broker, ProtocolVersion version, String clientId, boolean persistent,
                                            String filter, QoS qos, int receiveBufferBytes) {
        StuckSubscriber client = new StuckSubscriber(broker, version, clientId, receiveBufferBytes);
        try {
            Connect connect = RawClient.connectPacket(version, clientId, !persistent, 0, null,
                    persistent && version.isV5() ? 300 : 0);
            client.send(connect);
            ConnAck connAck = (ConnAck) client.readSetupPacket(ConnAck.class);
            assertEquals(ReasonCode.SUCCESS, connAck.reasonCode(), clientId + ": CONNACK " + connAck);
            client.send(new Subscribe(1, List.of(new Subscription(filter, qos)), Properties.EMPTY));
            SubAck subAck = (SubAck) client.readSetupPacket(SubAck.class);
            ReasonCode granted = switch (qos) {
                case AT_MOST_ONCE -> ReasonCode.GRANTED_QOS_0;
                case AT_LEAST_ONCE -> ReasonCode.GRANTED_QOS_1;
                case EXACTLY_ONCE -> ReasonCode.GRANTED_QOS_2;
            };
            assertEquals(List.of(granted), subAck.reasonCodes(), clientId + ": SUBACK");
            return client;
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    /** The client identifier. */
    public String clientId() {
        return clientId;
    }

    /**
     * Starts reading (on a thread of its own) what the broker sent and sends, from now on.
     *
     * @param acknowledgeMessages whether to acknowledge QoS 1/2 messages; a client that reads but
     *                            never acknowledges fills its inflight window and then its queue
     */
    public synchronized void startReading(boolean acknowledgeMessages) {
        assertFalse(reader != null, clientId + " reads already");
        acknowledge = acknowledgeMessages;
        try {
            socket.setSoTimeout(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader = new Thread(this::readLoop, "stuck-subscriber-" + clientId);
        reader.setDaemon(true);
        reader.start();
    }

    /** Reads packets during setup (on the caller's thread) until one of {@code type} comes. */
    private MqttPacket readSetupPacket(Class<? extends MqttPacket> type) {
        try {
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[8192];
            ByteArrayOutputStream acks = new ByteArrayOutputStream();
            while (true) {
                buffer.flip();
                DecodeResult result = decoder.decode(buffer);
                buffer.compact();
                if (result instanceof DecodeResult.Decoded decoded) {
                    if (type.isInstance(decoded.packet())) {
                        return decoded.packet();
                    }
                    handle(decoded.packet(), acks, true);
                    sendAcks(acks);
                    continue;
                }
                if (result instanceof DecodeResult.Error error) {
                    throw new AssertionError(clientId + ": undecodable packet from the broker: " + error);
                }
                int n = in.read(chunk);
                if (n < 0) {
                    throw new AssertionError(clientId + ": the broker closed the connection before " + type.getSimpleName());
                }
                append(chunk, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError(clientId + ": no " + type.getSimpleName() + " within " + Await.TIMEOUT.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readLoop() {
        byte[] chunk = new byte[1 << 16];
        ByteArrayOutputStream acks = new ByteArrayOutputStream();
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                buffer.flip();
                while (true) {
                    DecodeResult result = decoder.decode(buffer);
                    if (result instanceof DecodeResult.Decoded decoded) {
                        handle(decoded.packet(), acks, acknowledge);
                    } else if (result instanceof DecodeResult.Error error) {
                        throw new IOException(clientId + ": undecodable packet from the broker: " + error);
                    } else {
                        break;
                    }
                }
                buffer.compact();
                sendAcks(acks);
                int n = in.read(chunk);
                if (n < 0) {
                    break;
                }
                append(chunk, n);
            }
        } catch (IOException | UncheckedIOException e) {
            // reset by the broker, or closed by the test
        } finally {
            closed.complete(System.nanoTime());
        }
    }

    private void handle(MqttPacket packet, ByteArrayOutputStream acks, boolean acknowledgeMessages) {
        if (packet instanceof Publish publish) {
            log.add(SequenceLog.number(publish.payload()));
            if (acknowledgeMessages && publish.qos() == QoS.AT_LEAST_ONCE) {
                acks.writeBytes(MqttEncoder.encode(new PubAck(publish.packetId()), version));
            } else if (acknowledgeMessages && publish.qos() == QoS.EXACTLY_ONCE) {
                acks.writeBytes(MqttEncoder.encode(new PubRec(publish.packetId()), version));
            }
        } else if (packet instanceof PubRel pubRel) {
            acks.writeBytes(MqttEncoder.encode(new PubComp(pubRel.packetId()), version));
        } else if (packet instanceof Disconnect received) {
            disconnect.complete(received);
        }
    }

    private void append(byte[] chunk, int n) {
        if (buffer.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + n));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
        buffer.put(chunk, 0, n);
    }

    private void sendAcks(ByteArrayOutputStream acks) {
        if (acks.size() > 0) {
            sendBytes(acks.toByteArray());
            acks.reset();
        }
    }

    private void send(MqttPacket packet) {
        sendBytes(MqttEncoder.encode(packet, version));
    }

    private synchronized void sendBytes(byte[] bytes) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(clientId + ": cannot send", e);
        }
    }

    /** Closes the socket (no DISCONNECT). */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // gone already
        }
    }
}
