package io.corvid.broker;

import io.corvid.broker.packet.Subscription;
import java.util.List;

/**
 * A snapshot of one session, for the embedding application.
 *
 * @param clientId              the session's client identifier
 * @param connected             whether a client is connected to it now
 * @param subscriptions         its subscriptions
 * @param queuedMessages        messages waiting to be sent
 * @param inflightMessages      QoS 1/2 messages sent and not yet acknowledged
 * @param expiryIntervalSeconds seconds the session outlives its connection; -1 for never
 */
public record SessionInfo(String clientId, boolean connected, List<Subscription> subscriptions,
                          int queuedMessages, int inflightMessages, long expiryIntervalSeconds) {
    public SessionInfo {
        subscriptions = List.copyOf(subscriptions);
    }
}
