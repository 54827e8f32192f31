package io.corvid.broker.store.mvstore;

import io.corvid.broker.BrokerConfig;
import io.corvid.broker.SessionStore.State;
import io.corvid.broker.SessionStore.StoredMessage;
import io.corvid.broker.SessionStore.StoredSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * Reads the whole store: to check every record when the file is opened, to load the state
 * (dropping what has expired and the messages of sessions that do not exist), and to purge
 * what has expired while the broker runs. Removals are made in the maps; the caller commits.
 */
final class StoreScan {
    private enum Mode {
        /** Decode and check every record; change nothing. */
        VERIFY,
        /** Decode every record, remove expired records and orphan messages, keep the rest. */
        LOAD,
        /** Remove expired records (and the messages of expired sessions); read only what decides it. */
        PURGE
    }

    /** What a load read, and what it dropped. */
    record Loaded(State state, int messages, PurgeResult purged, int orphans) {
    }

    private final StoreMaps maps;
    private final Mode mode;
    private final long nowMillis;
    private final List<StoredSession> sessions = new ArrayList<>();
    private final Set<String> liveClients = new HashSet<>();
    private final Set<String> expiredClients = new HashSet<>();
    private final Map<String, List<StoredMessage>> messagesByClient = new HashMap<>();
    private final List<StoredMessage> retained = new ArrayList<>();
    private int messageCount;
    private int expiredMessages;
    private int orphans;
    private int expiredRetained;

    private StoreScan(StoreMaps maps, Mode mode, long nowMillis) {
        this.maps = maps;
        this.mode = mode;
        this.nowMillis = nowMillis;
    }

    /** Decodes every record; throws {@link CorruptRecordException} (or MVStore's) at the first bad one. */
    static void verify(StoreMaps maps) {
        new StoreScan(maps, Mode.VERIFY, 0).run();
    }

    /** Everything stored, less what has expired at {@code nowMillis} and orphan messages, which are removed. */
    static Loaded load(StoreMaps maps, long nowMillis) {
        StoreScan scan = new StoreScan(maps, Mode.LOAD, nowMillis);
        scan.run();
        List<StoredSession> loaded = new ArrayList<>(scan.sessions.size());
        for (StoredSession session : scan.sessions) {
            loaded.add(session.withMessages(scan.messagesByClient.getOrDefault(session.clientId(), List.of())));
        }
        return new Loaded(new State(loaded, scan.retained), scan.messageCount, scan.purged(), scan.orphans);
    }

    /** Removes what has expired at {@code nowMillis}. */
    static PurgeResult purge(StoreMaps maps, long nowMillis) {
        StoreScan scan = new StoreScan(maps, Mode.PURGE, nowMillis);
        scan.run();
        return scan.purged();
    }

    /**
     * Whether a session has outlived its expiry interval. A session whose client was connected
     * when the broker stopped ({@code disconnectedAtMillis == 0}, as a crash leaves it) is kept,
     * and so is one with a will still to publish: the broker publishes it, then ends the session.
     */
    static boolean expired(StoredSession session, long nowMillis) {
        if (session.disconnectedAtMillis() == 0 || session.will() != null
                || session.expiryIntervalSeconds() == BrokerConfig.SESSION_NEVER_EXPIRES) {
            return false;
        }
        return nowMillis - session.disconnectedAtMillis() >= session.expiryIntervalSeconds() * 1000L;
    }

    private PurgeResult purged() {
        return new PurgeResult(expiredClients.size(), expiredMessages, expiredRetained);
    }

    private void run() {
        scanSessions();
        scanMessages();
        scanRetained();
    }

    private void scanSessions() {
        List<byte[]> remove = new ArrayList<>();
        Cursor<byte[], byte[]> cursor = maps.sessions.cursor(null);
        while (cursor.hasNext()) {
            byte[] key = cursor.next();
            StoredSession session = RecordCodec.decodeSession(key, cursor.getValue());
            if (mode != Mode.VERIFY && expired(session, nowMillis)) {
                remove.add(key);
                expiredClients.add(session.clientId());
            } else {
                liveClients.add(session.clientId());
                if (mode == Mode.LOAD) {
                    sessions.add(session);
                }
            }
        }
        removeAll(maps.sessions, remove);
    }

    private void scanMessages() {
        List<byte[]> remove = new ArrayList<>();
        byte[] previousKey = null;
        String clientId = null;
        Cursor<byte[], byte[]> cursor = maps.messages.cursor(null);
        while (cursor.hasNext()) {
            byte[] key = cursor.next();
            if (previousKey == null || !Keys.sameClient(previousKey, key)) {
                clientId = Keys.messageClientId(key);
            }
            previousKey = key;
            byte[] record = cursor.getValue();
            if (mode == Mode.VERIFY) {
                decodeSessionMessage(key, record);
            } else if (expiredClients.contains(clientId)) {
                remove.add(key);
                expiredMessages++;
            } else if (!liveClients.contains(clientId) && mode == Mode.LOAD) {
                remove.add(key);
                orphans++;
            } else if (mode == Mode.PURGE) {
                if (RecordCodec.messageExpiresAtMillis(key, record) <= nowMillis) {
                    remove.add(key);
                    expiredMessages++;
                }
            } else {
                StoredMessage message = decodeSessionMessage(key, record);
                if (message.expiresAtMillis() <= nowMillis) {
                    remove.add(key);
                    expiredMessages++;
                } else {
                    messagesByClient.computeIfAbsent(clientId, id -> new ArrayList<>()).add(message);
                    messageCount++;
                }
            }
        }
        removeAll(maps.messages, remove);
    }

    private static StoredMessage decodeSessionMessage(byte[] key, byte[] record) {
        StoredMessage message = RecordCodec.decodeMessage(key, record);
        if (message.sequence() != Keys.messageSequence(key)) {
            throw new CorruptRecordException("message " + message.sequence() + " stored under sequence "
                    + Keys.messageSequence(key));
        }
        return message;
    }

    private void scanRetained() {
        List<byte[]> remove = new ArrayList<>();
        Cursor<byte[], byte[]> cursor = maps.retained.cursor(null);
        while (cursor.hasNext()) {
            byte[] key = cursor.next();
            byte[] record = cursor.getValue();
            if (mode == Mode.PURGE) {
                if (RecordCodec.messageExpiresAtMillis(key, record) <= nowMillis) {
                    remove.add(key);
                }
                continue;
            }
            StoredMessage message = RecordCodec.decodeMessage(key, record);
            if (!message.topic().equals(Keys.text(key))) {
                throw new CorruptRecordException("retained message of " + message.topic() + " stored under "
                        + Keys.text(key));
            }
            if (mode == Mode.LOAD) {
                if (message.expiresAtMillis() <= nowMillis) {
                    remove.add(key);
                } else {
                    retained.add(message);
                }
            }
        }
        expiredRetained = remove.size();
        removeAll(maps.retained, remove);
    }

    private static void removeAll(MVMap<byte[], byte[]> map, List<byte[]> keys) {
        for (byte[] key : keys) {
            map.remove(key);
        }
    }
}
