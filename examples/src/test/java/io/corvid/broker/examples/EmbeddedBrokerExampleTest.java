package io.corvid.broker.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscription;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's embedding example does what the README says. */
class EmbeddedBrokerExampleTest {
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;

    private static MqttPacket read(InputStream in, MqttDecoder decoder) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            buffer.put((byte) b);
            buffer.flip();
            DecodeResult result = decoder.decode(buffer);
            if (result instanceof DecodeResult.Decoded decoded) {
                return decoded.packet();
            }
            buffer.position(buffer.limit()).limit(buffer.capacity());
        }
    }

    private static ConnAck connect(Socket socket, String password) throws IOException {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(MqttEncoder.encode(new Connect(V311, "reader", true, 30, "demo",
                password.getBytes(StandardCharsets.UTF_8), null, Properties.EMPTY), V311));
        return (ConnAck) read(socket.getInputStream(), MqttDecoder.forClient(V311, 4096));
    }

    @Test
    void greetsEveryClientWithARetainedMessageAndChecksPasswords() throws IOException {
        try (Broker broker = EmbeddedBrokerExample.start(0)) {
            try (Socket wrong = new Socket("127.0.0.1", broker.port())) {
                assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, connect(wrong, "nope").reasonCode());
            }
            try (Socket socket = new Socket("127.0.0.1", broker.port())) {
                assertEquals(ReasonCode.SUCCESS, connect(socket, "demo").reasonCode());
                MqttDecoder decoder = MqttDecoder.forClient(V311, 4096);
                socket.getOutputStream().write(MqttEncoder.encode(new Subscribe(1,
                        List.of(new Subscription("greetings/#", QoS.AT_MOST_ONCE)), Properties.EMPTY), V311));
                assertTrue(read(socket.getInputStream(), decoder) instanceof SubAck);
                Publish greeting = (Publish) read(socket.getInputStream(), decoder);
                assertEquals("greetings/reader", greeting.topic());
                assertTrue(greeting.retain());
                assertEquals("welcome, reader", new String(greeting.payload(), StandardCharsets.UTF_8));
            }
        }
    }
}
