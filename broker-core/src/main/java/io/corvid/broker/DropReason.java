package io.corvid.broker;

/** Why the broker did not deliver a message to a client. */
public enum DropReason {
    /** The client's queue held the maximum number of messages. */
    QUEUE_FULL,
    /** The message expired (MQTT 5.0 Message Expiry Interval) before it could be sent. */
    EXPIRED,
    /** The message was larger than the client's Maximum Packet Size. */
    PACKET_TOO_LARGE,
    /** QoS 0 messages are not queued for clients that are not connected. */
    CLIENT_OFFLINE,
    /** The client's session ended with the message still queued. */
    SESSION_ENDED
}
