package io.corvid.broker.cluster.hazelcast;

import java.util.Objects;

/**
 * Which of two retained messages of one topic is the newer: a hybrid logical clock stamp, then
 * the writing node's identifier to break a tie. A node stamps a retained message it publishes
 * with its wall clock, but always above the stamp of any message of that topic it has seen, so
 * that a message written after another one was seen wins over it whatever the two nodes' clocks
 * say; only messages written concurrently on two nodes are ordered by clock, and at an equal
 * stamp by node identifier. Every node compares the same way, so all of them keep the same one.
 *
 * @param stamp milliseconds of the writer's clock, raised past the newest stamp it had seen;
 *              {@link #RESTORED} for a message a node brought back from its own store
 * @param node  the writing node's identifier
 */
record RetainedVersion(long stamp, String node) implements Comparable<RetainedVersion> {
    /**
     * The stamp of a retained message restored from a node's own store, whose version is not
     * stored: below any message written in the cluster, so that the cluster's copy (or deletion)
     * wins.
     */
    static final long RESTORED = 0;

    RetainedVersion {
        Objects.requireNonNull(node, "node");
    }

    /** The version a node gives what it publishes after having seen {@code newestSeen} (or nothing). */
    static RetainedVersion next(RetainedVersion newestSeen, long nowMillis, String node) {
        long stamp = newestSeen == null ? nowMillis : Math.max(nowMillis, newestSeen.stamp + 1);
        return new RetainedVersion(Math.max(stamp, RESTORED + 1), node);
    }

    /** Whether this version wins over {@code other} ({@code null}: nothing yet). */
    boolean isNewerThan(RetainedVersion other) {
        return other == null || compareTo(other) > 0;
    }

    @Override
    public int compareTo(RetainedVersion other) {
        int byStamp = Long.compare(stamp, other.stamp);
        return byStamp != 0 ? byStamp : node.compareTo(other.node);
    }
}
