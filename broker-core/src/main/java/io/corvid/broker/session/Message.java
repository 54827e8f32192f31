package io.corvid.broker.session;

import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.util.Objects;

/**
 * An application message as the broker routes and stores it: what was published, by whom,
 * and when it expires. Immutable and shared by every subscriber it goes to; the payload array
 * is never copied.
 */
public final class Message {
    /** {@link #expiresAtMillis()} of a message that never expires. */
    public static final long NEVER = Long.MAX_VALUE;
    /**
     * What a queued delivery costs besides its payload and topic: this object, the payload
     * array's and the topic's headers, the delivery record, the hand-off task and a queue slot.
     */
    static final int FIXED_OVERHEAD = 160;
    /** A rough allowance for MQTT 5.0 properties, which most messages do not carry. */
    static final int PROPERTIES_ALLOWANCE = 128;

    private final String topic;
    private final byte[] payload;
    private final QoS qos;
    private final boolean retain;
    private final Properties properties;
    private final String publisherId;
    private final long expiresAtMillis;
    private final int footprint;
    /** The QoS 0 PUBLISH shared by subscribers, made on first use (a race makes two, which is harmless). */
    private Publish sharedAtMostOnce;
    private Publish sharedAtMostOnceRetained;
    /** When the broker accepted it, for the publish-to-deliver latency; 0 when not timed. */
    private long timedFromNanos;

    /**
     * @param topic           the topic name
     * @param payload         the payload, shared, never modified
     * @param qos             the QoS it was published with
     * @param retain          the RETAIN flag it was published with
     * @param properties      its MQTT 5.0 properties, without Topic Alias, Subscription
     *                        Identifier and Message Expiry Interval (the broker sets those per
     *                        delivery)
     * @param publisherId     the publishing client, or {@code null} when the application published it
     * @param expiresAtMillis wall-clock expiry, or {@link #NEVER}
     */
    public Message(String topic, byte[] payload, QoS qos, boolean retain, Properties properties,
                   String publisherId, long expiresAtMillis) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.payload = Objects.requireNonNull(payload, "payload");
        this.qos = Objects.requireNonNull(qos, "qos");
        this.retain = retain;
        this.properties = Objects.requireNonNull(properties, "properties");
        this.publisherId = publisherId;
        this.expiresAtMillis = expiresAtMillis;
        this.footprint = FIXED_OVERHEAD + payload.length + topic.length()
                + (properties.isEmpty() ? 0 : PROPERTIES_ALLOWANCE);
    }

    /** Strips the per-hop properties from a received PUBLISH's properties. */
    public static Properties forwardableProperties(Properties received) {
        if (received.isEmpty()) {
            return received;
        }
        return received.without(Property.TOPIC_ALIAS)
                .without(Property.SUBSCRIPTION_IDENTIFIER)
                .without(Property.MESSAGE_EXPIRY_INTERVAL);
    }

    public String topic() {
        return topic;
    }

    public byte[] payload() {
        return payload;
    }

    public QoS qos() {
        return qos;
    }

    public boolean retain() {
        return retain;
    }

    public Properties properties() {
        return properties;
    }

    public String publisherId() {
        return publisherId;
    }

    public long expiresAtMillis() {
        return expiresAtMillis;
    }

    /**
     * The QoS 0 PUBLISH of this message with the given RETAIN flag and no per-subscriber
     * properties, one instance for every subscriber, so that a transport can recognise it and
     * send the same encoded bytes to all of them. Thread safe.
     */
    public Publish sharedAtMostOnce(boolean retainFlag) {
        Publish shared = retainFlag ? sharedAtMostOnceRetained : sharedAtMostOnce;
        if (shared == null) {
            shared = new Publish(topic, QoS.AT_MOST_ONCE, retainFlag, false, 0, payload, properties);
            if (retainFlag) {
                sharedAtMostOnceRetained = shared;
            } else {
                sharedAtMostOnce = shared;
            }
        }
        return shared;
    }

    /**
     * The bytes of heap one queued delivery of this message is counted as, against a session's
     * byte limit and the broker's memory budget: payload, topic and an estimate of the objects
     * around them. A message queued for several subscribers counts once for each, which
     * over-states what a fan-out backlog holds (the payload is shared) but never under-states it.
     */
    public int footprint() {
        return footprint;
    }

    /**
     * Marks the message as timed from {@code nanos} (a {@link System#nanoTime()} reading).
     * Call before the message is handed to any other thread.
     */
    public void timeFrom(long nanos) {
        this.timedFromNanos = nanos == 0 ? 1 : nanos;
    }

    /** When timing started (see {@link #timeFrom}), or 0 when the message is not timed. */
    public long timedFromNanos() {
        return timedFromNanos;
    }

    /** Whether the message has expired at {@code nowMillis}. */
    public boolean isExpired(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }

    /** A copy with another RETAIN flag (retained-store copies keep the original's identity otherwise). */
    public Message withRetain(boolean newRetain) {
        return newRetain == retain ? this
                : new Message(topic, payload, qos, newRetain, properties, publisherId, expiresAtMillis);
    }

    /**
     * The whole seconds of life left, rounded up, for the Message Expiry Interval sent on, or
     * -1 when the message never expires.
     */
    public long remainingSeconds(long nowMillis) {
        if (expiresAtMillis == NEVER) {
            return -1;
        }
        long left = expiresAtMillis - nowMillis;
        return left <= 0 ? 0 : (left + 999) / 1000;
    }

    @Override
    public String toString() {
        return "Message[" + topic + ", qos=" + qos.value() + ", retain=" + retain + ", " + payload.length + " bytes]";
    }
}
