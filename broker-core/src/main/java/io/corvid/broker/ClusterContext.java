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
}
