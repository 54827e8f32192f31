package io.corvid.broker;

/** Why the broker did not deliver a message to a client. */
public enum DropReason {
    /** The client's queue was at its limit of messages or bytes (see {@link QueueOverflowPolicy}). */
    QUEUE_FULL,
    /**
     * The broker's memory budget for queued messages was exhausted and the client was not
     * keeping up (it had messages waiting already, or was offline); see {@link Broker.Builder#memoryBudget(long)}.
     */
    MEMORY_BUDGET,
    /** The message expired (MQTT 5.0 Message Expiry Interval) before it could be sent. */
    EXPIRED,
    /** The message was larger than the client's Maximum Packet Size. */
    PACKET_TOO_LARGE,
    /** QoS 0 messages are not queued for clients that are not connected. */
    CLIENT_OFFLINE,
    /** The client's session ended with the message still queued. */
    SESSION_ENDED
}
