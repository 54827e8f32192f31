package io.corvid.broker.examples;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.corvid.broker.Broker;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.PacketInterceptor;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Publish;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker for a text chat that turns away any PUBLISH whose payload is not UTF-8 text, before
 * it is routed: a client publishes "hello", two bytes that are no UTF-8 (refused, PUBACK
 * 0x87) and "bye"; the subscriber receives "hello" and "bye". Runs once and exits.
 *
 * <p>Run: {@code PacketInterceptorExample [port]} (default 1883).
 */
public final class PacketInterceptorExample {
    private static final Logger LOG = LoggerFactory.getLogger(PacketInterceptorExample.class);

    private PacketInterceptorExample() {
    }

    /** Rejects every PUBLISH whose payload is not well-formed UTF-8, and logs it; accepts all else. */
    public static final class TextOnly implements PacketInterceptor {
        @Override
        public Decision intercept(ClientInfo client, MqttPacket packet) {
            if (packet instanceof Publish publish && !isUtf8(publish.payload())) {
                LOG.warn("Rejected a PUBLISH of {} bytes from {} to {}: not UTF-8 text",
                        publish.payload().length, client.clientId(), publish.topic());
                return Decision.REJECT;
            }
            return Decision.ACCEPT;
        }

        private static boolean isUtf8(byte[] payload) {
            try {
                // A new decoder each time: decoders are not thread safe, and interceptors run on
                // every network thread at once. Its default action on malformed input is to throw.
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload));
                return true;
            } catch (CharacterCodingException e) {
                return false;
            }
        }
    }

    /** Starts a broker on 127.0.0.1:{@code port} (0 picks a free port) that takes text only. */
    public static Broker start(int port) {
        return new Broker.Builder()
                .host("127.0.0.1").port(port)
                .interceptor(new TextOnly())
                .build()
                .start();
    }

    /**
     * What happened in the demo.
     *
     * @param received what the subscriber received, in order
     * @param binary   the PUBACK code for the payload that is no text
     */
    public record Outcome(List<ReceivedMessage> received, Mqtt5PubAckReasonCode binary) {
    }

    /** Runs the demo on {@code port} (0 picks a free one) and stops the broker. */
    public static Outcome run(int port) throws InterruptedException {
        try (Broker broker = start(port)) {
            Mqtt5BlockingClient reader = DemoClients.aimedAt(broker, "reader").buildBlocking();
            Mqtt5BlockingClient writer = DemoClients.aimedAt(broker, "writer").buildBlocking();
            reader.connect();
            writer.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes inbox = reader.publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
                DemoClients.subscribe(reader, "chat/#");
                DemoClients.publishAtLeastOnce(writer, "chat/lobby", "hello".getBytes(StandardCharsets.UTF_8));
                // 0xC3 starts a two-byte sequence; 0x28 cannot continue it.
                Mqtt5PubAckReasonCode binary = DemoClients.publishAtLeastOnce(writer, "chat/lobby",
                        new byte[] {(byte) 0xC3, 0x28});
                DemoClients.publishAtLeastOnce(writer, "chat/lobby", "bye".getBytes(StandardCharsets.UTF_8));
                Outcome outcome = new Outcome(
                        DemoClients.receiveUntil(inbox, message -> message.text().equals("bye")), binary);
                LOG.info("The binary payload got {}; the reader received {}", binary, outcome.received());
                return outcome;
            } finally {
                reader.disconnect();
                writer.disconnect();
            }
        }
    }

    public static void main(String[] args) throws InterruptedException {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 1883);
    }
}
