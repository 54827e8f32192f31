package io.corvid.broker.store.mvstore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The open MVStore and its maps. Only the writer thread changes them, once the store is open.
 *
 * <ul>
 *   <li>{@value #META}: store metadata, among it the format version ({@value #FORMAT_KEY});
 *   <li>{@value #SESSIONS}: session records by client identifier;
 *   <li>{@value #MESSAGES}: session messages by client identifier and sequence number;
 *   <li>{@value #RETAINED}: retained messages by topic.
 * </ul>
 */
final class StoreMaps {
    static final String META = "meta";
    static final String SESSIONS = "sessions";
    static final String MESSAGES = "messages";
    static final String RETAINED = "retained";
    static final String FORMAT_KEY = "format";
    static final String CREATED_KEY = "created";

    final Path file;
    /** The file's real path, by which {@link StoreFiles} knows it is open; null for a scratch store. */
    final Path identity;
    final MVStore store;
    final MVMap<byte[], byte[]> meta;
    final MVMap<byte[], byte[]> sessions;
    final MVMap<byte[], byte[]> messages;
    final MVMap<byte[], byte[]> retained;

    StoreMaps(Path file, Path identity, MVStore store) {
        this.file = file;
        this.identity = identity;
        this.store = store;
        this.meta = open(store, META);
        this.sessions = open(store, SESSIONS);
        this.messages = open(store, MESSAGES);
        this.retained = open(store, RETAINED);
    }

    private static MVMap<byte[], byte[]> open(MVStore store, String name) {
        return store.openMap(name, new MVMap.Builder<byte[], byte[]>()
                .keyType(BytesType.INSTANCE)
                .valueType(BytesType.INSTANCE));
    }

    /** A metadata entry, or {@code null}. */
    String metaValue(String key) {
        byte[] value = meta.get(Keys.text(key));
        return value == null ? null : Keys.text(value);
    }

    void putMeta(String key, String value) {
        meta.put(Keys.text(key), Keys.text(value));
    }

    /** Removes every message of a client; returns how many there were. */
    int removeMessagesOf(String clientId) {
        byte[] last = Keys.lastMessage(clientId);
        List<byte[]> keys = new ArrayList<>();
        Iterator<byte[]> iterator = messages.keyIterator(Keys.firstMessage(clientId));
        while (iterator.hasNext()) {
            byte[] key = iterator.next();
            if (BytesType.INSTANCE.compare(key, last) > 0) {
                break;
            }
            keys.add(key);
        }
        for (byte[] key : keys) {
            messages.remove(key);
        }
        return keys.size();
    }
}
