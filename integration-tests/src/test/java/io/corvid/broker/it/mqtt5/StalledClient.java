package io.corvid.broker.it.mqtt5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An MQTT 5.0 client on a plain socket with a small receive buffer that connects, subscribes,
 * and then never reads again: the slowest consumer there is. Everything is done on the
 * calling thread; there is no reader thread to keep draining the socket.
 */
final class StalledClient implements AutoCloseable {
    private final Socket socket;
    private final MqttDecoder decoder = MqttDecoder.forClient(ProtocolVersion.MQTT_5, 1 << 20);
    private ByteBuffer buffer = ByteBuffer.allocate(1 << 16);

    private StalledClient(TestBroker broker) {
        socket = new Socket();
        try {
            socket.setReceiveBufferSize(2048);
            socket.connect(new InetSocketAddress("127.0.0.1", broker.port()), 5_000);
            socket.setSoTimeout(10_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connects (clean start, no session expiry, the given CONNECT properties) and subscribes at QoS 1. */
    static StalledClient connectAndSubscribe(TestBroker broker, String clientId, Properties connectProperties,
                                             String filter) {
        StalledClient client = new StalledClient(broker);
        client.send(V5.connect(clientId, true, connectProperties));
        ConnAck connAck = assertInstanceOf(ConnAck.class, client.read());
        assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
        client.send(new Subscribe(1, List.of(new Subscription(filter, QoS.AT_LEAST_ONCE)), Properties.EMPTY));
        SubAck subAck = assertInstanceOf(SubAck.class, client.read());
        assertEquals(List.of(ReasonCode.GRANTED_QOS_1), subAck.reasonCodes());
        return client;
    }

    private void send(MqttPacket packet) {
        try {
            socket.getOutputStream().write(MqttEncoder.encode(packet, ProtocolVersion.MQTT_5));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads exactly one packet (blocking, with the socket's timeout). */
    private MqttPacket read() {
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                buffer.flip();
                DecodeResult result = decoder.decode(buffer);
                buffer.compact();
                if (result instanceof DecodeResult.Decoded decoded) {
                    return decoded.packet();
                }
                if (result instanceof DecodeResult.Error error) {
                    throw new AssertionError("undecodable packet from the broker: " + error);
                }
                int next = in.read();
                if (next < 0) {
                    throw new AssertionError("the broker closed the connection");
                }
                buffer.put((byte) next);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
