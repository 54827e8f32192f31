package io.corvid.broker.engine;

import io.corvid.broker.BrokerConfig;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import io.corvid.broker.session.Delivery;
import io.corvid.broker.session.Session;
import io.corvid.broker.session.SubscriptionRecord;
import io.corvid.broker.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SUBSCRIBE and UNSUBSCRIBE. Runs in the session's executor. */
final class SubscriptionProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionProcessor.class);

    private final ProtocolHandler handler;

    SubscriptionProcessor(ProtocolHandler handler) {
        this.handler = handler;
    }

    /**
     * @param accepted false when an interceptor rejected the packet: every filter is refused
     */
    void onSubscribe(Subscribe subscribe, boolean accepted) {
        BrokerConfig config = handler.engine.config();
        boolean v5 = handler.version.isV5();
        int identifier = subscribe.properties().getInt(Property.SUBSCRIPTION_IDENTIFIER, 0);
        if (identifier != 0 && !config.subscriptionIdentifiersAvailable()) {
            handler.engine.metrics().protocolErrors.increment();
            handler.disconnect(ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED, "subscription identifiers are not supported");
            return;
        }
        List<Subscription> requested = subscribe.subscriptions();
        ReasonCode[] codes = new ReasonCode[requested.size()];
        List<CompletableFuture<Boolean>> checks = new ArrayList<>(requested.size());
        for (int i = 0; i < codes.length; i++) {
            Subscription subscription = requested.get(i);
            String filter = subscription.topicFilter();
            if (!accepted) {
                codes[i] = ReasonCode.NOT_AUTHORIZED;
            } else if (!Topics.isValidTopicFilter(filter)) {
                codes[i] = ReasonCode.TOPIC_FILTER_INVALID;
            } else if (overTopicLimits(filter)) {
                codes[i] = ReasonCode.TOPIC_FILTER_INVALID;
            } else if (Topics.isShared(filter) && (!v5 || !config.sharedSubscriptionsAvailable())) {
                codes[i] = ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
            } else if (Topics.isShared(filter) && subscription.noLocal()) {
                handler.engine.metrics().protocolErrors.increment();
                handler.disconnect(ReasonCode.PROTOCOL_ERROR, "No Local on a shared subscription");
                return;
            } else if (!config.wildcardSubscriptionsAvailable() && Topics.isWildcardFilter(filter)) {
                codes[i] = ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED;
            }
            checks.add(codes[i] != null ? CompletableFuture.completedFuture(Boolean.FALSE)
                    : AsyncDecisions.guarded(AsyncDecisions.call(() -> handler.engine.authorization()
                    .canSubscribeAsync(handler.client, filter, subscription.maxQos())), Boolean.FALSE, config.pluginTimeout(),
                    () -> "subscribe authorization of " + filter + " for " + handler.describe()));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(checks.toArray(new CompletableFuture<?>[0]));
        handler.await(all.thenApply(done -> Boolean.TRUE), Boolean.TRUE, "subscribe authorization",
                handler.session.executor(), done -> complete(subscribe, identifier, codes, checks));
    }

    private void complete(Subscribe subscribe, int identifier, ReasonCode[] codes, List<CompletableFuture<Boolean>> checks) {
        BrokerConfig config = handler.engine.config();
        long storeMark = handler.storeMark();
        Session session = handler.session;
        List<Subscription> requested = subscribe.subscriptions();
        List<Subscription> retainedFor = new ArrayList<>(codes.length);
        List<QoS> retainedQos = new ArrayList<>(codes.length);
        for (int i = 0; i < codes.length; i++) {
            Subscription subscription = requested.get(i);
            if (codes[i] == null) {
                boolean allowed = checks.get(i).getNow(Boolean.FALSE);
                if (!allowed) {
                    codes[i] = ReasonCode.NOT_AUTHORIZED;
                    LOG.debug("{} may not subscribe to {}", handler.describe(), subscription.topicFilter());
                } else if (!session.hasSubscription(subscription.topicFilter())
                        && session.subscriptionCount() >= config.maxSubscriptionsPerClient()) {
                    // A filter the session holds already is replaced, which takes no more room.
                    codes[i] = ReasonCode.QUOTA_EXCEEDED;
                    handler.engine.metrics().subscriptionQuotaRefusals.increment();
                    LOG.debug("{} holds {} subscriptions: {} refused", handler.describe(),
                            session.subscriptionCount(), subscription.topicFilter());
                } else {
                    QoS granted = QoS.min(subscription.maxQos(), config.maximumQos());
                    Subscription stored = granted == subscription.maxQos() ? subscription
                            : new Subscription(subscription.topicFilter(), granted, subscription.noLocal(),
                            subscription.retainAsPublished(), subscription.retainHandling());
                    boolean existed = handler.engine.subscribe(session, new SubscriptionRecord(stored, identifier));
                    codes[i] = ReasonCode.granted(granted);
                    boolean sendRetained = switch (subscription.retainHandling()) {
                        case SEND_ON_SUBSCRIBE -> true;
                        case SEND_IF_NEW_SUBSCRIPTION -> !existed;
                        case DO_NOT_SEND -> false;
                    };
                    if (sendRetained && !Topics.isShared(subscription.topicFilter())) {
                        retainedFor.add(stored);
                        retainedQos.add(granted);
                    }
                }
            }
            handler.engine.events().subscribed(handler.client, subscription, codes[i]);
        }
        List<ReasonCode> results = List.of(codes);
        int[] identifiers = identifier == 0 ? Delivery.NO_IDENTIFIERS : new int[] {identifier};
        // Retained messages follow the SUBACK, also when it waits for the store.
        handler.writeAck(handler.withinClientLimit(new SubAck(subscribe.packetId(), results, failureReason(results)),
                new SubAck(subscribe.packetId(), results, Properties.EMPTY)), storeMark, () -> {
                    for (int i = 0; i < retainedFor.size(); i++) {
                        QoS granted = retainedQos.get(i);
                        handler.engine.forEachRetained(retainedFor.get(i).topicFilter(), message -> session.deliverRetained(
                                new Delivery(message, QoS.min(message.qos(), granted), true, identifiers)));
                    }
                    if (!retainedFor.isEmpty()) {
                        session.pump();
                    }
                });
    }

    /** Whether {@code filter} has more levels or bytes than the broker allows; counts and logs it if so. */
    private boolean overTopicLimits(String filter) {
        String violation = handler.engine.topicLimits().violation(filter);
        if (violation == null) {
            return false;
        }
        handler.engine.metrics().topicLimitRefusals.increment();
        LOG.debug("{} sent a filter refused as a {}", handler.describe(), violation);
        return true;
    }

    /**
     * A reason string naming the filters that failed and why, for MQTT 5.0 clients that want
     * problem information; empty when everything succeeded.
     */
    private Properties failureReason(List<ReasonCode> results) {
        if (!handler.version.isV5()) {
            return Properties.EMPTY;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < results.size(); i++) {
            ReasonCode code = results.get(i);
            if (code.isError()) {
                text.append(text.length() == 0 ? "" : "; ").append("filter ").append(i + 1).append(": ")
                        .append(code.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
            }
        }
        return text.length() == 0 ? Properties.EMPTY : handler.problemProperties(text.toString());
    }

    /**
     * @param accepted false when an interceptor rejected the packet: nothing is removed
     */
    void onUnsubscribe(Unsubscribe unsubscribe, boolean accepted) {
        long storeMark = handler.storeMark();
        List<String> filters = unsubscribe.topicFilters();
        List<ReasonCode> codes = new ArrayList<>(filters.size());
        for (String filter : filters) {
            if (!accepted) {
                codes.add(ReasonCode.NOT_AUTHORIZED);
            } else if (!Topics.isValidTopicFilter(filter) || overTopicLimits(filter)) {
                codes.add(ReasonCode.TOPIC_FILTER_INVALID);
            } else if (handler.engine.unsubscribe(handler.session, filter)) {
                codes.add(ReasonCode.SUCCESS);
                handler.engine.events().unsubscribed(handler.client, filter);
            } else {
                codes.add(ReasonCode.NO_SUBSCRIPTION_EXISTED);
            }
        }
        if (handler.version.isV5()) {
            handler.writeAck(handler.withinClientLimit(new UnsubAck(unsubscribe.packetId(), codes, failureReason(codes)),
                    new UnsubAck(unsubscribe.packetId(), codes, Properties.EMPTY)), storeMark);
        } else {
            handler.writeAck(new UnsubAck(unsubscribe.packetId(), List.of(), Properties.EMPTY), storeMark);
        }
    }
}
