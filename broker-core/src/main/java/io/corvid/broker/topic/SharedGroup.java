package io.corvid.broker.topic;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The members of one shared subscription {@code $share/{name}/{filter}} (MQTT 5.0 section
 * 4.8.2): a message matching the filter goes to one member of the group, not to all.
 *
 * <p>The trie hands groups to its visitor; the engine reads {@link #members()}, a snapshot that
 * never changes after it is read, and asks {@link #nextIndex(int)} where to start looking for an
 * eligible member, so that deliveries rotate through the group. Which member is eligible
 * (online, with room in its inflight window ...) is the engine's decision.
 *
 * <p>Membership changes only under the owning {@link TopicTrie}'s write lock; reading is lock
 * free. Groups are small, so each change copies the member list.
 *
 * @param <K> the subscriber key
 * @param <V> the per-subscription value
 */
public final class SharedGroup<K, V> {
    private final String name;
    private final String filter;
    /** {@code $share/{name}/{filter}}: made once, because a cluster names groups by it on every publish. */
    private final String shareFilter;
    // A long cannot wrap in practice, so the rotation never jumps when the counter overflows.
    private final AtomicLong cursor = new AtomicLong();
    private volatile List<Member<K, V>> members = List.of();

    SharedGroup(String name, String filter) {
        this.name = name;
        this.filter = filter;
        this.shareFilter = Topics.SHARED_PREFIX + name + "/" + filter;
    }

    /** The share name, the {@code {name}} of {@code $share/{name}/{filter}}. */
    public String name() {
        return name;
    }

    /** The topic filter the group shares, without the {@code $share/{name}/} prefix. */
    public String filter() {
        return filter;
    }

    /** The shared subscription's whole filter, {@code $share/{name}/{filter}}, as a client subscribes to it. */
    public String shareFilter() {
        return shareFilter;
    }

    /**
     * The members at the time of the call, in the order they joined; an immutable list that
     * later subscribes and unsubscribes do not change.
     */
    public List<Member<K, V>> members() {
        return members;
    }

    /**
     * Where to start looking for a member for the next message: successive calls return
     * successive indexes modulo {@code memberCount}, also across threads.
     *
     * @param memberCount the size of the {@link #members()} snapshot the caller picks from
     * @throws IllegalArgumentException when {@code memberCount} is not positive
     */
    public int nextIndex(int memberCount) {
        if (memberCount <= 0) {
            throw new IllegalArgumentException("member count must be positive: " + memberCount);
        }
        return (int) Math.floorMod(cursor.getAndIncrement(), (long) memberCount);
    }

    @Override
    public String toString() {
        return "SharedGroup[$share/" + name + "/" + filter + ", " + members.size() + " members]";
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    V get(K key) {
        for (Member<K, V> member : members) {
            if (member.key().equals(key)) {
                return member.value();
            }
        }
        return null;
    }

    /** Adds or replaces; the caller holds the trie's write lock. */
    V put(K key, V value) {
        List<Member<K, V>> current = members;
        int index = indexOf(current, key);
        Member<K, V>[] next = toArray(current, index < 0 ? current.size() + 1 : current.size());
        next[index < 0 ? current.size() : index] = new Member<>(key, value);
        members = Collections.unmodifiableList(Arrays.asList(next));
        return index < 0 ? null : current.get(index).value();
    }

    /** Removes; the caller holds the trie's write lock. */
    V remove(K key) {
        List<Member<K, V>> current = members;
        int index = indexOf(current, key);
        if (index < 0) {
            return null;
        }
        Member<K, V>[] next = toArray(current, current.size() - 1);
        for (int i = index + 1; i < current.size(); i++) {
            next[i - 1] = current.get(i);
        }
        members = next.length == 0 ? List.of() : Collections.unmodifiableList(Arrays.asList(next));
        return current.get(index).value();
    }

    private static <K, V> int indexOf(List<Member<K, V>> list, K key) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).key().equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** A new array of {@code length} holding the first elements of {@code list} that fit. */
    @SuppressWarnings("unchecked")
    private static <K, V> Member<K, V>[] toArray(List<Member<K, V>> list, int length) {
        Member<K, V>[] array = (Member<K, V>[]) new Member<?, ?>[length];
        for (int i = 0; i < Math.min(length, list.size()); i++) {
            array[i] = list.get(i);
        }
        return array;
    }

    /**
     * One member of a shared group.
     *
     * @param key   the subscriber
     * @param value its subscription value (the subscription options, for the engine)
     * @param <K>   the subscriber key
     * @param <V>   the per-subscription value
     */
    public record Member<K, V>(K key, V value) {
    }
}
