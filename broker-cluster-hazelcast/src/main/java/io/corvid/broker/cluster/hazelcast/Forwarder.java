package io.corvid.broker.cluster.hazelcast;

import io.corvid.broker.ClusterMessage;
import io.corvid.broker.topic.SharedGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a message published on this node to the other nodes, on the publisher's thread: one
 * frame to each node with matching subscribers (every node, for a retained message), and each
 * matching shared group that no member on this node took placed on one node with members of it
 * ({@link ShareChooser}). A node that gets the message for its subscribers and for groups gets
 * one frame naming the groups; a node chosen for groups only gets a frame for those groups only.
 *
 * <p>When the chosen node refuses a group's frame (no link to it any more, or its queue is full),
 * the group is placed on another of its nodes, and when none takes it, on a member on this node
 * that appeared meanwhile; failing that the group misses the message, which is counted. What a
 * node accepted into its queue is not placed again, even if it is lost later (a connection that
 * breaks, a node that dies): between nodes delivery is at most once.
 */
final class Forwarder {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    /** The data links, as the forwarder needs them. */
    interface Links {
        /** Queues a frame body for a node; false when there is no link to it or its queue is full. */
        boolean send(String node, byte[] frame);

        /** Whether the link to a node is connected now. */
        boolean isConnected(String node);

        /** The nodes this node has links to. */
        Set<String> peers();
    }

    /** Stamps a retained message published on this node with its version. */
    @FunctionalInterface
    interface Versions {
        RetainedVersion published(ClusterMessage message);
    }

    /** Serves shared groups on this node (the engine's {@code ClusterContext.deliverShared}). */
    @FunctionalInterface
    interface LocalShares {
        int deliverShared(ClusterMessage message, Collection<String> shares);
    }

    private final RouteIndex index;
    private final Links links;
    private final Versions versions;
    private final LocalShares local;
    private final AtomicLong unserved;
    private final AtomicLong rerouted = new AtomicLong();
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /**
     * @param unserved counts messages a shared group missed (shared with the receiving side)
     */
    Forwarder(RouteIndex index, Links links, Versions versions, LocalShares local, AtomicLong unserved) {
        this.index = index;
        this.links = links;
        this.versions = versions;
        this.local = local;
        this.unserved = unserved;
    }

    /**
     * Sends the message on.
     *
     * @param servedHere the groups a member on this node took it for already
     * @return a count that is 0 only when nobody anywhere takes the message for a subscriber or
     *         a group (for "no matching subscribers"): the nodes with matching subscribers, the
     *         nodes that took a frame for groups only, and the groups placed again elsewhere or
     *         here after a refusal
     */
    int publish(ClusterMessage message, Collection<String> servedHere) {
        Scratch work = scratch.get();
        if (work.inUse) {
            work = new Scratch(); // re-entered on this thread (a publish from a delivery)
        }
        work.inUse = true;
        try {
            return publish(message, servedHere, work);
        } finally {
            work.nodes.clear();
            work.groups.clear();
            work.orphans.clear();
            work.inUse = false;
        }
    }

    private int publish(ClusterMessage message, Collection<String> servedHere, Scratch work) {
        List<String> nodes = work.nodes;
        index.match(message.topic(), nodes, work.groups);
        Map<String, List<String>> placed = place(work.groups, servedHere, links, work.orphans);
        int reached = work.orphans.isEmpty() ? 0 : placeElsewhere(message, work.orphans, null, work.groups);
        if (nodes.isEmpty() && placed.isEmpty() && !message.retain()) {
            return reached;
        }
        reached += nodes.size();
        if (message.retain()) {
            // Every node keeps the retained messages for its own future subscribers: the copies
            // sent straight now are the fast path, the map the one for nodes that join later.
            RetainedVersion version = versions.published(message);
            for (String node : links.peers()) {
                reached += send(message, version, node, placed, work.groups);
            }
        } else {
            for (int i = 0; i < nodes.size(); i++) {
                reached += send(message, null, nodes.get(i), placed, work.groups);
            }
        }
        for (Map.Entry<String, List<String>> forGroups : placed.entrySet()) {
            if (links.send(forGroups.getKey(), FrameCodec.message(message, null, forGroups.getValue(), true))) {
                reached++;
            } else {
                reached += placeElsewhere(message, forGroups.getValue(), forGroups.getKey(), work.groups);
            }
        }
        return reached;
    }

