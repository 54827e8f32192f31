package io.corvid.broker.session;

import io.corvid.broker.DropReason;
import io.corvid.broker.packet.Will;
import io.corvid.broker.transport.Connection.Cancellable;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** The broker services a session needs, provided by the engine. */
public interface SessionContext {

    /** The most QoS 1/2 messages in flight to one client, before the client's own Receive Maximum. */
    int maxInflight();

    /** The most messages queued for one session. */
    int maxQueuedMessages();

    /** The most bytes (message footprints) queued for one session. */
    long maxQueuedBytes();

    /** What happens to a QoS 1/2 message that a session cannot take. */
    io.corvid.broker.QueueOverflowPolicy queueOverflowPolicy();

    /** The broker-wide budget for messages held for subscribers. */
    MemoryBudget memoryBudget();

    /** Whether QoS 0 messages are queued while the client is offline. */
    boolean queueQos0WhileOffline();

    /** Where persistent sessions are written through to, or {@code null} to keep them in memory only. */
    io.corvid.broker.SessionStore store();

    /** Wall-clock time in milliseconds (message expiry survives restarts, so it is wall-clock). */
    long nowMillis();

    /** Monotonic nanoseconds, for how long a session has made no progress. */
    long nanoTime();

    /**
     * {@link #nanoTime()} as of the engine's last tick, a few dozen milliseconds old at most:
     * a field read, cheap enough to stamp every message with.
     */
    long coarseNanoTime();

    /** Where sessions of offline clients run their tasks. */
    Executor backgroundExecutor();

    /** Runs {@code task} after a delay on the broker's scheduler. */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** A message was not delivered to the session's client. */
    void messageDropped(Session session, Delivery delivery, DropReason reason);

    /** A timed message ({@link Message#timedFromNanos()}) was written to one of its subscribers. */
    void delivered(Message message);

    /**
     * Offers a message that came through a shared subscription to another member of its group.
     *
     * @param from          the session giving it up
     * @param onlineOnly    true to hand it only to a connected member; false to hand it to any
     *                      other member when none is connected
     * @return whether another member took it
     */
    boolean reroute(Session from, Delivery delivery, boolean onlineOnly);

    /** Publishes a will message on behalf of the session's client. */
    void publishWill(Session session, Will will);

    /** The session dropped these subscriptions (clean start or end): remove them from routing. */
    void subscriptionsRemoved(Session session, java.util.Collection<SubscriptionRecord> records);

    /**
     * The session ended. Unless {@code replaced} (clean start: the same object carries on as
     * the new session), remove it from the registry. Called inside the session's executor.
     */
    void sessionEnded(Session session, boolean replaced);

    /** The session's expiry interval ran out while its client was away; {@link #sessionEnded} follows. */
    void sessionExpired(Session session);
}
