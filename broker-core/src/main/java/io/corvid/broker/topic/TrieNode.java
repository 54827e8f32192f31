package io.corvid.broker.topic;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * One level of a {@link TopicTrie}.
 *
 * <p>Writers change a node only under the trie's write lock; readers walk it without any lock.
 * So every field a reader follows is volatile, every map is concurrent, and a new map is filled
 * before it is published. Maps are created on first use and dropped when they become empty:
 * most nodes of a large trie hold a single child or a single subscriber, and empty maps on
 * every node would multiply the trie's memory.
 *
 * <p>The wildcard children have their own fields rather than entries in {@link #literals}: a
 * match then reaches them without hashing, and a literal topic level can never be mistaken for
 * a wildcard.
 */
final class TrieNode<K, V> {
    /** Children by literal level; null when there are none. */
    volatile ConcurrentHashMap<String, TrieNode<K, V>> literals;
    /** The {@code +} child, or null. */
    volatile TrieNode<K, V> single;
    /** The {@code #} child, or null; it never has children of its own. */
    volatile TrieNode<K, V> multi;
    /** Non-shared subscriptions to the filter ending at this node; null when there are none. */
    volatile ConcurrentHashMap<K, V> subscribers;
    /** Shared groups on the filter ending at this node, by share name; null when there are none. */
    volatile ConcurrentHashMap<String, SharedGroup<K, V>> groups;

    TrieNode<K, V> child(String level) {
        if (TopicLevels.SINGLE.equals(level)) {
            return single;
        }
        if (TopicLevels.MULTI.equals(level)) {
            return multi;
        }
        Map<String, TrieNode<K, V>> map = literals;
        return map == null ? null : map.get(level);
    }

    /** Under the write lock. */
    TrieNode<K, V> childOrCreate(String level) {
        TrieNode<K, V> child = child(level);
        if (child != null) {
            return child;
        }
        child = new TrieNode<>();
        if (TopicLevels.SINGLE.equals(level)) {
            single = child;
        } else if (TopicLevels.MULTI.equals(level)) {
            multi = child;
        } else {
            ConcurrentHashMap<String, TrieNode<K, V>> map = literals;
            if (map == null) {
                map = newMap();
                map.put(level, child);
                literals = map;
            } else {
                map.put(level, child);
            }
        }
        return child;
    }

    /** Under the write lock. */
    void removeChild(String level) {
        if (TopicLevels.SINGLE.equals(level)) {
            single = null;
        } else if (TopicLevels.MULTI.equals(level)) {
            multi = null;
        } else {
            ConcurrentHashMap<String, TrieNode<K, V>> map = literals;
            if (map != null) {
                map.remove(level);
                if (map.isEmpty()) {
                    literals = null;
                }
            }
        }
    }

    /** Every child with its level; a snapshot as weakly consistent as the maps. */
    void forEachChild(BiConsumer<String, TrieNode<K, V>> action) {
        Map<String, TrieNode<K, V>> map = literals;
        if (map != null) {
            map.forEach(action);
        }
        TrieNode<K, V> child = single;
        if (child != null) {
            action.accept(TopicLevels.SINGLE, child);
        }
        child = multi;
        if (child != null) {
            action.accept(TopicLevels.MULTI, child);
        }
    }

    V subscriber(K key) {
        Map<K, V> map = subscribers;
        return map == null ? null : map.get(key);
    }

    /** Under the write lock. */
    V putSubscriber(K key, V value) {
        ConcurrentHashMap<K, V> map = subscribers;
        if (map == null) {
            map = newMap();
            map.put(key, value);
            subscribers = map;
            return null;
        }
        return map.put(key, value);
    }

    /** Under the write lock. */
    V removeSubscriber(K key) {
        ConcurrentHashMap<K, V> map = subscribers;
        if (map == null) {
            return null;
        }
        V removed = map.remove(key);
        if (map.isEmpty()) {
            subscribers = null;
        }
        return removed;
    }

    SharedGroup<K, V> group(String name) {
        Map<String, SharedGroup<K, V>> map = groups;
        return map == null ? null : map.get(name);
    }

    /** Under the write lock. */
    V putGroupMember(String name, String filter, K key, V value) {
        SharedGroup<K, V> group = group(name);
        if (group != null) {
            return group.put(key, value);
        }
        group = new SharedGroup<>(name, filter);
        group.put(key, value);
        ConcurrentHashMap<String, SharedGroup<K, V>> map = groups;
        if (map == null) {
            map = newMap();
            map.put(name, group);
            groups = map;
        } else {
            map.put(name, group);
        }
        return null;
    }

    /** Under the write lock. An emptied group leaves the node, so no reader is handed it again. */
    V removeGroupMember(String name, K key) {
        SharedGroup<K, V> group = group(name);
        if (group == null) {
            return null;
        }
        V removed = group.remove(key);
        if (group.isEmpty()) {
            ConcurrentHashMap<String, SharedGroup<K, V>> map = groups;
            map.remove(name);
            if (map.isEmpty()) {
                groups = null;
            }
        }
        return removed;
    }

    /** Whether the node holds nothing and may be pruned. Under the write lock. */
    boolean isEmpty() {
        return literals == null && single == null && multi == null && subscribers == null && groups == null;
    }

    /** Drops everything below and at this node. Under the write lock. */
    void clear() {
        literals = null;
        single = null;
        multi = null;
        subscribers = null;
        groups = null;
    }

    private static <A, B> ConcurrentHashMap<A, B> newMap() {
        // Capacity 1 gives the smallest table (2 slots): most maps of a big trie keep one entry.
        return new ConcurrentHashMap<>(1);
    }
}
