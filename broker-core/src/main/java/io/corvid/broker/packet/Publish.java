package io.corvid.broker.packet;

import java.util.Arrays;
import java.util.Objects;

/**
 * PUBLISH: an application message travelling in either direction.
 *
 * <p>The payload array is shared, never copied, as the message fans out to subscribers:
 * nobody may modify it after construction.
 *
 * @param topic      the topic name; empty only in MQTT 5.0 when a topic alias stands for it
 * @param qos        the quality of service
 * @param retain     the RETAIN flag
 * @param dup        the DUP flag: this is a redelivery
 * @param packetId   the packet identifier, 0 for QoS 0 and 1..65,535 otherwise
 * @param payload    the application payload
 * @param properties PUBLISH properties (MQTT 5.0)
 */
public record Publish(String topic, QoS qos, boolean retain, boolean dup, int packetId,
                      byte[] payload, Properties properties) implements MqttPacket {
    public Publish {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(properties, "properties");
        if (qos == QoS.AT_MOST_ONCE) {
            if (packetId != 0) {
                throw new IllegalArgumentException("a QoS 0 PUBLISH carries no packet identifier");
            }
        } else if (packetId != 0) {
            // 0 is allowed here while a message is queued and has no identifier yet; the
            // encoder refuses to write a QoS 1/2 PUBLISH without one.
            PacketIds.requireValid(packetId);
        }
    }

    /** A QoS 0 publish with no properties. */
    public static Publish atMostOnce(String topic, byte[] payload, boolean retain) {
        return new Publish(topic, QoS.AT_MOST_ONCE, retain, false, 0, payload, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBLISH;
    }

    /** A copy with another packet identifier. */
    public Publish withPacketId(int newPacketId) {
        return new Publish(topic, qos, retain, dup, newPacketId, payload, properties);
    }

    /** A copy with the DUP flag set or cleared. */
    public Publish withDup(boolean newDup) {
        return newDup == dup ? this : new Publish(topic, qos, retain, newDup, packetId, payload, properties);
    }

    /** A copy with another RETAIN flag. */
    public Publish withRetain(boolean newRetain) {
        return newRetain == retain ? this : new Publish(topic, qos, newRetain, dup, packetId, payload, properties);
    }

    /** A copy with another QoS; the packet identifier is cleared when the QoS becomes 0. */
    public Publish withQos(QoS newQos) {
        if (newQos == qos) {
            return this;
        }
        return new Publish(topic, newQos, retain, dup && newQos != QoS.AT_MOST_ONCE,
                newQos == QoS.AT_MOST_ONCE ? 0 : packetId, payload, properties);
    }

    /** A copy with another topic. */
    public Publish withTopic(String newTopic) {
        return new Publish(newTopic, qos, retain, dup, packetId, payload, properties);
    }

    /** A copy with other properties. */
    public Publish withProperties(Properties newProperties) {
        return newProperties == properties ? this
                : new Publish(topic, qos, retain, dup, packetId, payload, newProperties);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Publish other
                && topic.equals(other.topic)
                && qos == other.qos
                && retain == other.retain
                && dup == other.dup
                && packetId == other.packetId
                && Arrays.equals(payload, other.payload)
                && properties.equals(other.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, qos, retain, dup, packetId, Arrays.hashCode(payload), properties);
    }

    @Override
    public String toString() {
        return "Publish[topic=" + topic + ", qos=" + qos.value() + ", retain=" + retain + ", dup=" + dup
                + ", packetId=" + packetId + ", payload=" + payload.length + " bytes, properties="
                + properties + "]";
    }
}
