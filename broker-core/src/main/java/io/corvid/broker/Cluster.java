package io.corvid.broker;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Makes several broker nodes serve as one broker: a client subscribed on one node receives what
 * a client publishes on another. Given to {@link Broker.Builder#cluster}; without one, a broker
 * is a single node and none of this costs anything.
 *
 * <p>The broker tells the cluster which topic filters have subscribers on this node and which
 * messages were published here; the cluster tells the broker about messages published elsewhere
 * through {@link ClusterContext#deliver}. Everything else (membership, the route table, the
 * connections between nodes) is the implementation's; {@code broker-cluster-hazelcast} is one.
 *
 * <p>Lifecycle: {@link Broker#start()} calls {@link #start} once the engine has restored its
 * sessions, before the MQTT listeners are bound; {@link Broker#stop()} calls {@link #stop} after
 * the clients have been disconnected (so that their wills still reach the other nodes) and
 * before the engine closes.
 *
 * <p>Shared subscriptions are reported like other filters, by their whole filter
 * ({@code $share/{name}/{filter}}): a node has "subscribers" for one while at least one of its
 * sessions is a member of that group. A message goes to one member of each matching group
 * cluster-wide: the publishing node serves the groups it has members of itself and tells
 * {@link #publish(ClusterMessage, Collection)} which those were; the cluster places each other
 * group on one node that has members of it, which serves it through
 * {@link ClusterContext#deliverShared}.
 *
 * <p>Client identifiers: a cluster may keep one owner node per client identifier
 * ({@link #claimClient}, {@link #isClaimCurrent}, {@link #releaseClient}); when another node
 * claims a client this node owns, it tells this node through
 * {@link ClusterContext#takeOverClient}. The defaults claim nothing, and every node then serves
 * whoever connects to it.
 */
public interface Cluster {
    /** What {@link #claimClient} completes with when it made no claim: the node serves the client unowned. */
    long NO_CLAIM = 0;

    /**
     * Joins the cluster. Called once; throws when joining is impossible (the broker then does
     * not start).
     *
     * @param context the way back into this node's engine
     */
    void start(ClusterContext context);

    /** Leaves the cluster and releases every resource. Called once, also after a failed start. */
    void stop();

    /**
     * A topic filter gained its first subscriber on this node. Calls for one filter come in the
     * order of the changes they report (the engine serialises them per filter); calls for
     * different filters come from any thread at once. May be called before {@link #start}, for
     * subscriptions restored from the session store. Must not block and must not call back into
     * the broker: it runs while the engine holds a lock on the filter's count.
     *
     * @param topicFilter a valid topic filter, possibly with wildcards, or a shared subscription's
     *                    whole filter ({@code $share/{name}/{filter}})
     */
    void filterAdded(String topicFilter);

    /**
     * The last subscriber on this node of a topic filter went away (unsubscribed, or its session
     * ended). Same rules as {@link #filterAdded}.
     */
    void filterRemoved(String topicFilter);

    /**
     * A client or the application published a message on this node; it has already been routed
     * to this node's subscribers. Called on the publisher's thread: must not block. The cluster
     * sends it on to the other nodes that need it, each at most once; a message that came from
     * another node through {@link ClusterContext#deliver} is never given here, so nothing loops.
     *
     * @return how many other nodes it goes to because they have matching subscribers (an MQTT
     *         5.0 publisher learns "no matching subscribers" only when this node has none and
     *         this is 0)
     */
    int publish(ClusterMessage message);

    /**
     * As {@link #publish(ClusterMessage)}, for a broker whose members of shared groups took the
     * message for the groups in {@code sharesServedHere}: each other shared group with members
     * elsewhere is to get it on exactly one other node. The engine calls this one; the default
     * ignores the groups (a cluster that does not place shared groups: each node's members of a
     * group then form a group of their own).
     *
     * @param sharesServedHere the {@code $share/{name}/{filter}} of each group a member on this
     *                         node took the message for; read during the call only
     * @return how many other nodes it goes to, for subscribers or for groups
     */
    default int publish(ClusterMessage message, Collection<String> sharesServedHere) {
        return publish(message);
    }

    /** The nodes of the cluster as this node sees them now, this node included. */
    List<ClusterMember> members();

    /** Messages this node sent on to other nodes since it started (one per destination node). Default 0. */
    default long forwardedMessages() {
        return 0;
    }

    /** Messages this node received from other nodes since it started. Default 0. */
    default long receivedMessages() {
        return 0;
    }

    /** Messages for other nodes this node dropped since it started (a node not keeping up or gone). Default 0. */
    default long droppedMessages() {
        return 0;
    }

    /**
     * A client has been authenticated on this node and is about to be given its session: makes
     * this node the owner of its client identifier, cluster-wide. The engine waits for the stage
     * (without blocking the connection's thread) before it attaches the session and sends
     * CONNACK; a failed stage, or one that does not complete within the broker's plug-in timeout,
     * refuses the CONNECT (Server unavailable). Called on the connection's thread: must not block.
     *
     * <p>When another node owned the identifier, the cluster has that node take its connection
     * over and end its session there ({@link ClusterContext#takeOverClient}).
     *
     * @return a stage completing with the claim's epoch, a number that grows with every claim of
     *         this identifier, or {@link #NO_CLAIM} when the cluster made no claim (the default)
     */
    default CompletionStage<Long> claimClient(String clientId) {
        return CompletableFuture.completedFuture(NO_CLAIM);
    }

    /**
     * Whether the claim {@code epoch} of {@code clientId} made by this node is still the newest
     * this node knows of: false once another node's newer claim has reached this node. Asked by
     * the engine just before it attaches the session, so that a claim overtaken while it was
     * answered never serves the client beside its newer connection. Must not block. Default true.
     */
    default boolean isClaimCurrent(String clientId, long epoch) {
        return true;
    }

    /**
     * The session of {@code clientId} that this node held under claim {@code epoch} has ended
     * (its clean connection closed, it expired, or it was taken over): the cluster lets go of
     * the identifier if the claim is still this node's and still {@code epoch}, never a newer
     * one. Called on the session's thread: must not block. Not called for {@link #NO_CLAIM}.
     */
    default void releaseClient(String clientId, long epoch) {
    }
}
