package io.corvid.broker.session;

import io.corvid.broker.packet.QoS;
import io.corvid.broker.topic.SharedGroup;

/**
 * One message on its way to one session: the message, the QoS it is delivered at (the lower
 * of published and subscribed), the RETAIN flag to send, and the subscription identifiers of
 * the subscriptions it matched.
 *
 * @param message                 the shared message
 * @param qos                     the delivery QoS
 * @param retain                  the RETAIN flag for this subscriber
 * @param subscriptionIdentifiers identifiers to send, or an empty array
 * @param sequence                the message's place in a persistent session's store, 0 when not stored
 * @param sharedGroup             the shared subscription group it came through, or {@code null};
 *                                such a message may be handed to another member of the group
 */
public record Delivery(Message message, QoS qos, boolean retain, int[] subscriptionIdentifiers, long sequence,
                       SharedGroup<Session, SubscriptionRecord> sharedGroup) {
    /** The shared empty identifier list. */
    public static final int[] NO_IDENTIFIERS = new int[0];

    /** A delivery through an ordinary subscription, not (yet) stored. */
    public Delivery(Message message, QoS qos, boolean retain, int[] subscriptionIdentifiers) {
        this(message, qos, retain, subscriptionIdentifiers, 0, null);
    }

    /** The same delivery with its store sequence number. */
    Delivery withSequence(long newSequence) {
        return new Delivery(message, qos, retain, subscriptionIdentifiers, newSequence, sharedGroup);
    }
}
