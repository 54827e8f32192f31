package io.corvid.broker;

import java.util.Collection;
import java.util.List;

/** What a {@link Cluster} may ask of the broker node it belongs to. */
public interface ClusterContext {

    /**
     * Delivers a message that was published on another node to this node's subscribers only: it
     * is never given back to {@link Cluster#publish}, so it cannot travel on. A retained message
     * (or an empty one, which deletes) also updates this node's retained messages. Shared
     * subscription groups do not take it: the publishing node placed each group on one node,
     * which is told through {@link #deliverShared}. Safe from any thread; does not block.
     *
     * @return the number of sessions on this node it was handed to
     */
    int deliver(ClusterMessage message);

    /**
     * As {@link #deliver}, except that this node's retained messages are left alone even when the
     * message carries RETAIN: for a cluster that decides itself which retained message of a topic
     * wins (two nodes may publish one at once) and installs the winner with
     * {@link #installRetained}. Safe from any thread; does not block.
     *
     * @return the number of sessions on this node it was handed to
     */
    int deliverWithoutRetaining(ClusterMessage message);

    /**
     * Gives a message published on another node (or, when no other node could take it, on this
     * one) to one member on this node of each shared group named in {@code shares}, chosen as for
     * a local message, and to nobody else: no other subscription, no retained message, never back
     * to {@link Cluster#publish}. A named group without a member here any more is skipped. Safe
     * from any thread; does not block.
     *
     * @param shares the groups to serve, each as its whole filter {@code $share/{name}/{filter}}
     * @return how many of the named groups a member here took it for
     */
    int deliverShared(ClusterMessage message, Collection<String> shares);

    /**
     * Makes {@code message} this node's retained message of its topic, or deletes that one when
     * the payload is empty, without delivering it to any session and without giving it to
     * {@link Cluster#publish}: for retained messages published earlier elsewhere, such as those a
     * node loads when it joins. Written through to the session store like any retained message.
     * Does nothing when retained messages are turned off, or when this node's retained message of
     * the topic is already this one (the same payload array). Safe from any thread; does not block
     * on the network.
     */
    void installRetained(ClusterMessage message);

    /**
     * This node's retained messages now, except those that have expired and the broker's own
     * {@code $SYS} ones (which describe this node), each with its seconds of life left. Messages
     * retained later, or deleted meanwhile, may or may not be in it.
     */
    List<ClusterMessage> retainedMessages();

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
