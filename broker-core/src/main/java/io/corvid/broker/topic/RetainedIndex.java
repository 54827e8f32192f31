package io.corvid.broker.topic;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The retained messages of a broker, one per topic name, in a tree of topic levels so that a
 * new subscription finds the messages its filter matches by visiting only the branches the
 * filter names: {@code a/b/c} is a direct lookup, {@code a/+/c} looks at the children of
 * {@code a}, and only {@code #} walks everything.
 *
 * <p>Matching follows MQTT 5.0 section 4.7, as in {@link TopicTrie}: topic names that start
 * with {@code $} are not matched by filters that start with a wildcard.
 *
 * <p>Thread safety: {@link #get}, {@link #match}, {@link #forEach} and {@link #size} take no
 * lock and may run on any number of threads; {@link #put}, {@link #remove} and {@link #clear}
 * serialise on one lock. A reader sees every message stored before it started and not removed
 * since; changes made while it runs may or may not be seen.
 *
 * @param <V> the retained message
 */
public final class RetainedIndex<V> {
    private final Node<V> root = new Node<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    // Written under the write lock only, so a volatile int is enough.
    private volatile int size;

    /**
     * Stores {@code value} as the retained message of {@code topicName}.
     *
     * @return the message it replaces, or null
     * @throws IllegalArgumentException when the topic name is empty or holds a wildcard
     */
    public V put(String topicName, V value) {
        Objects.requireNonNull(value, "value");
        String[] levels = TopicLevels.splitTopicName(topicName);
        writeLock.lock();
        try {
            Node<V> node = root;
            for (String level : levels) {
                node = node.childOrCreate(level);
            }
            V previous = node.value;
            if (node.topic == null) {
                // Before the value: a reader that sees the value then sees the topic too.
                node.topic = topicName;
            }
            node.value = value;
            if (previous == null) {
                size++;
            }
            return previous;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Removes the retained message of {@code topicName}, and the nodes it leaves empty.
     *
     * @return the removed message, or null
     * @throws IllegalArgumentException when the topic name is empty or holds a wildcard
     */
    public V remove(String topicName) {
        return remove(topicName, null);
    }

    /**
     * Removes the retained message of {@code topicName} only if it is still {@code expected}
     * (compared by identity), so that clearing an expired message cannot remove a newer one
     * published meanwhile.
     *
     * @return whether it was removed
     */
    public boolean removeIfSame(String topicName, V expected) {
        return remove(topicName, java.util.Objects.requireNonNull(expected, "expected")) != null;
    }

    private V remove(String topicName, V expected) {
        String[] levels = TopicLevels.splitTopicName(topicName);
        writeLock.lock();
        try {
            @SuppressWarnings("unchecked")
            Node<V>[] path = (Node<V>[]) new Node<?>[levels.length + 1];
            path[0] = root;
            for (int i = 0; i < levels.length; i++) {
                path[i + 1] = path[i].child(levels[i]);
                if (path[i + 1] == null) {
                    return null;
                }
            }
            Node<V> node = path[levels.length];
            V removed = node.value;
            if (removed == null || expected != null && removed != expected) {
                return null;
            }
            // The topic stays: a reader that has just read the old value still needs it.
            node.value = null;
            size--;
            for (int i = levels.length; i > 0 && path[i].isEmpty(); i--) {
                path[i - 1].removeChild(levels[i - 1]);
            }
            return removed;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The retained message of {@code topicName}, or null.
     *
     * @throws IllegalArgumentException when the topic name is empty or holds a wildcard
     */
    public V get(String topicName) {
        Node<V> node = root;
        for (String level : TopicLevels.splitTopicName(topicName)) {
            node = node.child(level);
            if (node == null) {
                return null;
            }
        }
        return node.value;
    }

    /**
     * Passes every retained message whose topic name matches {@code topicFilter} to the
     * consumer, with its topic name.
     *
     * @param topicFilter a valid, non-shared topic filter (shared subscriptions get no
     *                    retained messages, MQTT 5.0 section 3.3.1.3)
     * @throws IllegalArgumentException when the filter is invalid or shared
     */
    public void match(String topicFilter, BiConsumer<String, V> consumer) {
        if (Topics.isShared(topicFilter) || !Topics.isValidTopicFilter(topicFilter)) {
            throw new IllegalArgumentException("not a plain topic filter: " + topicFilter);
        }
        String[] levels = TopicLevels.split(topicFilter);
        // Branches left for later: only '+' levels create them, literal levels are followed in place.
        ArrayDeque<Frame<V>> pending = new ArrayDeque<>();
        pending.push(new Frame<>(root, 0));
        while (!pending.isEmpty()) {
            Frame<V> frame = pending.pop();
            Node<V> node = frame.node;
            int depth = frame.depth;
            while (node != null) {
                if (depth == levels.length) {
                    emit(node, consumer);
                    break;
                }
                String level = levels[depth];
                // MQTT 4.7.2: a leading wildcard does not match topics that start with '$'.
                boolean skipDollar = depth == 0;
                if (TopicLevels.MULTI.equals(level)) {
                    // "sport/#" matches "sport" too.
                    emit(node, consumer);
                    emitBelow(node, skipDollar, consumer);
                    break;
                }
                ConcurrentHashMap<String, Node<V>> children = node.children;
                if (children == null) {
                    break;
                }
                if (TopicLevels.SINGLE.equals(level)) {
                    int next = depth + 1;
                    children.forEach((childLevel, child) -> {
                        if (!skipDollar || !startsWithDollar(childLevel)) {
                            pending.push(new Frame<>(child, next));
                        }
                    });
                    break;
                }
                node = children.get(level);
                depth++;
            }
        }
    }

    /** Passes every retained message to the consumer, with its topic name. */
    public void forEach(BiConsumer<String, V> consumer) {
        emitBelow(root, false, consumer);
    }

    /** The number of retained messages. */
    public int size() {
        return size;
    }

    /** Removes every retained message. */
    public void clear() {
        writeLock.lock();
        try {
            root.children = null;
            size = 0;
        } finally {
            writeLock.unlock();
        }
    }

    /** The number of nodes below the root, for tests of pruning. */
    int nodeCount() {
        int[] count = {0};
        ArrayDeque<Node<V>> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Map<String, Node<V>> children = stack.pop().children;
            if (children != null) {
                children.forEach((level, child) -> {
                    count[0]++;
                    stack.push(child);
                });
            }
        }
        return count[0];
    }

    private static <V> void emitBelow(Node<V> top, boolean skipDollar, BiConsumer<String, V> consumer) {
        ArrayDeque<Node<V>> stack = new ArrayDeque<>();
        Map<String, Node<V>> topChildren = top.children;
        if (topChildren == null) {
            return;
        }
        topChildren.forEach((level, child) -> {
            if (!skipDollar || !startsWithDollar(level)) {
                stack.push(child);
            }
        });
        while (!stack.isEmpty()) {
            Node<V> node = stack.pop();
            emit(node, consumer);
            Map<String, Node<V>> children = node.children;
            if (children != null) {
                children.values().forEach(stack::push);
            }
        }
    }

    private static <V> void emit(Node<V> node, BiConsumer<String, V> consumer) {
        V value = node.value;
        if (value != null) {
            consumer.accept(node.topic, value);
        }
    }

    private static boolean startsWithDollar(String level) {
        return !level.isEmpty() && level.charAt(0) == '$';
    }

    private record Frame<V>(Node<V> node, int depth) {
    }

    /**
     * One topic level. Changed only under the write lock, read without it: the fields readers
     * follow are volatile, and the children map is created lazily and dropped when empty.
     */
    private static final class Node<V> {
        volatile ConcurrentHashMap<String, Node<V>> children;
        volatile V value;
        /**
         * The full topic name, set once before the first value is published and never cleared,
         * so that a reader who sees a value also sees its topic without a lock.
         */
        String topic;

        Node<V> child(String level) {
            Map<String, Node<V>> map = children;
            return map == null ? null : map.get(level);
        }

        Node<V> childOrCreate(String level) {
            ConcurrentHashMap<String, Node<V>> map = children;
            Node<V> child = map == null ? null : map.get(level);
            if (child != null) {
                return child;
            }
            child = new Node<>();
            if (map == null) {
                // Capacity 1 gives the smallest table: most nodes have a single child.
                map = new ConcurrentHashMap<>(1);
                map.put(level, child);
                children = map;
            } else {
                map.put(level, child);
            }
            return child;
        }

        void removeChild(String level) {
            ConcurrentHashMap<String, Node<V>> map = children;
            if (map != null) {
                map.remove(level);
                if (map.isEmpty()) {
                    children = null;
                }
            }
        }

        boolean isEmpty() {
            return value == null && children == null;
        }
    }
}
