package io.corvid.broker.topic;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The subscriptions of a broker: topic filters, each with the subscribers that hold it, in a
 * tree of topic levels so that a publish visits only the branches its topic can match (the
 * topic's own levels, {@code +} and {@code #}), whatever the number of subscriptions.
 *
 * <p>Matching follows MQTT 5.0 section 4.7: {@code +} matches exactly one level, possibly
 * empty; {@code #} matches the parent level and any number of levels below it; filters that
 * start with a wildcard do not match topic names that start with {@code $}; empty levels are
 * levels. A shared subscription {@code $share/{group}/{filter}} makes its subscriber a member of
 * a {@link SharedGroup} on {@code filter}.
 *
 * <p>Thread safety: {@link #match}, {@link #get}, {@link #size} and {@link #forEach} take no lock
 * and may run on any number of threads. {@link #put}, {@link #remove} and {@link #clear}
 * serialise on one lock: subscriptions change far less often than messages are routed. A match
 * that runs while writers work never fails and sees every subscription that was completely added
 * before it started and not removed since; subscriptions changed during the match may or may
 * not be seen.
 *
 * @param <K> the subscriber key, compared with {@code equals} and {@code hashCode}
 * @param <V> the per-subscription value, such as the subscription options
 */
public final class TopicTrie<K, V> {
    private final TrieNode<K, V> root = new TrieNode<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    // Written under the write lock only, so a volatile int is enough.
    private volatile int size;

    /**
     * Adds {@code key}'s subscription to {@code filter}, or replaces its value.
     *
     * @param filter a valid topic filter, possibly {@code $share/{group}/{filter}}
     * @return the value it replaces, or null when the subscription is new
     * @throws IllegalArgumentException when the filter is not valid
     */
    public V put(String filter, K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Target target = Target.of(filter);
        writeLock.lock();
        try {
            TrieNode<K, V> node = root;
            for (String level : target.levels) {
                node = node.childOrCreate(level);
            }
            V previous = target.group == null
                    ? node.putSubscriber(key, value)
                    : node.putGroupMember(target.group, target.filter, key, value);
            if (previous == null) {
                size++;
            }
            return previous;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Removes {@code key}'s subscription to {@code filter}, and the nodes and shared group it
     * leaves empty.
     *
     * @return the removed value, or null when there was no such subscription
     * @throws IllegalArgumentException when the filter is not valid
     */
    public V remove(String filter, K key) {
        Objects.requireNonNull(key, "key");
        Target target = Target.of(filter);
        String[] levels = target.levels;
        writeLock.lock();
        try {
            // The path is kept so that emptied nodes can be detached bottom-up without parent links.
            @SuppressWarnings("unchecked")
            TrieNode<K, V>[] path = (TrieNode<K, V>[]) new TrieNode<?, ?>[levels.length + 1];
            path[0] = root;
            for (int i = 0; i < levels.length; i++) {
                path[i + 1] = path[i].child(levels[i]);
                if (path[i + 1] == null) {
                    return null;
                }
            }
            TrieNode<K, V> node = path[levels.length];
            V removed = target.group == null
                    ? node.removeSubscriber(key)
                    : node.removeGroupMember(target.group, key);
            if (removed == null) {
                return null;
            }
            size--;
            // No writer can add below these nodes meanwhile (we hold the lock), and a reader
            // still inside a detached node only finds it empty.
            for (int i = levels.length; i > 0 && path[i].isEmpty(); i--) {
                path[i - 1].removeChild(levels[i - 1]);
            }
            return removed;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The value of {@code key}'s subscription to {@code filter}, or null.
     *
     * @throws IllegalArgumentException when the filter is not valid
     */
    public V get(String filter, K key) {
        Objects.requireNonNull(key, "key");
        Target target = Target.of(filter);
        TrieNode<K, V> node = root;
        for (String level : target.levels) {
            node = node.child(level);
            if (node == null) {
                return null;
            }
        }
        if (target.group == null) {
            return node.subscriber(key);
        }
        SharedGroup<K, V> group = node.group(target.group);
        return group == null ? null : group.get(key);
    }

    /**
     * Reports to the visitor every non-shared subscription and every shared group whose filter
     * matches {@code topicName}. Allocates nothing but the topic's levels (and, when both a
     * literal and a {@code +} branch continue, a small stack of pending branches).
     *
     * @param topicName a topic name as PUBLISH carries it
     * @throws IllegalArgumentException when the topic name is empty or holds a wildcard
     */
    public void match(String topicName, TrieVisitor<K, V> visitor) {
        String[] levels = TopicLevels.splitTopicName(topicName);
        // MQTT 4.7.2: topics starting with '$' are the server's; a leading wildcard skips them.
        boolean wildcardsAtRoot = topicName.charAt(0) != '$';
        // Iterative, not recursive: a deep trie built from a hostile filter must not overflow
        // the stack of the thread that routes a publish.
        Object[] pendingNodes = null;
        int[] pendingDepths = null;
        int pending = 0;
        TrieNode<K, V> node = root;
        int depth = 0;
        while (true) {
            while (node != null) {
                if (depth == levels.length) {
                    visit(node, visitor);
                    // "sport/#" matches "sport": '#' also matches its parent level.
                    TrieNode<K, V> multi = node.multi;
                    if (multi != null) {
                        visit(multi, visitor);
                    }
                    break;
                }
                TrieNode<K, V> single = null;
                if (depth > 0 || wildcardsAtRoot) {
                    TrieNode<K, V> multi = node.multi;
                    if (multi != null) {
                        visit(multi, visitor);
                    }
                    single = node.single;
                }
                Map<String, TrieNode<K, V>> literals = node.literals;
                TrieNode<K, V> next = literals == null ? null : literals.get(levels[depth]);
                if (single != null) {
                    if (next == null) {
                        next = single;
                    } else {
                        // Both branches continue: follow the literal one now, the '+' one later.
                        if (pendingNodes == null) {
                            pendingNodes = new Object[Math.min(levels.length, 8)];
                            pendingDepths = new int[pendingNodes.length];
                        } else if (pending == pendingNodes.length) {
                            pendingNodes = Arrays.copyOf(pendingNodes, pending * 2);
                            pendingDepths = Arrays.copyOf(pendingDepths, pending * 2);
                        }
                        pendingNodes[pending] = single;
                        pendingDepths[pending] = depth + 1;
                        pending++;
                    }
                }
                node = next;
                depth++;
            }
            if (pending == 0) {
                return;
            }
            pending--;
            node = pendingNode(pendingNodes[pending]);
            pendingNodes[pending] = null;
            depth = pendingDepths[pending];
        }
    }

    /** The number of subscriptions, counting each shared group member once. */
    public int size() {
        return size;
    }

    /** Removes every subscription. */
    public void clear() {
        writeLock.lock();
        try {
            root.clear();
            size = 0;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Reports every subscription with the filter it was made with ({@code $share/{group}/...}
     * for shared ones), for administration and persistence. Weakly consistent, like
     * {@link #match}; takes no lock.
     */
    public void forEach(SubscriptionConsumer<K, V> consumer) {
        ArrayDeque<Frame<K, V>> stack = new ArrayDeque<>();
        root.forEachChild((level, child) -> stack.push(new Frame<>(child, level)));
        while (!stack.isEmpty()) {
            Frame<K, V> frame = stack.pop();
            String filter = frame.filter;
            ConcurrentHashMap<K, V> subscribers = frame.node.subscribers;
            if (subscribers != null) {
                subscribers.forEach((key, value) -> consumer.accept(filter, key, value));
            }
            ConcurrentHashMap<String, SharedGroup<K, V>> groups = frame.node.groups;
            if (groups != null) {
                for (SharedGroup<K, V> group : groups.values()) {
                    String shared = Topics.SHARED_PREFIX + group.name() + '/' + filter;
                    for (SharedGroup.Member<K, V> member : group.members()) {
                        consumer.accept(shared, member.key(), member.value());
                    }
                }
            }
            frame.node.forEachChild((level, child) -> stack.push(new Frame<>(child, filter + '/' + level)));
        }
    }

    /** The number of nodes below the root, for tests of pruning. */
    int nodeCount() {
        int count = 0;
        ArrayDeque<TrieNode<K, V>> stack = new ArrayDeque<>();
        root.forEachChild((level, child) -> stack.push(child));
        while (!stack.isEmpty()) {
            count++;
            stack.pop().forEachChild((level, child) -> stack.push(child));
        }
        return count;
    }

    private static <K, V> void visit(TrieNode<K, V> node, TrieVisitor<K, V> visitor) {
        ConcurrentHashMap<K, V> subscribers = node.subscribers;
        if (subscribers != null) {
            subscribers.forEach(visitor::subscriber);
        }
        ConcurrentHashMap<String, SharedGroup<K, V>> groups = node.groups;
        if (groups != null) {
            for (SharedGroup<K, V> group : groups.values()) {
                visitor.sharedGroup(group);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <K, V> TrieNode<K, V> pendingNode(Object node) {
        return (TrieNode<K, V>) node;
    }

    /**
     * Receives one subscription from {@link #forEach}.
     *
     * @param <K> the subscriber key
     * @param <V> the per-subscription value
     */
    @FunctionalInterface
    public interface SubscriptionConsumer<K, V> {
        /**
         * One subscription.
         *
         * @param filter the filter as subscribed, {@code $share/{group}/{filter}} for shared ones
         */
        void accept(String filter, K key, V value);
    }

    private record Frame<K, V>(TrieNode<K, V> node, String filter) {
    }

    /** A filter taken apart: its share name (null when not shared) and its levels. */
    private static final class Target {
        final String group;
        final String filter;
        final String[] levels;

        private Target(String group, String filter) {
            this.group = group;
            this.filter = filter;
            this.levels = TopicLevels.split(filter);
        }

        static Target of(String filter) {
            Topics.SharedFilter shared = Topics.parseShared(filter);
            if (shared != null) {
                return new Target(shared.group(), shared.filter());
            }
            // The trie's shape relies on valid filters ('#' last, wildcards whole levels).
            if (!Topics.isValidTopicFilter(filter)) {
                throw new IllegalArgumentException("invalid topic filter: " + filter);
            }
            return new Target(null, filter);
        }
    }
}
