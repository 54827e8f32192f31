package io.corvid.broker;

import io.corvid.broker.packet.QoS;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides what a connected client may publish and subscribe to. Both checks allow everything
 * unless overridden.
 *
 * <p>Publish checks also cover the will message, at CONNECT: a client whose will topic is
 * refused is refused as a whole (0x87 Not Authorized, 3.1.1 return code 5) and its will is
 * never published.
 *
 * <p>The synchronous methods run on network threads and must not block. A plug-in that asks a
 * slow backend overrides the {@code ...Async} methods; the broker keeps the client's packets in
 * order while it waits. A stage that does not complete within the plug-in timeout, or
 * completes exceptionally, counts as a refusal.
 *
 * <p>A refused PUBLISH is not delivered; MQTT 5.0 clients get 0x87 in the PUBACK or PUBREC,
 * MQTT 3.1.1 clients a normal acknowledgement, as 3.1.1 requires (section 3.3.5). A refused
 * subscription gets 0x87 (3.1.1: 0x80) for that filter in the SUBACK.
 */
public interface Authorization {

    /** May {@code client} publish to {@code topic}? Must not block. */
    default boolean canPublish(ClientInfo client, String topic, QoS qos, boolean retain) {
        return true;
    }

    /** May {@code client} subscribe to {@code topicFilter}? Must not block. */
    default boolean canSubscribe(ClientInfo client, String topicFilter, QoS qos) {
        return true;
    }

    /** The broker calls this one; the default answers with {@link #canPublish}. */
    default CompletionStage<Boolean> canPublishAsync(ClientInfo client, String topic, QoS qos, boolean retain) {
        return CompletableFuture.completedFuture(canPublish(client, topic, qos, retain));
    }

    /** The broker calls this one; the default answers with {@link #canSubscribe}. */
    default CompletionStage<Boolean> canSubscribeAsync(ClientInfo client, String topicFilter, QoS qos) {
        return CompletableFuture.completedFuture(canSubscribe(client, topicFilter, qos));
    }

    /** Allows everything: the broker's default. */
    static Authorization allowAll() {
        return new Authorization() {
        };
    }
}
