package io.corvid.broker.engine;

import io.corvid.broker.Cluster;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts, per topic filter, the sessions on this node that subscribe to it, and tells the
 * {@link Cluster} when a filter gains its first subscriber or loses its last. A shared
 * subscription counts by its whole filter ({@code $share/{name}/{filter}}): its first and last
 * member on this node. Only subscribe,
 * unsubscribe and session end come here, never the publish path.
 *
 * <p>The cluster is told inside {@link ConcurrentHashMap#compute} for the filter, so that the
 * calls for one filter reach it in the order of the count's transitions even when sessions on
 * different threads subscribe and unsubscribe at once: an "added" can never overtake the
 * "removed" before it.
 */
final class LocalFilters {
    private final Cluster cluster;
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    LocalFilters(Cluster cluster) {
        this.cluster = cluster;
    }

    /** A session on this node subscribed to {@code filter} (a subscription it did not hold before). */
    void added(String filter) {
        counts.compute(filter, (key, count) -> {
            if (count == null) {
                cluster.filterAdded(key);
                return 1;
            }
            return count + 1;
        });
    }

    /** A session on this node no longer subscribes to {@code filter}. */
    void removed(String filter) {
        counts.computeIfPresent(filter, (key, count) -> {
            if (count == 1) {
                cluster.filterRemoved(key);
                return null;
            }
            return count - 1;
        });
    }

    /** How many sessions on this node subscribe to {@code filter} (for tests). */
    int count(String filter) {
        return counts.getOrDefault(filter, 0);
    }
}
