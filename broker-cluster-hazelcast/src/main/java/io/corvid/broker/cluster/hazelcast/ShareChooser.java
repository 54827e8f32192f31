package io.corvid.broker.cluster.hazelcast;

import io.corvid.broker.topic.SharedGroup;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * Picks the node that serves a shared group for one message, among the nodes with members of the
 * group: round-robin from a start the group's own cursor gives, so that successive messages
 * spread over the nodes; a node whose data link is connected before one whose link is down (a
 * message queued for a disconnected node waits, and is lost if the node is gone); never a node
 * that already refused this message.
 */
final class ShareChooser {
    private ShareChooser() {
    }

    /**
     * @param nodes     the nodes with members of the group (the route index's group members)
     * @param start     where to start looking, in {@code [0, nodes.size())}
     * @param connected whether this node's link to a node is connected now
     * @param refused   nodes not to pick (they refused this message already)
     * @return the chosen node, or {@code null} when every node is in {@code refused}
     */
    static String choose(List<SharedGroup.Member<String, Boolean>> nodes, int start, Predicate<String> connected,
                         Collection<String> refused) {
        int size = nodes.size();
        String fallback = null;
        for (int i = 0; i < size; i++) {
            String node = nodes.get((start + i) % size).key();
            if (refused.contains(node)) {
                continue;
            }
            if (connected.test(node)) {
                return node;
            }
            if (fallback == null) {
                fallback = node;
            }
        }
        return fallback;
    }
}
