package io.corvid.broker.packet;

import java.util.Objects;

/**
 * One topic filter of a SUBSCRIBE with its subscription options.
 *
 * @param topicFilter       the topic filter, possibly a shared subscription {@code $share/group/filter}
 * @param maxQos            the maximum QoS the client wants to receive
 * @param noLocal           MQTT 5.0: do not send the client its own publications
 * @param retainAsPublished MQTT 5.0: keep the RETAIN flag of forwarded messages as published
 * @param retainHandling    MQTT 5.0: when to send retained messages on subscribe
 */
public record Subscription(String topicFilter, QoS maxQos, boolean noLocal, boolean retainAsPublished,
                           RetainHandling retainHandling) {
    public Subscription {
        Objects.requireNonNull(topicFilter, "topicFilter");
        Objects.requireNonNull(maxQos, "maxQos");
        Objects.requireNonNull(retainHandling, "retainHandling");
    }

    /** A subscription with default MQTT 5.0 options (the only ones MQTT 3.1.1 has). */
    public Subscription(String topicFilter, QoS maxQos) {
        this(topicFilter, maxQos, false, false, RetainHandling.SEND_ON_SUBSCRIBE);
    }
}
