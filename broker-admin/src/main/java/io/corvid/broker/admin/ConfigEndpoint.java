package io.corvid.broker.admin;

import io.corvid.broker.BrokerConfig;
import io.corvid.broker.Listener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/config}: the configuration in effect, secrets masked. What the embedding
 * application supplies (the launcher gives its options); without it, the broker's own
 * {@link BrokerConfig}.
 */
final class ConfigEndpoint {
    private final Supplier<? extends Map<String, ?>> configuration;

    ConfigEndpoint(Supplier<? extends Map<String, ?>> configuration) {
        this.configuration = configuration;
    }

    ApiResponse config(ApiRequest request) {
        return ApiResponse.ok(SecretMasking.mask(configuration.get()));
    }

    /** The settings of {@code config} an operator looks for, as the default configuration view. */
    static Map<String, Object> describe(BrokerConfig config) {
        Map<String, Object> view = new LinkedHashMap<>();
        List<Map<String, Object>> listeners = new ArrayList<>();
        for (Listener listener : config.listeners()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", listener.name());
            entry.put("protocol", listener.protocol().name());
            if (listener.socketPath() != null) {
                entry.put("socketPath", listener.socketPath().toString());
            } else {
                entry.put("host", listener.host());
                entry.put("port", listener.port());
            }
            listeners.add(entry);
        }
        view.put("listeners", listeners);
        view.put("maxConnections", config.maxConnections());
        view.put("maxPacketSize", config.maxPacketSize());
        view.put("maxInflight", config.maxInflight());
        view.put("receiveMaximum", config.receiveMaximum());
        view.put("maxQueuedMessages", config.maxQueuedMessages());
        view.put("maxQueuedBytes", config.maxQueuedBytes());
        view.put("queueOverflowPolicy", config.queueOverflowPolicy().name());
        view.put("memoryBudget", config.memoryBudget());
        view.put("writeStallTimeoutSeconds", config.writeStallTimeout().toSeconds());
        view.put("queueQos0WhileOffline", config.queueQos0WhileOffline());
        view.put("maxKeepAlive", config.maxKeepAlive());
        view.put("connectTimeoutSeconds", config.connectTimeout().toSeconds());
        view.put("maxSessionExpiryInterval", config.maxSessionExpiryInterval());
        view.put("topicAliasMaximum", config.topicAliasMaximum());
        view.put("maximumQos", config.maximumQos().value());
        view.put("retainAvailable", config.retainAvailable());
        view.put("wildcardSubscriptionsAvailable", config.wildcardSubscriptionsAvailable());
        view.put("subscriptionIdentifiersAvailable", config.subscriptionIdentifiersAvailable());
        view.put("sharedSubscriptionsAvailable", config.sharedSubscriptionsAvailable());
        view.put("validatePayloadFormat", config.validatePayloadFormat());
        view.put("outboundTopicAliases", config.outboundTopicAliases());
        return view;
    }
}
