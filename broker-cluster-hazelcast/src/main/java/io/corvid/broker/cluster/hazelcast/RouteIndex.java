package io.corvid.broker.cluster.hazelcast;

import io.corvid.broker.topic.SharedGroup;
import io.corvid.broker.topic.TopicTrie;
import io.corvid.broker.topic.TrieVisitor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's view of where the other nodes' subscribers are: for each other node, the topic
 * filters it has subscribers for. Matching a topic gives each node with a matching filter once,
 * however many of its filters match, so that a message crosses to a node at most once. A shared
 * subscription's route ({@code $share/{name}/{filter}}) makes the node a member of that group in
 * the trie: matching a topic also gives each matching group with the nodes that have members of
 * it, for the publishing node to place the group on one of them.
 *
 * <p>Uses the core's {@link TopicTrie}, so that MQTT's matching rules ({@code +}, {@code #},
 * {@code $} topics) are the very ones the engine applies. {@link #nodesFor} takes no lock and runs
 * on publishers' threads; the changes come from one thread (the cluster's control thread).
 */
final class RouteIndex {
    private final TopicTrie<String, Boolean> trie = new TopicTrie<>();
    /** Each node's filters, to forget a node at once when it leaves. Changed on the control thread only. */
    private final Map<String, Set<String>> byNode = new ConcurrentHashMap<>();
    private final ThreadLocal<NodeCollector> collectors = ThreadLocal.withInitial(NodeCollector::new);

    /** Records that {@code node} has subscribers for {@code filter}; returns whether that is new. */
    boolean add(String node, String filter) {
        if (!byNode.computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet()).add(filter)) {
            return false;
        }
        trie.put(filter, node, Boolean.TRUE);
        return true;
    }

    /** Records that {@code node} no longer has subscribers for {@code filter}; returns whether it had. */
    boolean remove(String node, String filter) {
        Set<String> filters = byNode.get(node);
        if (filters == null || !filters.remove(filter)) {
            return false;
        }
        if (filters.isEmpty()) {
            byNode.remove(node);
        }
        trie.remove(filter, node);
        return true;
    }

    /** Forgets every route of {@code node}; returns how many there were. */
    int removeNode(String node) {
        Set<String> filters = byNode.remove(node);
        if (filters == null) {
            return 0;
        }
        for (String filter : filters) {
            trie.remove(filter, node);
        }
        return filters.size();
    }

    /** Forgets every route. */
    void clear() {
        byNode.clear();
        trie.clear();
    }

    /**
     * The nodes with at least one filter matching {@code topic}, each once, into {@code into}
     * (which is cleared first).
     */
    void nodesFor(String topic, List<String> into) {
        match(topic, into, null);
    }

    /**
     * As {@link #nodesFor}, also collecting into {@code groups} (cleared first, unless
     * {@code null}) each shared group matching {@code topic}, whose members are the nodes with
     * members of it. A group's member list is a snapshot that later changes leave alone.
     */
    void match(String topic, List<String> into, List<SharedGroup<String, Boolean>> groups) {
        into.clear();
        if (groups != null) {
            groups.clear();
        }
        NodeCollector collector = collectors.get();
        if (collector.into != null) {
            collector = new NodeCollector(); // re-entered on this thread (a publish from a delivery)
        }
        collector.into = into;
        collector.groups = groups;
        try {
            trie.match(topic, collector);
        } finally {
            collector.into = null;
            collector.groups = null;
        }
    }

    /** The filters of each node (a copy, for status and tests). Safe from any thread. */
    Map<String, Set<String>> snapshot() {
        Map<String, Set<String>> copy = new HashMap<>();
        byNode.forEach((node, filters) -> copy.put(node, Set.copyOf(filters)));
        return copy;
    }

    /** How many routes there are, all nodes together. Safe from any thread. */
    int size() {
        return trie.size();
    }

    /** Collects distinct nodes; a cluster has few nodes, so a list scan beats hashing. */
    private static final class NodeCollector implements TrieVisitor<String, Boolean> {
        List<String> into;
        List<SharedGroup<String, Boolean>> groups;

        @Override
        public void subscriber(String node, Boolean value) {
            if (!into.contains(node)) {
                into.add(node);
            }
        }

        @Override
        public void sharedGroup(SharedGroup<String, Boolean> group) {
            if (groups != null && !group.members().isEmpty()) {
                groups.add(group);
            }
        }
    }
}
