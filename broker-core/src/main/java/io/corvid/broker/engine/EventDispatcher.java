package io.corvid.broker.engine;

import io.corvid.broker.BrokerListener;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.DropReason;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Subscription;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls every registered {@link BrokerListener}, shielding the broker from their exceptions.
 * With no listener registered each call costs a single emptiness check.
 */
public final class EventDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

    private final List<BrokerListener> listeners;

    public EventDispatcher(List<BrokerListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Whether anybody listens: callers skip building event arguments when nobody does. */
    public boolean isEmpty() {
        return listeners.isEmpty();
    }

    void clientConnected(ClientInfo client, boolean sessionPresent) {
        fire(listener -> listener.onClientConnected(client, sessionPresent));
    }

    void clientDisconnected(ClientInfo client, DisconnectReason reason) {
        fire(listener -> listener.onClientDisconnected(client, reason));
    }

    void connectionRefused(ClientInfo client, ReasonCode reasonCode) {
        fire(listener -> listener.onConnectionRefused(client, reasonCode));
    }

    void subscribed(ClientInfo client, Subscription subscription, ReasonCode result) {
        fire(listener -> listener.onSubscribed(client, subscription, result));
    }

    void unsubscribed(ClientInfo client, String topicFilter) {
        fire(listener -> listener.onUnsubscribed(client, topicFilter));
    }

    void messagePublished(ClientInfo publisher, Publish message) {
        fire(listener -> listener.onMessagePublished(publisher, message));
    }

    void messageDropped(String clientId, Publish message, DropReason reason) {
        fire(listener -> listener.onMessageDropped(clientId, message, reason));
    }

    void sessionEnded(String clientId) {
        fire(listener -> listener.onSessionEnded(clientId));
    }

    private void fire(Consumer<BrokerListener> call) {
        for (int i = 0; i < listeners.size(); i++) {
            BrokerListener listener = listeners.get(i);
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("Broker listener {} failed; the broker carries on", listener, e);
            }
        }
    }
}
