package io.corvid.broker;

import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import java.util.Objects;

/**
 * An application message as it crosses from one broker node to another (see {@link Cluster}):
 * what was published, by whom, and how long it has left to live. Immutable; the payload array
 * is shared, never copied, and must not be modified.
 *
 * <p>Expiry travels as the seconds left rather than as a wall-clock instant, so that nodes whose
 * clocks disagree still expire a message after the interval its publisher asked for (give or
 * take the time it spent between nodes).
 */
public final class ClusterMessage {
    /** {@link #expirySeconds()} of a message that never expires. */
    public static final long NEVER_EXPIRES = -1;

    private final String topic;
    private final byte[] payload;
    private final QoS qos;
    private final boolean retain;
    private final Properties properties;
    private final String publisherId;
    private final long expirySeconds;

    /**
     * @param topic         the topic name
     * @param payload       the payload, shared, never modified
     * @param qos           the QoS it was published with
     * @param retain        the RETAIN flag it was published with
     * @param properties    its forwardable MQTT 5.0 properties: none of Topic Alias, Subscription
     *                      Identifier and Message Expiry Interval, which are set per hop or per
     *                      delivery (expiry travels in {@code expirySeconds})
     * @param publisherId   the publishing client's identifier, for No Local, or {@code null} when
     *                      the application published it
     * @param expirySeconds whole seconds of life left, or {@link #NEVER_EXPIRES}
     */
    public ClusterMessage(String topic, byte[] payload, QoS qos, boolean retain, Properties properties,
                          String publisherId, long expirySeconds) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.payload = Objects.requireNonNull(payload, "payload");
        this.qos = Objects.requireNonNull(qos, "qos");
        this.retain = retain;
        this.properties = Objects.requireNonNull(properties, "properties");
        this.publisherId = publisherId;
        if (expirySeconds < NEVER_EXPIRES || expirySeconds > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("expirySeconds must be -1 (never) or 0..4294967295: " + expirySeconds);
        }
        this.expirySeconds = expirySeconds;
    }

    /** The topic name. */
    public String topic() {
        return topic;
    }

    /** The payload; shared, do not modify. */
    public byte[] payload() {
        return payload;
    }

    /** The QoS it was published with. */
    public QoS qos() {
        return qos;
    }

    /** The RETAIN flag it was published with. */
    public boolean retain() {
        return retain;
    }

    /** Its forwardable MQTT 5.0 properties (user properties, content type, response topic ...). */
    public Properties properties() {
        return properties;
    }

    /** The publishing client, or {@code null} when the application published it. */
    public String publisherId() {
        return publisherId;
    }

    /** Whole seconds of life left, or {@link #NEVER_EXPIRES}. */
    public long expirySeconds() {
        return expirySeconds;
    }

    @Override
    public String toString() {
        return "ClusterMessage[" + topic + ", qos=" + qos.value() + ", retain=" + retain + ", " + payload.length
                + " bytes]";
    }
}
