package io.corvid.broker;

/**
 * What happens to a QoS 1 or QoS 2 message for a session that cannot take it: its queue is at
 * its message or byte limit, or the broker's memory budget is exhausted while the session
 * lags behind. QoS 0 messages are always dropped in that case (newest first); this policy
 * decides for the messages a client asked to be delivered at least once. It applies to that
 * one session only: publishers and other subscribers carry on.
 */
public enum QueueOverflowPolicy {
    /** The new message is dropped; what is already queued is kept in order (Mosquitto's and HiveMQ's default). */
    DROP_NEWEST,
    /** The oldest queued messages are dropped to make room for the new one: the client sees the latest data. */
    DROP_OLDEST,
    /**
     * The new message is dropped and a connected client is disconnected (MQTT 5.0: DISCONNECT
     * 0x97 Quota exceeded): it reads too slowly. Its session, and what is queued in it, stays
     * per its expiry interval.
     */
    DISCONNECT
}
