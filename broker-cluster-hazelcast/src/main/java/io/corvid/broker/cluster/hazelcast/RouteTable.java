package io.corvid.broker.cluster.hazelcast;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.map.MapEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide route table: which node has subscribers for which topic filter, in a
 * Hazelcast {@link ReplicatedMap} keyed by node and filter. Each node writes only its own
 * entries; every node mirrors the other nodes' entries into its {@link RouteIndex}.
 *
 * <p>Why a ReplicatedMap and not an IMap: every node needs the whole table (a publish is matched
 * locally against every other node's filters), so a full copy per member is what is wanted
 * anyway; a ReplicatedMap keeps that copy on every member, so the initial load and the re-reads
 * after membership changes are local reads, and an owner's write goes to the others without a
 * partition owner in between. Its consistency is eventual, which suits a table with one writer
 * per entry: a subscription made on one node becomes visible on the others within the time of
 * replication (milliseconds on a LAN), and until then messages published elsewhere do not
 * reach it.
 *
 * <p>Everything here that changes the index or writes the map runs on one control thread, in
 * order: Hazelcast's event threads, the membership listener and the engine's hooks only queue
 * work for it. The index takes only routes of nodes this node knows as members, so that late
 * events about a node that left cannot resurrect its routes; a node that joins has its routes
 * read from the local copy when its membership is processed.
 */
final class RouteTable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteTable.class);
    /** Separates node and filter in a key: MQTT forbids U+0000 in topic filters (MQTT 5.0 1.5.4). */
    private static final char SEPARATOR = '\u0000';

    private final String localNode;
    private final RouteIndex index;
    private final Executor control;
    /** This node's filters, as the engine reported them; written by the hooks, read on the control thread. */
    private final Set<String> localFilters = ConcurrentHashMap.newKeySet();
    /** The other nodes known as members. Control thread only. */
    private final Set<String> liveNodes = ConcurrentHashMap.newKeySet();
    private volatile ReplicatedMap<String, Long> map;
    private UUID listenerId;
    /**
     * The value this node writes, bumped at every re-assertion so that every member sees an
     * update event even where the entry was there already. Control thread only.
     */
    private long generation = 1;

    RouteTable(String localNode, RouteIndex index, Executor control) {
        this.localNode = localNode;
        this.index = index;
        this.control = control;
    }

    static String key(String node, String filter) {
        return node + SEPARATOR + filter;
    }

    /** The node of a key, or {@code null} when it is not a route key. */
    static String nodeOf(String key) {
        int at = key.indexOf(SEPARATOR);
        return at < 0 ? null : key.substring(0, at);
    }

    static String filterOf(String key) {
        return key.substring(key.indexOf(SEPARATOR) + 1);
    }

    // ---------------------------------------------------------------- this node's filters (engine threads)

    void filterAdded(String filter) {
        localFilters.add(filter);
        if (map != null) {
            control.execute(() -> write(filter));
        }
    }

    void filterRemoved(String filter) {
        localFilters.remove(filter);
        if (map != null) {
            control.execute(() -> write(filter));
        }
    }

    /**
     * Writes the entry of {@code filter} as the filter's state is now, not as the call that queued
     * this saw it: a quick add and remove thus end as "removed" whatever order their tasks run in.
     */
    private void write(String filter) {
        ReplicatedMap<String, Long> current = map;
        if (current == null) {
            return;
        }
        String key = key(localNode, filter);
        if (localFilters.contains(filter)) {
            current.put(key, generation);
        } else {
            current.remove(key);
        }
    }

    // ---------------------------------------------------------------- lifecycle (control thread)

    /**
     * Attaches to the map: listens, and publishes this node's filters. The other nodes' routes
     * come in as their membership is seen ({@link #nodeJoined}). Control thread.
     */
    void attach(ReplicatedMap<String, Long> routes) {
        listenerId = routes.addEntryListener(new Listener());
        map = routes;
        liveNodes.clear();
        reassert();
        rebuildIndex();
    }

    /** Detaches before the node leaves. Control thread. */
    void detach() {
        ReplicatedMap<String, Long> current = map;
        map = null;
        if (current != null && listenerId != null) {
            try {
                current.removeEntryListener(listenerId);
            } catch (RuntimeException e) {
                LOG.debug("Could not remove the route listener", e);
            }
        }
    }

    /**
     * Makes the map hold exactly this node's filters (after a split-brain merge the map may lack
     * some or hold stale ones). Control thread.
     */
    void reassert() {
        ReplicatedMap<String, Long> current = map;
        if (current == null) {
            return;
        }
        generation++;
        for (String key : current.keySet()) {
            if (localNode.equals(nodeOf(key)) && !localFilters.contains(filterOf(key))) {
                current.remove(key);
            }
        }
        for (String filter : localFilters) {
            current.put(key(localNode, filter), generation);
        }
    }

    /** Forgets the index and reads it again from the local copy of the map. Control thread. */
    void rebuildIndex() {
        index.clear();
        ReplicatedMap<String, Long> current = map;
        if (current == null) {
            return;
        }
        for (String key : current.keySet()) {
            String node = nodeOf(key);
            if (node != null && liveNodes.contains(node)) {
                index.add(node, filterOf(key));
            }
        }
    }

    /** A node became a member: its routes count from now on. Control thread. */
    void nodeJoined(String node) {
        if (node.equals(localNode) || !liveNodes.add(node)) {
            return;
        }
        ReplicatedMap<String, Long> current = map;
        if (current == null) {
            return;
        }
        for (String key : current.keySet()) {
            if (node.equals(nodeOf(key))) {
                index.add(node, filterOf(key));
            }
        }
    }

    /**
     * A node left: its routes go from the index at once; {@code purge} also deletes its entries
     * from the map (one member, the oldest, does that for the cluster). Control thread.
     */
    void nodeLeft(String node, boolean purge) {
        liveNodes.remove(node);
        int removed = index.removeNode(node);
        LOG.debug("Forgot {} routes of node {}", removed, node);
        ReplicatedMap<String, Long> current = map;
        if (purge && current != null) {
            int purged = 0;
            for (String key : current.keySet()) {
                if (node.equals(nodeOf(key))) {
                    current.remove(key);
                    purged++;
                }
            }
            LOG.debug("Purged {} routes of node {} from the route table", purged, node);
        }
    }

    /** Mirrors other nodes' entries into the index, on the control thread. */
    private final class Listener implements EntryListener<String, Long> {
        @Override
        public void entryAdded(EntryEvent<String, Long> event) {
            added(event.getKey());
        }

        @Override
        public void entryUpdated(EntryEvent<String, Long> event) {
            added(event.getKey());
        }

        @Override
        public void entryRemoved(EntryEvent<String, Long> event) {
            removed(event.getKey());
        }

        @Override
        public void entryEvicted(EntryEvent<String, Long> event) {
            removed(event.getKey());
        }

        @Override
        public void entryExpired(EntryEvent<String, Long> event) {
            removed(event.getKey());
        }

        @Override
        public void mapCleared(MapEvent event) {
            control.execute(RouteTable.this::rebuildIndex);
        }

        @Override
        public void mapEvicted(MapEvent event) {
            control.execute(RouteTable.this::rebuildIndex);
        }

        private void added(String key) {
            String node = nodeOf(key);
            if (node == null || node.equals(localNode)) {
                return;
            }
            control.execute(() -> {
                if (liveNodes.contains(node)) {
                    index.add(node, filterOf(key));
                }
            });
        }

        private void removed(String key) {
            String node = nodeOf(key);
            if (node == null || node.equals(localNode)) {
                return;
            }
            control.execute(() -> index.remove(node, filterOf(key)));
        }
    }
}
