package io.corvid.broker.examples;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;

/**
 * A message as a demo client received it, reduced to what the examples look at.
 *
 * @param topic       the topic it was published to
 * @param text        the payload as UTF-8 text
 * @param retained    whether it came from the broker's retained store
 * @param contentType the MQTT 5.0 content type, or {@code null} when the publisher set none
 */
public record ReceivedMessage(String topic, String text, boolean retained, String contentType) {

    static ReceivedMessage of(Mqtt5Publish publish) {
        return new ReceivedMessage(publish.getTopic().toString(),
                new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8), publish.isRetain(),
                publish.getContentType().map(Object::toString).orElse(null));
    }
}
