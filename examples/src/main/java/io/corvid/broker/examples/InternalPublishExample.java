package io.corvid.broker.examples;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.corvid.broker.Broker;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application itself publishes, with no client and no network in between: a retained
 * status before anyone is connected, then a live JSON message with an MQTT 5.0 content type
 * once a client has subscribed. The client receives both. Runs once and exits.
 *
 * <p>Run: {@code InternalPublishExample [port]} (default 1883).
 */
public final class InternalPublishExample {
    private static final Logger LOG = LoggerFactory.getLogger(InternalPublishExample.class);

    private InternalPublishExample() {
    }

    /** Publishes the service's status, retained so that clients that subscribe later still learn it. */
    public static void announceStatus(Broker broker, String status) {
        broker.publish("inventory/status", status.getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, true);
    }

    /**
     * Publishes a change as JSON, marked as such for MQTT 5.0 subscribers.
     *
     * @return how many sessions the message was handed to
     */
    public static int publishChange(Broker broker, String json) {
        Properties properties = Properties.builder().put(Property.CONTENT_TYPE, "application/json").build();
        // The packet identifier (0) and DUP flag (false) are the broker's business; it ignores them here.
        return broker.publish(new Publish("inventory/changes", QoS.AT_LEAST_ONCE, false, false, 0,
                json.getBytes(StandardCharsets.UTF_8), properties));
    }

    /**
     * What happened in the demo.
     *
     * @param received  what the client received, in order
     * @param handedTo  how many sessions the live message was handed to
     */
    public record Outcome(List<ReceivedMessage> received, int handedTo) {
    }

    /** Runs the demo on {@code port} (0 picks a free one) and stops the broker. */
    public static Outcome run(int port) throws InterruptedException {
        try (Broker broker = new Broker.Builder().host("127.0.0.1").port(port).build().start()) {
            announceStatus(broker, "online");
            Mqtt5BlockingClient client = DemoClients.aimedAt(broker, "dashboard").buildBlocking();
            client.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes inbox = client.publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
                DemoClients.subscribe(client, "inventory/#");
                // The SUBACK has come back, so the subscription is in place: the message has a taker.
                int handedTo = publishChange(broker, "{\"item\":\"widget\",\"stock\":41}");
                Outcome outcome = new Outcome(List.of(DemoClients.next(inbox), DemoClients.next(inbox)), handedTo);
                LOG.info("Handed to {} session(s); the client received {}", handedTo, outcome.received());
                return outcome;
            } finally {
                client.disconnect();
            }
        }
    }

    public static void main(String[] args) throws InterruptedException {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 1883);
    }
}
