package io.corvid.broker.session;

import io.corvid.broker.packet.Subscription;

/**
 * One subscription of a session as the subscription trie stores it.
 *
 * @param subscription           the filter and its options, as the client sent them
 * @param subscriptionIdentifier the MQTT 5.0 subscription identifier, or 0 for none
 */
public record SubscriptionRecord(Subscription subscription, int subscriptionIdentifier) {
}
