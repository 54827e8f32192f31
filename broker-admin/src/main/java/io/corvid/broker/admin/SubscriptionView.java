package io.corvid.broker.admin;

import io.corvid.broker.packet.Subscription;
import java.util.List;

/**
 * A subscription as JSON shows it.
 *
 * @param topicFilter       the filter, possibly {@code $share/group/filter}
 * @param qos               the maximum QoS granted
 * @param noLocal           MQTT 5.0 No Local
 * @param retainAsPublished MQTT 5.0 Retain As Published
 * @param retainHandling    MQTT 5.0 Retain Handling
 */
record SubscriptionView(String topicFilter, int qos, boolean noLocal, boolean retainAsPublished,
                        String retainHandling) {
    static SubscriptionView of(Subscription subscription) {
        return new SubscriptionView(subscription.topicFilter(), subscription.maxQos().value(), subscription.noLocal(),
                subscription.retainAsPublished(), subscription.retainHandling().name());
    }

    static List<SubscriptionView> of(List<Subscription> subscriptions) {
        return subscriptions.stream().map(SubscriptionView::of).toList();
    }
}
