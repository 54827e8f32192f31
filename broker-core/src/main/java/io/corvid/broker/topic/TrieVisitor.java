package io.corvid.broker.topic;

/**
 * Receives the subscriptions that match a topic name in {@link TopicTrie#match}. Called on the
 * matching thread, while the match runs; a visitor collects or acts, it does not block.
 *
 * @param <K> the subscriber key
 * @param <V> the per-subscription value
 */
public interface TrieVisitor<K, V> {
    /**
     * A non-shared subscription whose filter matches. A subscriber with several matching
     * filters is reported once per filter; merging them (MQTT 5.0 section 3.3.4) is the
     * caller's job.
     */
    void subscriber(K key, V value);

    /**
     * A shared subscription group whose filter matches, reported once per group and filter;
     * the caller delivers to one of its members.
     */
    void sharedGroup(SharedGroup<K, V> group);
}
