package io.corvid.broker.engine;

import io.corvid.broker.session.Session;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** Sessions by client identifier; safe for concurrent use. */
final class SessionRegistry {
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    /** The session for a client identifier, created if there is none. */
    Session getOrCreate(String clientId, Function<String, Session> factory) {
        return sessions.computeIfAbsent(clientId, factory);
    }

    /** The session, or {@code null}. */
    Session get(String clientId) {
        return sessions.get(clientId);
    }

    /** Removes exactly this session object (not a newer one under the same identifier). */
    void remove(Session session) {
        sessions.remove(session.clientId(), session);
    }

    Collection<Session> all() {
        return sessions.values();
    }

    int size() {
        return sessions.size();
    }
}
