package io.corvid.broker.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.corvid.broker.Broker;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smallest useful program: a broker inside the application, and an MQTT client that
 * subscribes, publishes and receives its own message through it. Runs once and exits.
 *
 * <p>Run: {@code QuickStart [port]} (default 1883).
 */
public final class QuickStart {
    private static final Logger LOG = LoggerFactory.getLogger(QuickStart.class);

    private QuickStart() {
    }

    /**
     * Starts a broker on {@code port} (0 picks a free one), sends "hello" through it, and stops it.
     *
     * @return the message the client received
     * @throws IllegalStateException if the message does not come back within a few seconds
     */
    public static ReceivedMessage run(int port) throws InterruptedException {
        try (Broker broker = new Broker.Builder().host("127.0.0.1").port(port).build().start()) {
            Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("quick-start")
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
            client.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes inbox = client.publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
                client.subscribeWith().topicFilter("greetings/#").send();
                client.publishWith().topic("greetings/world").payload("hello".getBytes(UTF_8)).send();
                Mqtt5Publish received = inbox.receive(5, TimeUnit.SECONDS)
                        .orElseThrow(() -> new IllegalStateException("no message within 5 s"));
                LOG.info("Received '{}' on {}", new String(received.getPayloadAsBytes(), UTF_8), received.getTopic());
                return ReceivedMessage.of(received);
            } finally {
                client.disconnect();
            }
        }
    }

    public static void main(String[] args) throws InterruptedException {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 1883);
    }
}
