package io.corvid.broker.store;

import io.corvid.broker.SessionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link SessionStore} in the JVM's heap. Sessions and retained messages survive a broker
 * being stopped and a new one started with the same store, not the JVM. It is the reference
 * behaviour for durable stores, and what an embedding application uses when its broker
 * restarts inside a long-lived process.
 */
public final class InMemorySessionStore implements SessionStore {
    private final Map<String, StoredSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentNavigableMap<Long, StoredMessage>> messages = new ConcurrentHashMap<>();
    private final Map<String, StoredMessage> retained = new ConcurrentHashMap<>();

    @Override
    public State load() {
        List<StoredSession> loaded = new ArrayList<>(sessions.size());
        for (StoredSession session : sessions.values()) {
            Map<Long, StoredMessage> pending = messages.getOrDefault(session.clientId(), new ConcurrentSkipListMap<>());
            loaded.add(session.withMessages(new ArrayList<>(pending.values())));
        }
        return new State(loaded, new ArrayList<>(retained.values()));
    }

    @Override
    public void saveSession(StoredSession session) {
        sessions.put(session.clientId(), session);
    }

    @Override
    public void removeSession(String clientId) {
        sessions.remove(clientId);
        messages.remove(clientId);
    }

    @Override
    public void saveMessage(String clientId, StoredMessage message) {
        messages.computeIfAbsent(clientId, id -> new ConcurrentSkipListMap<>()).put(message.sequence(), message);
    }

    @Override
    public void removeMessage(String clientId, long sequence) {
        ConcurrentNavigableMap<Long, StoredMessage> pending = messages.get(clientId);
        if (pending != null) {
            pending.remove(sequence);
        }
    }

    @Override
    public void saveRetained(StoredMessage message) {
        retained.put(message.topic(), message);
    }

    @Override
    public void removeRetained(String topic) {
        retained.remove(topic);
    }

    /** How many sessions are stored. */
    public int sessionCount() {
        return sessions.size();
    }

    /** How many messages are stored for a client. */
    public int messageCount(String clientId) {
        Map<Long, StoredMessage> pending = messages.get(clientId);
        return pending == null ? 0 : pending.size();
    }

    /** How many retained messages are stored. */
    public int retainedCount() {
        return retained.size();
    }
}
