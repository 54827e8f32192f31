package io.corvid.broker.examples;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.corvid.broker.Broker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The client side of the demos: MQTT 5.0 clients of the HiveMQ library, connected to a broker
 * of this JVM, and bounded waits for what they receive.
 */
final class DemoClients {
    /** How long a demo waits for a message before it gives up: far longer than a local round trip. */
    static final long WAIT_SECONDS = 5;

    private DemoClients() {
    }

    /** A client builder aimed at {@code broker}'s first listener, as bound (so port 0 works). */
    static Mqtt5ClientBuilder aimedAt(Broker broker, String clientId) {
        return MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(broker.port());
    }

    /** Subscribes to {@code filter} at QoS 1; returns the SUBACK's code, whether granted or refused. */
    static Mqtt5SubAckReasonCode subscribe(Mqtt5BlockingClient client, String filter) {
        try {
            return client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().getReasonCodes().get(0);
        } catch (Mqtt5SubAckException refused) {
            // HiveMQ throws when every filter of a SUBSCRIBE is refused; the SUBACK comes with it.
            return refused.getMqttMessage().getReasonCodes().get(0);
        }
    }

    /** Publishes at QoS 1; returns the PUBACK's code, whether the broker accepted the message or not. */
    static Mqtt5PubAckReasonCode publishAtLeastOnce(Mqtt5BlockingClient client, String topic, byte[] payload) {
        try {
            Mqtt5PublishResult result = client.publishWith().topic(topic).payload(payload)
                    .qos(MqttQos.AT_LEAST_ONCE).send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException refused) {
            // HiveMQ throws for an error code in the PUBACK; the PUBACK comes with it.
            return refused.getMqttMessage().getReasonCode();
        }
    }

    /**
     * The next message of {@code inbox}.
     *
     * @throws IllegalStateException if none arrives within {@link #WAIT_SECONDS}
     */
    static ReceivedMessage next(Mqtt5BlockingClient.Mqtt5Publishes inbox) throws InterruptedException {
        return inbox.receive(WAIT_SECONDS, TimeUnit.SECONDS).map(ReceivedMessage::of)
                .orElseThrow(() -> new IllegalStateException("no message within " + WAIT_SECONDS + " s"));
    }

    /**
     * Every message of {@code inbox} up to and including the first that {@code last} matches. A
     * demo publishes such a marker after the publications it wants to prove were not delivered,
     * and only once the broker has acknowledged them: had one been routed, it would have been
     * queued for the subscriber ahead of the marker, so it would show up here.
     */
    static List<ReceivedMessage> receiveUntil(Mqtt5BlockingClient.Mqtt5Publishes inbox,
                                              Predicate<ReceivedMessage> last) throws InterruptedException {
        List<ReceivedMessage> received = new ArrayList<>();
        ReceivedMessage message;
        do {
            message = next(inbox);
            received.add(message);
        } while (!last.test(message));
        return received;
    }
}
