package io.corvid.broker;

/** What a {@link Cluster} may ask of the broker node it belongs to. */
public interface ClusterContext {

    /**
     * Delivers a message that was published on another node to this node's subscribers only: it
     * is never given back to {@link Cluster#publish}, so it cannot travel on. A retained message
     * (or an empty one, which deletes) also updates this node's retained messages. Shared
     * subscriptions do not take it: they are not clustered, so each group receives only what is
     * published on its own node. Safe from any thread; does not block.
     *
     * @return the number of sessions on this node it was handed to
     */
    int deliver(ClusterMessage message);

    /**
     * Another node has claimed {@code clientId} with {@code epoch}: if this node's session of it
     * was claimed with an older epoch (or none), its connection is closed as a takeover (MQTT
     * 5.0: DISCONNECT 0x8E Session taken over; MQTT 3.1.1: closed) and the session ends here,
     * its will published as when any session ends. A notice about an epoch not newer than this
     * node's own claim is stale and ignored. Safe from any thread; does not block. The default
     * does nothing.
     */
    default void takeOverClient(String clientId, long epoch) {
    }
}