    /** The node chosen for each group not served here, with the groups it is to serve. */
    private static Map<String, List<String>> place(List<SharedGroup<String, Boolean>> groups,
                                                   Collection<String> servedHere, Links links, List<String> orphans) {
        Map<String, List<String>> placed = Map.of();
        for (int i = 0; i < groups.size(); i++) {
            SharedGroup<String, Boolean> group = groups.get(i);
            if (servedHere.contains(group.shareFilter())) {
                continue; // Local members first: the message does not cross the network for them.
            }
            List<SharedGroup.Member<String, Boolean>> nodes = group.members();
            if (nodes.isEmpty()) {
                orphans.add(group.shareFilter()); // Its last node left since the match.
                continue;
            }
            String node = ShareChooser.choose(nodes, group.nextIndex(nodes.size()), links::isConnected, List.of());
            if (placed.isEmpty()) {
                placed = new LinkedHashMap<>(4);
            }
            placed.computeIfAbsent(node, n -> new ArrayList<>(2)).add(group.shareFilter());
        }
        return placed;
    }

    /**
     * Sends one node its frame (with the groups placed on it, which leave {@code placed}).
     * Returns how many groups were placed again after the node refused the frame.
     */
    private int send(ClusterMessage message, RetainedVersion version, String node, Map<String, List<String>> placed,
                     List<SharedGroup<String, Boolean>> groups) {
        List<String> shares = placed.isEmpty() ? List.of() : placed.remove(node);
        if (shares == null) {
            shares = List.of();
        }
        if (links.send(node, FrameCodec.message(message, version, shares, false)) || shares.isEmpty()) {
            return 0;
        }
        return placeElsewhere(message, shares, node, groups);
    }

    /**
     * Places each of {@code shares}, which {@code refusedBy} refused (or {@code null}: no node
     * was found), on another node of its group (one frame per group: a rare path), or else on a
     * member here. Returns how many groups were placed, on another node or here.
     */
    private int placeElsewhere(ClusterMessage message, List<String> shares, String refusedBy,
                               List<SharedGroup<String, Boolean>> groups) {
        int placed = 0;
        for (String share : shares) {
            rerouted.incrementAndGet();
            if (placeOnAnotherNode(message, share, refusedBy, groups)) {
                placed++;
            } else if (local.deliverShared(message, List.of(share)) > 0) {
                placed++;
            } else {
                unserved.incrementAndGet();
                LOG.debug("No node took the message on {} for {}", message.topic(), share);
            }
        }
        return placed;
    }

    private boolean placeOnAnotherNode(ClusterMessage message, String share, String refusedBy,
                                       List<SharedGroup<String, Boolean>> groups) {
        SharedGroup<String, Boolean> group = find(groups, share);
        if (group == null) {
            return false;
        }
        List<String> refused = new ArrayList<>(2);
        if (refusedBy != null) {
            refused.add(refusedBy);
        }
        byte[] frame = null;
        while (true) {
            List<SharedGroup.Member<String, Boolean>> nodes = group.members(); // as it is now: nodes may have left
            if (nodes.isEmpty()) {
                return false;
            }
            String node = ShareChooser.choose(nodes, group.nextIndex(nodes.size()), links::isConnected, refused);
            if (node == null) {
                return false;
            }
            if (frame == null) {
                frame = FrameCodec.message(message, null, List.of(share), true);
            }
            if (links.send(node, frame)) {
                return true;
            }
            refused.add(node);
        }
    }

    private static SharedGroup<String, Boolean> find(List<SharedGroup<String, Boolean>> groups, String share) {
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).shareFilter().equals(share)) {
                return groups.get(i);
            }
        }
        return null;
    }

    /** Groups whose chosen node refused the message, so that another one was looked for. */
    long rerouted() {
        return rerouted.get();
    }

    /** One publish's lists, reused per thread. */
    private static final class Scratch {
        final List<String> nodes = new ArrayList<>(4);
        final List<SharedGroup<String, Boolean>> groups = new ArrayList<>(2);
        /** Groups whose every node left between the match and the placing. */
        final List<String> orphans = new ArrayList<>(0);
        boolean inUse;
    }
}
