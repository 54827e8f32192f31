package io.corvid.broker;

import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Subscription;

/**
 * Receives the broker's lifecycle events. Every method does nothing by default; override what
 * you need. Calls come from network and broker threads, possibly concurrently: implementations
 * must be thread safe, quick, and must not block. An exception thrown by a listener is logged
 * and otherwise ignored.
 *
 * <p>For every {@link #onClientConnected} there is exactly one {@link #onClientDisconnected},
 * whatever ended the connection.
 */
public interface BrokerListener {

    /** A client completed CONNECT and received a successful CONNACK. */
    default void onClientConnected(ClientInfo client, boolean sessionPresent) {
    }

    /** A client's connection that had completed CONNECT ended. */
    default void onClientDisconnected(ClientInfo client, DisconnectReason reason) {
    }

    /** A CONNECT was refused with the given reason code (the client never connected). */
    default void onConnectionRefused(ClientInfo client, ReasonCode reasonCode) {
    }

    /** A subscription was made (or refused: {@code result} is then an error code). */
    default void onSubscribed(ClientInfo client, Subscription subscription, ReasonCode result) {
    }

    /** A subscription was removed at the client's request. */
    default void onUnsubscribed(ClientInfo client, String topicFilter) {
    }

    /**
     * A message was accepted for routing.
     *
     * @param publisher the client that sent it, or {@code null} when the application published it
     * @param message   the message as published (QoS and retain flag as sent)
     */
    default void onMessagePublished(ClientInfo publisher, Publish message) {
    }

    /** A message was not delivered to a client. */
    default void onMessageDropped(String clientId, Publish message, DropReason reason) {
    }

    /** A client's session ended: clean disconnect, expiry, clean start or removal. */
    default void onSessionEnded(String clientId) {
    }
}
