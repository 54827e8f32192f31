package io.corvid.broker;

import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.Subscription;
import java.util.List;
import java.util.Objects;

/**
 * Where the broker keeps what must outlive it: persistent sessions (their subscriptions and
 * their unacknowledged QoS 1/2 messages) and retained messages. The broker writes through to
 * the store as state changes and reads it back once, at start.
 *
 * <p>Only what MQTT asks to keep is written: sessions with an expiry interval (MQTT 3.1.1
 * clean session 0), their QoS 1/2 messages, and retained messages. Clean sessions and QoS 0
 * never reach the store.
 *
 * <p>Calls come from many threads at once (each session writes from its own executor); an
 * implementation must be thread safe. Calls for one client identifier never overlap. A store
 * method that throws is logged and the broker carries on with its in-memory state.
 *
 * <p>Without a store ({@link Broker.Builder#sessionStore} not set) persistent sessions live in
 * the broker's memory only, for as long as the broker runs.
 */
public interface SessionStore {

    /** Everything stored, read once when the broker starts. */
    State load();

    /** Creates or replaces a session's record (not its messages). */
    void saveSession(StoredSession session);

    /** Removes a session's record and all its messages. */
    void removeSession(String clientId);

    /** Creates or replaces one message of a session, keyed by its sequence number. */
    void saveMessage(String clientId, StoredMessage message);

    /** Removes one message of a session. */
    void removeMessage(String clientId, long sequence);

    /** Creates or replaces the retained message of {@code message.topic()}. */
    void saveRetained(StoredMessage message);

    /** Removes the retained message of a topic. */
    void removeRetained(String topic);

    /**
     * Runs {@code callback} once every change handed to this store before the call is as
     * durable as the store promises (written to the operating system, or forced to disk). The
     * broker sends PUBACK and PUBREC from such callbacks, so that an acknowledged message
     * survives what the store promises it survives. The call must not block: the broker makes
     * it on its event loops. The callback runs exactly once, on any thread, in the order of
     * the calls; if the store fails, it still runs, after the failure is logged.
     *
     * <p>The default suits a store whose every call is durable when it returns.
     */
    default void whenDurable(Runnable callback) {
        callback.run();
    }

    /** Makes everything handed to the store durable and releases it; the broker calls it when it stops. */
    default void close() {
    }

    /**
     * What a store holds.
     *
     * @param sessions the sessions, each with its messages
     * @param retained the retained messages
     */
    record State(List<StoredSession> sessions, List<StoredMessage> retained) {
        public State {
            sessions = List.copyOf(sessions);
            retained = List.copyOf(retained);
        }
    }

    /**
     * A persistent session.
     *
     * @param clientId              the client identifier
     * @param expiryIntervalSeconds how long it outlives its connection ({@link BrokerConfig#SESSION_NEVER_EXPIRES} for ever)
     * @param disconnectedAtMillis  wall-clock time its client went away, or 0 while connected
     * @param subscriptions         its subscriptions
     * @param messages              its pending messages, in sequence order (filled by {@link #load()})
     * @param inboundQos2PacketIds  packet identifiers of QoS 2 messages received from the client
     *                              and not yet released by its PUBREL: a resend of one of them
     *                              after a restart must not be delivered again
     * @param protocolLevel         the MQTT protocol level its client last connected with (3, 4 or 5), 0 if unknown
     * @param will                  the will of its client, or {@code null}: while the client is
     *                              connected, the will it gave at CONNECT; after it went away,
     *                              the will that waits for its delay
     * @param willDueAtMillis       wall-clock time the waiting will is due, or 0 while the client
     *                              is connected (a broker that restarts lost that connection: the
     *                              will is then due its delay after the restart)
     */
    record StoredSession(String clientId, long expiryIntervalSeconds, long disconnectedAtMillis,
                         List<StoredSubscription> subscriptions, List<StoredMessage> messages,
                         List<Integer> inboundQos2PacketIds, int protocolLevel, io.corvid.broker.packet.Will will,
                         long willDueAtMillis) {
        public StoredSession {
            Objects.requireNonNull(clientId, "clientId");
            subscriptions = List.copyOf(subscriptions);
            messages = List.copyOf(messages);
            inboundQos2PacketIds = List.copyOf(inboundQos2PacketIds);
        }

        /** A session record without protocol level or will. */
        public StoredSession(String clientId, long expiryIntervalSeconds, long disconnectedAtMillis,
                             List<StoredSubscription> subscriptions, List<StoredMessage> messages,
                             List<Integer> inboundQos2PacketIds) {
            this(clientId, expiryIntervalSeconds, disconnectedAtMillis, subscriptions, messages, inboundQos2PacketIds,
                    0, null, 0);
        }

        /** The same session with {@code loaded} as its messages (a store fills them in at load). */
        public StoredSession withMessages(List<StoredMessage> loaded) {
            return new StoredSession(clientId, expiryIntervalSeconds, disconnectedAtMillis, subscriptions, loaded,
                    inboundQos2PacketIds, protocolLevel, will, willDueAtMillis);
        }
    }

    /**
     * One subscription of a stored session.
     *
     * @param subscription the filter and options
     * @param identifier   the MQTT 5.0 subscription identifier, 0 for none
     */
    record StoredSubscription(Subscription subscription, int identifier) {
    }

    /**
     * A message waiting for, or in flight to, a client; or a retained message.
     *
     * @param sequence                order of the message in its session (0 for retained messages)
     * @param topic                   the topic name
     * @param payload                 the payload
     * @param qos                     the QoS it is delivered at
     * @param retain                  the RETAIN flag to send
     * @param properties              its MQTT 5.0 properties
     * @param publisherId             the publishing client, or {@code null}
     * @param expiresAtMillis         wall-clock expiry, {@link Long#MAX_VALUE} for never
     * @param subscriptionIdentifiers identifiers to send with it
     * @param packetId                the packet identifier it was sent with, 0 while queued
     * @param released                QoS 2 only: PUBREC received, PUBREL sent
     */
    record StoredMessage(long sequence, String topic, byte[] payload, QoS qos, boolean retain, Properties properties,
                         String publisherId, long expiresAtMillis, int[] subscriptionIdentifiers, int packetId,
                         boolean released) {
        public StoredMessage {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(qos, "qos");
            Objects.requireNonNull(properties, "properties");
            Objects.requireNonNull(subscriptionIdentifiers, "subscriptionIdentifiers");
        }
    }

    /**
     * Gives the store the broker's metrics recorder, before {@link #load()}; a store that
     * commits in batches reports each commit to it. Stores that do not time anything ignore it.
     */
    default void metricsRecorder(MetricsRecorder recorder) {
    }
}
