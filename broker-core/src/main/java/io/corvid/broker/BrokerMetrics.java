package io.corvid.broker;

import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.util.Map;

/**
 * What a running broker has done and holds now, read without HTTP: {@link Broker#metrics()}.
 * Counters only grow; gauges are read when asked. Counters are cheap to read; gauges that
 * walk every session ({@link #sessionsConnected()}, {@link #subscriptions()},
 * {@link #queuedMessages()}, {@link #inflightMessages()}) cost one pass over the sessions,
 * which is fine at a scrape interval and wrong in a loop.
 *
 * <p>Bytes are MQTT bytes: what the decoder read and the encoder wrote, after TLS and
 * WebSocket framing were taken off.
 */
public interface BrokerMetrics {

    /** When the broker started, in milliseconds since the epoch. */
    long startedAtMillis();

    // ------------------------------------------------------------ connections

    /** Network connections handed to the engine since the start. */
    long connectionsAccepted();

    /** Network connections open now, whether or not they have sent CONNECT. */
    long connectionsOpen();

    /** Clients connected now (their CONNECT was accepted). */
    long clientsConnected();

    /** The most clients connected at once since the start. */
    long clientsConnectedPeak();

    /** CONNECT packets received, accepted or refused. */
    long connectsReceived();

    /** CONNECTs answered with a refusal. */
    long connectsRefused();

    /** CONNECTs refused, by the reason code of the CONNACK (3.1.1 return codes mapped to their 5.0 codes). */
    Map<ReasonCode, Long> connectsRefusedByReason();

    /** CONNECTs refused because the credentials or the enhanced authentication failed or were not allowed. */
    long authenticationFailures();

    // ------------------------------------------------------------ sessions

    /** Sessions with a connected client. */
    long sessionsConnected();

    /** Sessions kept for a client that is not connected (persistent sessions, until they expire). */
    long sessionsOffline();

    /** Sessions removed because their expiry interval ran out while their client was away. */
    long sessionsExpired();

    /** Subscriptions of every session, shared subscriptions included. */
    long subscriptions();

    /** Retained messages stored. */
    long retainedMessages();

    // ------------------------------------------------------------ messages

    /** PUBLISH packets accepted from clients, wills and the application. */
    long messagesReceived();

    /** {@link #messagesReceived()} at one QoS (the QoS it was published with). */
    long messagesReceived(QoS qos);

    /** PUBLISH packets written to clients (resends included). */
    long messagesSent();

    /** {@link #messagesSent()} at one QoS (the QoS of the delivery). */
    long messagesSent(QoS qos);

    /** MQTT control packets of every type read from clients, CONNECT included. */
    long packetsReceived();

    /** MQTT control packets of every type written to clients, PUBLISH included. */
    long packetsSent();

    /** MQTT bytes read from clients. */
    long bytesReceived();

    /** MQTT bytes written to clients. */
    long bytesSent();

    /** Messages not delivered to a subscriber, for any reason. */
    long messagesDropped();

    /** Messages not delivered to a subscriber for {@code reason}. */
    long messagesDropped(DropReason reason);

    // ------------------------------------------------------------ queues and budget

    /** Messages waiting in sessions' queues (not yet sent). */
    long queuedMessages();

    /**
     * Bytes (message footprints) held for subscribers now: handed over or queued, not yet
     * written. Each I/O thread settles its share in steps of up to 1/256 of the budget (at most
     * 32 KiB), so a few small messages may not show yet.
     */
    long queuedBytes();

    /** The broker-wide budget for {@link #queuedBytes()}. */
    long memoryBudgetBytes();

    /** Times the memory budget for queued messages was exhausted. */
    long memoryBudgetEpisodes();

    /** QoS 1 and 2 messages sent and not yet acknowledged, over every session. */
    long inflightMessages();

    /** Times a QoS 1/2 publisher was held back at an exhausted memory budget. */
    long publisherPauses();

    // ------------------------------------------------------------ misbehaviour

    /** Connections closed because they accepted no bytes for the write stall timeout. */
    long writeStalls();

    /** Connections closed because their bytes could not be decoded. */
    long malformedPackets();

    /** Connections closed for a protocol violation other than malformed bytes. */
    long protocolErrors();

    // ------------------------------------------------------------ limits

    /**
     * Subscription filters refused because their session held {@link BrokerConfig#maxSubscriptionsPerClient()}
     * already. Default 0, for implementations that predate it.
     */
    default long subscriptionQuotaRefusals() {
        return 0;
    }

    /**
     * Topic names (each costing its client its connection) and filters refused for being over
     * {@link BrokerConfig#maxTopicLevels()} or {@link BrokerConfig#maxTopicLength()}. Default 0.
     */
    default long topicLimitRefusals() {
        return 0;
    }

    /**
     * Times a connection stopped being read because its client published faster than
     * {@link BrokerConfig#maxPublishRate()} or {@link BrokerConfig#maxPublishBytesRate()}
     * (policy {@link PublishRatePolicy#THROTTLE}), or was disconnected for it
     * ({@link PublishRatePolicy#DISCONNECT}). Default 0.
     */
    default long publishRateLimited() {
        return 0;
    }

    /**
     * Network connections the transport closed at once because {@link Broker.Builder#maxConnections}
     * or a listener's own limit was reached; they never sent CONNECT. Default 0.
     */
    default long connectionsRefusedAtLimit() {
        return 0;
    }

    /**
     * Times a listener stopped accepting for a while because new connections came faster than
     * {@link Broker.Builder#maxConnectionRate}. Default 0.
     */
    default long acceptPauses() {
        return 0;
    }

    // ------------------------------------------------------------ cluster

    /** Nodes in the cluster as this node sees them, itself included; 0 for a broker without a {@link Cluster}. */
    default long clusterMembers() {
        return 0;
    }

    /** Messages sent on to other nodes ({@link Cluster#forwardedMessages()}); 0 without a cluster. */
    default long clusterMessagesForwarded() {
        return 0;
    }

    /** Messages received from other nodes ({@link Cluster#receivedMessages()}); 0 without a cluster. */
    default long clusterMessagesReceived() {
        return 0;
    }

    /** Messages for other nodes dropped ({@link Cluster#droppedMessages()}); 0 without a cluster. */
    default long clusterMessagesDropped() {
        return 0;
    }
}
