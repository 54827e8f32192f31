package io.corvid.broker.topic;

import java.util.ArrayList;
import java.util.List;

/** Collects what a {@link TopicTrie#match} reports, in order. */
final class RecordingVisitor<K, V> implements TrieVisitor<K, V> {
    final List<K> subscribers = new ArrayList<>();
    final List<V> values = new ArrayList<>();
    final List<SharedGroup<K, V>> groups = new ArrayList<>();

    static <K, V> RecordingVisitor<K, V> match(TopicTrie<K, V> trie, String topic) {
        RecordingVisitor<K, V> visitor = new RecordingVisitor<>();
        trie.match(topic, visitor);
        return visitor;
    }

    @Override
    public void subscriber(K key, V value) {
        subscribers.add(key);
        values.add(value);
    }

    @Override
    public void sharedGroup(SharedGroup<K, V> group) {
        groups.add(group);
    }
}
