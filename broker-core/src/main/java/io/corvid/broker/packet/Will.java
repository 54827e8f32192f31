package io.corvid.broker.packet;

import java.util.Arrays;
import java.util.Objects;

/**
 * The will message of a CONNECT: published by the server when the connection ends without a
 * normal DISCONNECT.
 *
 * @param topic      the will topic
 * @param payload    the will payload; callers must not modify the array
 * @param qos        the QoS to publish the will at
 * @param retain     whether the will is published as a retained message
 * @param properties the will properties (MQTT 5.0; empty otherwise)
 */
public record Will(String topic, byte[] payload, QoS qos, boolean retain, Properties properties) {
    public Will {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(properties, "properties");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Will other
                && topic.equals(other.topic)
                && Arrays.equals(payload, other.payload)
                && qos == other.qos
                && retain == other.retain
                && properties.equals(other.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, retain, properties);
    }

    @Override
    public String toString() {
        return "Will[topic=" + topic + ", payload=" + payload.length + " bytes, qos=" + qos
                + ", retain=" + retain + ", properties=" + properties + "]";
    }
}
