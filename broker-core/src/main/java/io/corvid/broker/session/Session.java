package io.corvid.broker.session;

import io.corvid.broker.BrokerConfig;
import io.corvid.broker.DropReason;
import io.corvid.broker.QueueOverflowPolicy;
import io.corvid.broker.SessionInfo;
import io.corvid.broker.SessionStore;
import io.corvid.broker.SessionStore.StoredMessage;
import io.corvid.broker.SessionStore.StoredSession;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.Will;
import io.corvid.broker.transport.Connection.Cancellable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state MQTT keeps per client identifier across connections: subscriptions, the queue of
 * messages waiting to be sent, the QoS 1/2 messages in flight in both directions, the pending
 * will, and expiry.
 *
 * <p>Every method that reads or changes that state must run inside {@link #executor()}, the
 * session's serial executor; the engine submits tasks there. The few methods that say they
 * are thread safe read volatile copies for snapshots.
 */
public final class Session {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /**
     * Hand-offs a session may have waiting while it still counts as keeping up: about one
     * batch of its executor. Beyond that its thread is behind, and at an exhausted memory
     * budget it takes no more.
     */
    private static final int HANDOFF_SLACK = 256;
    /**
     * How long a session with messages waiting may send nothing before it counts as stuck: at
     * an exhausted memory budget a stuck session takes no more messages, while one that is
     * merely behind keeps taking them and holds its publishers back instead.
     */
    static final long STUCK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** While parked, one hand-off in this many wakes the session's thread to apply its limits. */
    private static final int PARKED_BATCH = 256;
    /**
     * At most this many packets wait for the store ({@link StoreHold}) before the pump stops
     * taking more: QoS 1/2 are bounded by the inflight window anyway, QoS 0 between them only by this.
     */
    private static final int MAX_HELD = 1024;

    /** What a publisher learns from handing a delivery over ({@link #offer}). */
    public enum Handoff {
        /** Taken as usual. */
        ACCEPTED,
        /**
         * Taken, but the memory budget is exhausted and this session is behind (it is still
         * sending): the publisher should be held back until it has caught up ({@link #whenRelieved}).
         */
        BEHIND,
        /**
         * Refused: the memory budget is exhausted and this session is stuck (its client is away,
         * or it has sent nothing for a while). QoS 0 was dropped; QoS 1/2 meets the overflow
         * policy; a QoS 1/2 publisher should be held back until the hand-off is taken.
         */
        REFUSED
    }

    private static final VarHandle NEXT_SEQUENCE;
    private static final VarHandle PENDING_HANDOFFS;
    private static final VarHandle RELIEF_WAITERS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            NEXT_SEQUENCE = lookup.findVarHandle(Session.class, "nextSequence", long.class);
            PENDING_HANDOFFS = lookup.findVarHandle(Session.class, "pendingHandoffs", int.class);
            RELIEF_WAITERS = lookup.findVarHandle(Session.class, "reliefWaiters", Queue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String clientId;
    private final SessionContext context;
    private final SerialExecutor executor;

    /**
     * Made at the first subscription: many clients only publish, and an empty map still costs
     * 64 bytes. Written only in the session's executor; volatile for the threads that read it.
     */
    private volatile Map<String, SubscriptionRecord> subscriptions = Map.of();
    private final OutboundQueue queue;
    /** The backlog of every session that has not had one: only read, replaced before the first write. */
    private static final ArrayDeque<Delivery> NO_BACKLOG = new ArrayDeque<>(0);
    /** Retained messages for the connected client's new subscriptions, sent before the queue. */
    private ArrayDeque<Delivery> retainedBacklog = NO_BACKLOG;
    private final InflightWindow inflight = new InflightWindow();
    /** Made on the first inbound QoS 2 message: most clients never send one. */
    private Set<Integer> inboundQos2;
    /** PUBLISH packets waiting for the store to make QoS 2 identifiers durable; made at first use. */
    private StoreHold hold;

    private OutboundChannel channel;
    private boolean channelReady;
    private boolean fresh = true;
    private long expiryIntervalSeconds;
    private Cancellable expiryTimer;
    private Will pendingWill;
    /** Wall-clock time the pending will is due: kept in the store so that a restart keeps the delay. */
    private long pendingWillDueAtMillis;
    /** The will of the attached client, as given at CONNECT: kept in the store for a restart. */
    private Will connectedWill;
    private int protocolLevel;
    private Cancellable willTimer;
    private int generation;
    /**
     * The epoch of the cluster claim under which this node holds the session (0: none). Only the
     * session's thread touches it.
     */
    private long claimEpoch;
    /** Whether this session is written through to the store: a store is configured and the session outlives its connection. */
    private volatile boolean persistent;
    /**
     * Store sequence numbers: taken on publishers' threads, which store a message before handing
     * it over. This and the two fields below are updated through VarHandles rather than held in
     * atomic objects: an idle connection's session should cost as few objects as it can.
     */
    private volatile long nextSequence = 1;
    private long disconnectedAtMillis;

    /** Deliveries handed to this session's executor and not yet taken: the hand-off backlog. */
    private volatile int pendingHandoffs;
    /** Publishers held back until this session is relieved (see {@link #whenRelieved}); made at first use. */
    private volatile Queue<Runnable> reliefWaiters;
    /**
     * Whether the connected client takes no bytes and messages wait: deliveries then join the
     * executor's queue without waking its thread, a batch at a time (see {@link #offer}).
     * Set by the session when it stops sending, cleared by {@link #unpark()} before the pump
     * that follows a writability change.
     */
    private volatile boolean parked;
    /** When a session with messages waiting last sent one (or began to have messages waiting). */
    private volatile long lastProgressNanos;
    /**
     * Whether messages for this session wait instead of going straight out: its client is away
     * or not ready, or its queue is not empty. Written by the session, read by publishers when
     * the memory budget is exhausted.
     */
    private volatile boolean lagging = true;
    /**
     * Whether this session is dropping for lack of room; logged once per episode, until its queue
     * empties. Written by the session, read by publishers deciding whether to drop at once.
     */
    private volatile boolean overflowing;

    private volatile boolean ended;
    private volatile boolean connected;
    private volatile int queuedCount;
    /** The queue's bytes as of the session's last pump, for publishers deciding whether to wake it. */
    private volatile long queuedBytes;
    private volatile int inflightCount;

    /** A new, empty session; it lives offline on the context's background executor until attached. */
    public Session(String clientId, SessionContext context) {
        this(clientId, context, context.backgroundExecutor());
    }

    /**
     * A new, empty session whose work starts on {@code firstExecutor}: the thread of the
     * connection about to attach, which saves a hop through the background executor at connect.
     */
    public Session(String clientId, SessionContext context, Executor firstExecutor) {
        this.clientId = clientId;
        this.context = context;
        this.queue = new OutboundQueue(context.memoryBudget());
        this.lastProgressNanos = context.coarseNanoTime();
        // Inline execution is the last resort when every executor refuses work during shutdown.
        this.executor = new SerialExecutor(firstExecutor, Runnable::run, this::flushChannel);
    }

    /** The client identifier. Thread safe. */
    public String clientId() {
        return clientId;
    }

    /** The serial executor all state changes run in. Thread safe. */
    public Executor executor() {
        return executor;
    }

    /** Whether the session has ended; an ended session takes no more messages. Thread safe. */
    public boolean isEnded() {
        return ended;
    }

    /** Whether {@code candidate} is the attached connection. */
    public boolean isAttachedTo(OutboundChannel candidate) {
        return channel == candidate;
    }

    /** Whether a client is attached. Thread safe. */
    public boolean isConnected() {
        return connected;
    }

    /**
     * Messages queued, as last published by the session's thread, plus those handed over and
     * not yet taken (a parked session takes hand-offs in batches). Thread safe.
     */
    public int queuedMessagesSnapshot() {
        return queuedCount + pendingHandoffs;
    }

    /** Messages in flight, as last published by the session's thread. Thread safe. */
    public int inflightMessagesSnapshot() {
        return inflightCount;
    }

    /** Whether the session holds a subscription to exactly {@code filter}. Thread safe. */
    public boolean hasSubscription(String filter) {
        return subscriptions.containsKey(filter);
    }

    /** How many subscriptions the session has. Thread safe. */
    public int subscriptionCount() {
        return subscriptions.size();
    }

    /** A snapshot for the embedding application. Thread safe. */
    public SessionInfo info() {
        List<Subscription> list = new ArrayList<>(subscriptions.size());
        for (SubscriptionRecord record : subscriptions.values()) {
            list.add(record.subscription());
        }
        long expiry = expiryIntervalSeconds == BrokerConfig.SESSION_NEVER_EXPIRES ? -1 : expiryIntervalSeconds;
        return new SessionInfo(clientId, connected, list, queuedCount, inflightCount, expiry);
    }

    // ------------------------------------------------------------ connection lifecycle

    /**
     * Attaches a connection. If another connection is attached it is taken over: it is told
     * to close with 0x8E and its will is handled as the specification asks. Clean start
     * discards the previous state (ending it, which publishes a pending will).
     *
     * <p>The session's executor moves to {@code connectionExecutor} after this task; the caller
     * submits {@link #channelReady()} next, which then runs on the connection's thread.
     *
     * @return whether a previous session was resumed (CONNACK's session present flag)
     */
    public boolean attach(OutboundChannel newChannel, Executor connectionExecutor, boolean cleanStart,
                          long newExpiryIntervalSeconds) {
        return attach(newChannel, connectionExecutor, cleanStart, newExpiryIntervalSeconds, 0, null);
    }

    /**
     * As {@link #attach(OutboundChannel, Executor, boolean, long)}, recording for the store the
     * client's protocol level and the will it gave at CONNECT.
     */
    public boolean attach(OutboundChannel newChannel, Executor connectionExecutor, boolean cleanStart,
                          long newExpiryIntervalSeconds, int newProtocolLevel, Will will) {
        boolean endsOldSession = cleanStart;
        if (channel != null) {
            // A session with expiry 0 (an MQTT 3.1.1 clean session too) lasts as long as its
            // network connection, which the takeover closes: it ends here, and the new
            // connection gets a new one even without clean start (MQTT-3.1.2-6, 5.0 3.1.2.11.2).
            endsOldSession |= expiryIntervalSeconds == 0;
            Will oldWill = channel.takeOver();
            if (oldWill != null) {
                // The old connection closed without DISCONNECT. A will without delay goes out
                // now; a delayed one is suppressed because a new connection resumes the
                // session in time, unless the session ends, which publishes it below.
                if (endsOldSession || willDelaySeconds(oldWill) == 0) {
                    context.publishWill(this, oldWill);
                }
            }
            channel = null;
            releaseNothingHeld(DropReason.CLIENT_OFFLINE);
        }
        cancelTimers();
        if (pendingWill != null) {
            // Reconnecting in time suppresses a delayed will; clean start ends the old
            // session, and a session's end is due time for its will.
            Will due = pendingWill;
            pendingWill = null;
            if (endsOldSession) {
                context.publishWill(this, due);
            }
        }
        boolean sessionPresent = !fresh && !endsOldSession;
        if (endsOldSession && !fresh) {
            discardState();
        }
        protocolLevel = newProtocolLevel;
        connectedWill = will;
        fresh = false;
        generation++;
        channel = newChannel;
        channelReady = false;
        connected = true;
        disconnectedAtMillis = 0;
        expiryIntervalSeconds = newExpiryIntervalSeconds;
        updatePersistence();
        updateLagging();
        executor.retarget(connectionExecutor);
        return sessionPresent;
    }

    /**
     * The attached connection has sent CONNACK: resend what was in flight (PUBLISH with DUP,
     * or PUBREL), then the queue.
     */
    public void channelReady() {
        if (channel == null) {
            return;
        }
        channelReady = true;
        long now = context.nowMillis();
        for (InflightWindow.Flight flight : inflight.inOrder()) {
            if (flight.released) {
                channel.sendPubRel(flight.packetId);
            } else {
                // A QoS 2 identifier stored for the connection before may not be durable yet.
                emit(flight.delivery, flight, toPublish(flight.delivery, flight.packetId, true, now),
                        mustBeDurableFirst(flight.delivery));
            }
        }
        pump();
    }

    /**
     * The connection closed. A connection that was taken over is no longer attached and is
     * ignored. Otherwise the session either ends now (expiry 0) or waits for its client, with
     * the will scheduled after its delay.
     *
     * @param will                   the will to publish, or {@code null} (normal DISCONNECT)
     * @param expiryIntervalSeconds  the session expiry in force at the close (DISCONNECT may change it)
     */
    public void detach(OutboundChannel closed, Will will, long expiryIntervalSeconds) {
        if (channel != closed) {
            if (will != null) {
                context.publishWill(this, will);
            }
            return;
        }
        channel = null;
        channelReady = false;
        connected = false;
        parked = false;
        releaseNothingHeld(DropReason.CLIENT_OFFLINE);
        connectedWill = null;
        retainedBacklog = NO_BACKLOG; // a new subscription on reconnect sends them again
        updateLagging();
        this.expiryIntervalSeconds = expiryIntervalSeconds;
        disconnectedAtMillis = context.nowMillis();
        updatePersistence();
        executor.retarget(context.backgroundExecutor());
        if (expiryIntervalSeconds > 0) {
            rerouteShared(true);
        }
        if (expiryIntervalSeconds == 0) {
            pendingWill = will;
            end();
            return;
        }
        if (will != null) {
            long delay = willDelaySeconds(will);
            if (delay == 0) {
                context.publishWill(this, will);
            } else {
                scheduleWill(will, disconnectedAtMillis + TimeUnit.SECONDS.toMillis(delay));
            }
        }
        storeQos1Identifiers();
        saveSessionRecord();
        scheduleExpiry(TimeUnit.SECONDS.toMillis(expiryIntervalSeconds));
    }

    /** The epoch of the cluster claim under which this node holds the session, 0 for none. */
    public long claimEpoch() {
        return claimEpoch;
    }

    /** Records the cluster claim a connection about to attach holds; an older one never replaces a newer. */
    public void claimEpoch(long epoch) {
        claimEpoch = Math.max(claimEpoch, epoch);
    }

    /**
     * Ends a session that no connection ever attached to and that was not restored: one made for
     * a connection that then did not attach, which would otherwise stay registered, empty, for
     * ever. A session in use is left alone.
     */
    public void endIfNeverUsed() {
        if (fresh && channel == null) {
            end();
        }
    }

    /**
     * Another node took this client over: the attached connection, if any, closes as taken over
     * (MQTT 5.0: 0x8E), and the session ends on this node, since the client is served elsewhere
     * now. A will the connection carried is published as at any session's end.
     */
    public void takenOverElsewhere() {
        if (ended) {
            return;
        }
        if (channel != null) {
            Will oldWill = channel.takeOver();
            channel = null;
            channelReady = false;
            connected = false;
            parked = false;
            connectedWill = null;
            if (oldWill != null) {
                // The connection closed without DISCONNECT: end() publishes it.
                pendingWill = oldWill;
            }
            // The taken-over connection's thread no longer runs this session.
            executor.retarget(context.backgroundExecutor());
        }
        end();
    }

    /**
     * The attached client sent DISCONNECT without its will (reason 0x00): the will is deleted
     * now, from the store too (MQTT 5.0 3.1.2.5), not only when the closing connection detaches,
     * so that a broker that dies in between does not publish it after its restart.
     */
    public void willWithdrawn(OutboundChannel from) {
        if (channel == from && connectedWill != null) {
            connectedWill = null;
            saveSessionRecord();
        }
    }

    /**
     * Stores the packet identifiers of the QoS 1 messages in flight, which {@link #pump} leaves
     * out, so that after a restart they are resent as the duplicates they are.
     */
    private void storeQos1Identifiers() {
        for (InflightWindow.Flight flight : inflight.inOrder()) {
            if (flight.delivery.qos() == QoS.AT_LEAST_ONCE) {
                saveMessage(flight.delivery, flight.packetId, flight.released);
            }
        }
    }

    /** Keeps {@code will} until {@code dueAtMillis}, then publishes it unless the client came back. */
    private void scheduleWill(Will will, long dueAtMillis) {
        pendingWill = will;
        pendingWillDueAtMillis = dueAtMillis;
        int expected = generation;
        willTimer = context.schedule(() -> executor.execute(() -> {
            if (generation == expected && pendingWill != null && !ended) {
                Will due = pendingWill;
                pendingWill = null;
                context.publishWill(this, due);
                saveSessionRecord();
            }
        }), Math.max(0, dueAtMillis - context.nowMillis()), TimeUnit.MILLISECONDS);
    }

    private void scheduleExpiry(long delayMillis) {
        if (expiryIntervalSeconds == BrokerConfig.SESSION_NEVER_EXPIRES) {
            return;
        }
        int expected = generation;
        expiryTimer = context.schedule(() -> executor.execute(() -> {
            if (generation == expected && channel == null && !ended) {
                context.sessionExpired(this);
                end();
            }
        }), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    }

    /**
     * Ends the session: publishes a pending will, drops what is queued, and lets the engine
     * forget its subscriptions. Idempotent.
     */
    public void end() {
        if (ended) {
            return;
        }
        ended = true;
        cancelTimers();
        if (pendingWill != null) {
            Will will = pendingWill;
            pendingWill = null;
            context.publishWill(this, will);
        }
        if (channel != null) {
            channel.disconnect(ReasonCode.ADMINISTRATIVE_ACTION, "session removed");
            channel = null;
            connected = false;
        }
        forgetSubscriptions();
        rerouteShared(false);
        discardMessages(DropReason.SESSION_ENDED);
        releaseReliefWaiters();
        if (persistent) {
            persistent = false;
            store(store -> store.removeSession(clientId));
        }
        context.sessionEnded(this, false);
    }

    /**
     * Clean start on an existing session: the old session ends and this object carries on as
     * the new, empty session under the same client identifier.
     */
    private void discardState() {
        discardMessages(DropReason.SESSION_ENDED);
        inboundQos2 = null;
        forgetSubscriptions();
        if (persistent) {
            persistent = false;
            store(store -> store.removeSession(clientId));
        }
        context.sessionEnded(this, true);
    }

    private void forgetSubscriptions() {
        if (subscriptions.isEmpty()) {
            return;
        }
        List<SubscriptionRecord> records = new ArrayList<>(subscriptions.values());
        subscriptions = Map.of();
        context.subscriptionsRemoved(this, records);
    }

    /**
     * Hands messages that came through shared subscriptions to other members of their groups.
     * When the client merely went away, only queued messages move, and only to connected
     * members; messages in flight wait for the client, which may have them already. When the
     * session ends, messages in flight move too, to any other member.
     */
    private void rerouteShared(boolean clientLeft) {
        queue.removeIf(delivery -> {
            if (delivery.sharedGroup() != null && context.reroute(this, delivery, clientLeft)) {
                forgetStored(delivery);
                return true;
            }
            return false;
        });
        if (!clientLeft) {
            for (InflightWindow.Flight flight : inflight.inOrder()) {
                if (!flight.released && flight.delivery.sharedGroup() != null
                        && context.reroute(this, flight.delivery, false)) {
                    forgetStored(flight.delivery);
                    inflight.remove(flight);
                }
            }
        }
        queuedCount = queue.size();
        inflightCount = inflight.size();
    }

    private void discardMessages(DropReason reason) {
        releaseNothingHeld(reason);
        for (InflightWindow.Flight flight : inflight.inOrder()) {
            if (!flight.released) {
                context.messageDropped(this, flight.delivery, reason);
            }
        }
        inflight.clear();
        for (Delivery delivery : queue) {
            context.messageDropped(this, delivery, reason);
        }
        queue.clear();
        retainedBacklog = NO_BACKLOG;
        updateLagging();
        queuedCount = 0;
        inflightCount = 0;
    }

    private void cancelTimers() {
        if (expiryTimer != null) {
            expiryTimer.cancel();
            expiryTimer = null;
        }
        if (willTimer != null) {
            willTimer.cancel();
            willTimer = null;
        }
    }

    private static long willDelaySeconds(Will will) {
        return will.properties().getLong(Property.WILL_DELAY_INTERVAL, 0);
    }

    /** The session expiry interval in force, in seconds. */
    public long expiryIntervalSeconds() {
        return expiryIntervalSeconds;
    }

    // ------------------------------------------------------------ subscriptions

    /** Records a subscription; returns the one it replaced, or {@code null}. */
    public SubscriptionRecord putSubscription(SubscriptionRecord record) {
        SubscriptionRecord previous = writableSubscriptions().put(record.subscription().topicFilter(), record);
        saveSessionRecord();
        return previous;
    }

    /** Forgets a subscription; returns it, or {@code null} if there was none. */
    public SubscriptionRecord removeSubscription(String topicFilter) {
        Map<String, SubscriptionRecord> map = subscriptions;
        SubscriptionRecord removed = map.isEmpty() ? null : map.remove(topicFilter);
        if (removed != null) {
            saveSessionRecord();
        }
        return removed;
    }

    private Map<String, SubscriptionRecord> writableSubscriptions() {
        Map<String, SubscriptionRecord> map = subscriptions;
        if (!(map instanceof ConcurrentHashMap)) {
            map = new ConcurrentHashMap<>();
            subscriptions = map;
        }
        return map;
    }

    /** The session's subscriptions (a live view; change it only through the methods above). */
    public Collection<SubscriptionRecord> subscriptions() {
        return subscriptions.values();
    }

    // ------------------------------------------------------------ outbound messages

    /**
     * Hands a delivery to this session from any thread (a publisher's), reserving its
     * footprint in the broker's memory budget until it leaves the session's queue.
     *
     * <p>While the budget is exhausted, a session with messages waiting is either behind (it
     * keeps sending: it takes the delivery, and the publisher should wait for it to catch up)
     * or stuck (its client is away, or it has sent nothing for {@link #STUCK_AFTER_NANOS}: a
     * QoS 0 delivery is dropped here at once, a QoS 1/2 delivery is handed over to meet the
     * session's overflow policy).
     */
    public Handoff offer(Delivery delivery) {
        MemoryBudget budget = context.memoryBudget();
        Handoff outcome = Handoff.ACCEPTED;
        if (budget.isExhausted() && (lagging || pendingHandoffs > HANDOFF_SLACK)) {
            outcome = isStuck() ? Handoff.REFUSED : Handoff.BEHIND;
            if (outcome == Handoff.REFUSED && delivery.qos() == QoS.AT_MOST_ONCE) {
                context.messageDropped(this, delivery, DropReason.MEMORY_BUDGET);
                return outcome;
            }
        }
        if (parked && overflowing && outcome == Handoff.ACCEPTED && dropsNewest(delivery)
                && (queuedCount >= context.maxQueuedMessages()
                        || queuedBytes + delivery.message().footprint() > context.maxQueuedBytes())) {
            // Its client takes no bytes, so its queue cannot shrink, and it is dropping already:
            // the message would be dropped on arrival. Dropped here instead, it costs the stuck
            // session's thread no wake-up, which at full speed had cost about 4 us of CPU per
            // message, taken from the other subscribers of the topic.
            context.messageDropped(this, delivery, DropReason.QUEUE_FULL);
            return outcome;
        }
        Delivery handed = delivery;
        if (persistent && delivery.qos() != QoS.AT_MOST_ONCE) {
            // Stored here, on the publisher's thread and before the hand-off, so that the
            // publisher's acknowledgement can wait until the store has made it durable.
            handed = delivery.withSequence(takeSequence());
            saveMessage(handed, 0, false);
        }
        budget.reserve(delivery.message().footprint());
        int pending = (int) PENDING_HANDOFFS.getAndAdd(this, 1) + 1;
        Delivery taken = handed;
        Runnable handOff = () -> {
            PENDING_HANDOFFS.getAndAdd(this, -1);
            deliver(taken);
            if (hasReliefWaiters()) {
                releaseIfRelieved();
            }
        };
        if (parked && outcome == Handoff.ACCEPTED && pending % PARKED_BATCH != 0
                && queuedCount + pending < context.maxQueuedMessages()
                && queuedBytes + (long) pending * delivery.message().footprint() <= context.maxQueuedBytes()) {
            // The client takes nothing: queue without waking its thread, which takes these in
            // batches (every PARKED_BATCH-th hand-off) or when the client takes bytes again.
            // Near its limits every hand-off wakes it, so that its overflow policy applies at once.
            executor.executeLater(handOff);
            if (!parked) {
                executor.kick(); // unparked meanwhile: the pump that follows may have run already
            }
        } else {
            executor.execute(handOff);
        }
        return outcome;
    }

    /** Whether the overflow policy drops {@code delivery} itself when the queue is full (rather than older messages, or the client). */
    private boolean dropsNewest(Delivery delivery) {
        return delivery.qos() == QoS.AT_MOST_ONCE || context.queueOverflowPolicy() == QueueOverflowPolicy.DROP_NEWEST;
    }

    /**
     * Whether this session takes nothing more at an exhausted budget: its client is away, or
     * messages wait and it has sent none for {@link #STUCK_AFTER_NANOS}. A session whose only
     * delay is its thread's backlog of hand-offs is busy, not stuck. Thread safe.
     */
    private boolean isStuck() {
        return !connected || lagging && context.nanoTime() - lastProgressNanos > STUCK_AFTER_NANOS;
    }

    /**
     * Runs {@code callback} (once, on some thread) when a publisher held back for this session
     * may go on: a stuck session has taken every delivery handed to it (and dropped what it
     * cannot hold); one that is behind has also sent everything queued. Thread safe. The
     * caller bounds the wait: a session that is behind may become stuck meanwhile.
     */
    public void whenRelieved(Runnable callback) {
        reliefWaiters().add(callback);
        releaseIfRelieved();
    }

    private void releaseIfRelieved() {
        if (pendingHandoffs == 0 && (!lagging || isStuck())) {
            releaseReliefWaiters();
        }
    }

    private void releaseReliefWaiters() {
        Queue<Runnable> waiters = reliefWaiters;
        if (waiters == null) {
            return;
        }
        Runnable waiter;
        while ((waiter = waiters.poll()) != null) {
            waiter.run();
        }
    }

    /**
     * Takes a handed-over message: queues it and, if the client is connected, sends what the
     * inflight window allows. QoS 0 is not queued for an offline client (unless configured).
     * A message that does not fit (the queue is at its message or byte limit, or the memory
     * budget is exhausted while this session lags) meets the overflow policy: QoS 0 is
     * dropped; QoS 1/2 per {@link QueueOverflowPolicy}.
     */
    private void deliver(Delivery delivery) {
        if (ended) {
            context.memoryBudget().release(delivery.message().footprint());
            forgetStored(delivery);
            return;
        }
        boolean qos0 = delivery.qos() == QoS.AT_MOST_ONCE;
        if (channel == null && qos0 && !context.queueQos0WhileOffline()) {
            drop(delivery, DropReason.CLIENT_OFFLINE);
            return;
        }
        DropReason overflow = overflow(delivery);
        if (overflow != null && !makeRoom(delivery, overflow)) {
            return;
        }
        queue.add(delivery);
        queuedCount = queue.size();
        pump();
    }

    /** Why {@code delivery} cannot be queued as things stand, or {@code null} if it can. */
    private DropReason overflow(Delivery delivery) {
        if (queue.wouldOverflow(delivery, context.maxQueuedMessages(), context.maxQueuedBytes())) {
            return DropReason.QUEUE_FULL;
        }
        if (context.memoryBudget().isExhausted() && isBehind() && isStuck()) {
            return DropReason.MEMORY_BUDGET;
        }
        return null;
    }

    /** Whether a new message would have to wait rather than go straight out. */
    private boolean isBehind() {
        return channel == null || !channelReady || !queue.isEmpty() || !channel.isWritable();
    }

    /**
     * Applies the overflow policy to a delivery that does not fit. Returns whether it may be
     * queued after all (room was made by dropping older messages).
     */
    private boolean makeRoom(Delivery delivery, DropReason reason) {
        QueueOverflowPolicy policy = context.queueOverflowPolicy();
        if (!overflowing) {
            overflowing = true;
            LOG.info("{}: {} with {} messages ({} bytes) queued; QoS 0 is dropped and QoS 1/2 handled by {} "
                    + "for this client until its queue drains", clientId,
                    reason == DropReason.QUEUE_FULL ? "queue full" : "memory budget exhausted",
                    queue.size(), queue.bytes(), policy);
        }
        if (delivery.qos() == QoS.AT_MOST_ONCE || policy == QueueOverflowPolicy.DROP_NEWEST) {
            drop(delivery, reason);
            return false;
        }
        if (policy == QueueOverflowPolicy.DISCONNECT) {
            drop(delivery, reason);
            if (channel != null) {
                channel.disconnect(ReasonCode.QUOTA_EXCEEDED, reason == DropReason.QUEUE_FULL
                        ? "outbound queue is full (" + queue.size() + " messages, " + queue.bytes()
                                + " bytes): the client reads too slowly"
                        : "the broker's memory budget is exhausted and the client reads too slowly");
            }
            return false;
        }
        // Drop oldest: make room by the new message's weight, and below the queue's limits.
        int weight = delivery.message().footprint();
        long freed = 0;
        while (!queue.isEmpty() && (freed < weight
                || queue.wouldOverflow(delivery, context.maxQueuedMessages(), context.maxQueuedBytes()))) {
            Delivery oldest = queue.poll();
            freed += oldest.message().footprint();
            forgetStored(oldest);
            context.messageDropped(this, oldest, reason);
        }
        return true;
    }

    /** Drops a delivery that was handed over but never queued, giving its budget back. */
    private void drop(Delivery delivery, DropReason reason) {
        context.memoryBudget().release(delivery.message().footprint());
        forgetStored(delivery);
        context.messageDropped(this, delivery, reason);
    }

    private void updateLagging() {
        updateLagging(false);
    }

    /** @param sent whether the caller just sent messages: progress, for {@link #isStuck()} */
    private void updateLagging(boolean sent) {
        boolean now = channel == null || !channelReady || !queue.isEmpty();
        if (overflowing && queue.isEmpty()) {
            overflowing = false;
        }
        if (now && (sent || !lagging)) {
            // Only a session with messages waiting is judged by its progress, so the clock is
            // read only then: when a backlog begins, and when one shrinks.
            long stamp = context.coarseNanoTime();
            if (lastProgressNanos != stamp) {
                lastProgressNanos = stamp;
            }
        }
        if (lagging != now) {
            lagging = now;
        }
        if (!now && hasReliefWaiters()) {
            releaseIfRelieved();
        }
    }

    /**
     * Sends queued messages while the client is connected and writable and the inflight window
     * has room. Packet identifiers are assigned here, at send time.
     */
    public void pump() {
        if (channel == null || !channelReady) {
            return;
        }
        int window = Math.min(context.maxInflight(), channel.clientReceiveMaximum());
        long now = context.nowMillis();
        int waitingBefore = queue.size() + retainedBacklog.size();
        while (channel.isWritable()) {
            // Retained messages of a new subscription go first, then the queue.
            boolean fromBacklog = !retainedBacklog.isEmpty();
            Delivery next = fromBacklog ? retainedBacklog.peek() : queue.peek();
            if (next == null) {
                break;
            }
            if (next.message().isExpired(now)) {
                take(fromBacklog);
                forgetStored(next);
                context.messageDropped(this, next, DropReason.EXPIRED);
                continue;
            }
            if (hold != null && hold.size() >= MAX_HELD) {
                break;
            }
            if (next.qos() == QoS.AT_MOST_ONCE) {
                take(fromBacklog);
                emit(next, null, toPublish(next, 0, false, now), false);
                continue;
            }
            if (inflight.size() >= window) {
                break;
            }
            take(fromBacklog);
            InflightWindow.Flight flight = inflight.add(next);
            // Only QoS 2 needs its packet identifier stored at once: its client discards a
            // resent message by it, so it goes out once that is durable (StoreHold). QoS 1
            // identifiers are stored when the client goes away (storeQos1Identifiers); after a
            // crash such a message is resent under a new identifier, a duplicate that QoS 1
            // allows. Not writing every QoS 1 message a second time raised QoS 1 throughput with
            // a durable store by a quarter.
            boolean durableFirst = next.qos() == QoS.EXACTLY_ONCE && mustBeDurableFirst(next);
            if (durableFirst) {
                saveMessage(next, flight.packetId, false);
            }
            emit(next, flight, toPublish(next, flight.packetId, false, now), durableFirst);
        }
        requestDurability();
        queuedCount = queue.size() + retainedBacklog.size();
        inflightCount = inflight.size();
        updateLagging(queuedCount < waitingBefore);
        boolean stalled = !channel.isWritable() && !queue.isEmpty();
        if (stalled) {
            queuedBytes = queue.bytes(); // read by publishers only while parked
        }
        if (parked != stalled) {
            parked = stalled;
        }
    }

    /**
     * The client takes bytes again: deliveries wake the session's thread again. Call before
     * submitting the pump that follows. Thread safe.
     */
    public void unpark() {
        parked = false;
    }

    /** Whether {@code delivery}'s QoS 2 identifier is written to the store and must be durable before it goes out. */
    private boolean mustBeDurableFirst(Delivery delivery) {
        return persistent && delivery.qos() == QoS.EXACTLY_ONCE && delivery.sequence() != 0;
    }

    /**
     * Writes {@code publish} now, or keeps it back behind the store (see {@link StoreHold}): when
     * its own identifier must be durable first, or when an earlier packet waits.
     *
     * @param flight its flight, {@code null} for QoS 0
     */
    private void emit(Delivery delivery, InflightWindow.Flight flight, Publish publish, boolean durableFirst) {
        if (durableFirst || hold != null && hold.isHolding()) {
            if (hold == null) {
                hold = new StoreHold();
            }
            hold.add(publish, delivery, flight, durableFirst);
            return;
        }
        written(delivery, flight, channel.sendPublish(publish));
    }

    private void written(Delivery delivery, InflightWindow.Flight flight, boolean sent) {
        if (sent) {
            if (delivery.message().timedFromNanos() != 0) {
                context.delivered(delivery.message());
            }
            return;
        }
        if (flight != null) {
            inflight.remove(flight);
            forgetStored(delivery);
        }
        context.messageDropped(this, delivery, DropReason.PACKET_TOO_LARGE);
    }

    /** Asks the store for one callback for the QoS 2 packets held since the last request. */
    private void requestDurability() {
        long ticket = hold == null ? 0 : hold.takeRequest();
        if (ticket == 0) {
            return;
        }
        SessionStore store = context.store();
        store.whenDurable(() -> executor.execute(() -> releaseHeld(ticket)));
    }

    private void releaseHeld(long ticket) {
        hold.confirm(ticket);
        if (channel == null || !channelReady) {
            return;
        }
        StoreHold.Held next;
        while ((next = hold.poll()) != null) {
            written(next.delivery(), next.flight(), channel.sendPublish(next.publish()));
        }
        pump();
    }

    /**
     * The connection the held packets were for is gone, or their messages are discarded. QoS 1/2
     * messages stay in flight (resent to the next connection, or dropped with the rest); QoS 0
     * ones are dropped for {@code reason}.
     */
    private void releaseNothingHeld(DropReason reason) {
        if (hold == null || !hold.isHolding()) {
            return;
        }
        for (StoreHold.Held held : hold.clear()) {
            if (held.flight() == null) {
                context.messageDropped(this, held.delivery(), reason);
            }
        }
    }

    private void take(boolean fromBacklog) {
        if (fromBacklog) {
            retainedBacklog.poll();
        } else {
            queue.poll();
        }
    }

    /**
     * Takes a retained message for a subscription just made by the connected client. Retained
     * messages wait in a backlog of their own, outside the queue limit, and are sent ahead of
     * the queue as the inflight window allows: a subscription matching many retained messages
     * streams them all instead of overflowing the queue. Call {@link #pump()} after the last.
     */
    public void deliverRetained(Delivery delivery) {
        if (!ended && channel != null) {
            if (retainedBacklog == NO_BACKLOG) {
                retainedBacklog = new ArrayDeque<>();
            }
            retainedBacklog.add(delivery);
        }
    }

    /** PUBACK for a QoS 1 message: the flow is complete. Returns false for an unknown identifier. */
    public boolean onPubAck(int packetId) {
        InflightWindow.Flight flight = inflight.get(packetId);
        if (flight == null || flight.delivery.qos() != QoS.AT_LEAST_ONCE) {
            return false;
        }
        inflight.remove(flight);
        forgetStored(flight.delivery);
        pump();
        inflightCount = inflight.size();
        return true;
    }

    /**
     * PUBREC for a QoS 2 message: the client has it; the broker answers PUBREL. Returns false
     * for an unknown identifier. A PUBREC with an error code ends the flow (MQTT 5.0).
     */
    public boolean onPubRec(int packetId, boolean failed) {
        InflightWindow.Flight flight = inflight.get(packetId);
        if (flight == null || flight.delivery.qos() != QoS.EXACTLY_ONCE) {
            return false;
        }
        if (failed) {
            inflight.remove(flight);
            forgetStored(flight.delivery);
            pump();
            inflightCount = inflight.size();
        } else {
            flight.released = true;
            saveMessage(flight.delivery, packetId, true);
        }
        return true;
    }

    /** PUBCOMP for a QoS 2 message: the flow is complete. Returns false for an unknown identifier. */
    public boolean onPubComp(int packetId) {
        InflightWindow.Flight flight = inflight.get(packetId);
        if (flight == null || !flight.released) {
            return false;
        }
        inflight.remove(flight);
        forgetStored(flight.delivery);
        pump();
        inflightCount = inflight.size();
        return true;
    }

    private Publish toPublish(Delivery delivery, int packetId, boolean dup, long now) {
        Message message = delivery.message();
        Properties properties = message.properties();
        long remaining = message.remainingSeconds(now);
        int[] ids = delivery.subscriptionIdentifiers();
        if (remaining < 0 && ids.length == 0 && delivery.qos() == QoS.AT_MOST_ONCE) {
            // Every QoS 0 subscriber without identifiers gets the very same packet, so that the
            // transport can encode it once and share the bytes.
            return message.sharedAtMostOnce(delivery.retain());
        }
        if (remaining >= 0 || ids.length > 0) {
            Properties.Builder builder = properties.toBuilder();
            if (remaining >= 0) {
                builder.put(Property.MESSAGE_EXPIRY_INTERVAL, remaining);
            }
            for (int id : ids) {
                builder.subscriptionIdentifier(id);
            }
            properties = builder.build();
        }
        return new Publish(message.topic(), delivery.qos(), delivery.retain(), dup, packetId,
                message.payload(), properties);
    }

    // ------------------------------------------------------------ persistence

    /**
     * Recreates this session from the store when the broker starts, before any client can
     * connect: offline, with its subscriptions (the caller adds them to routing), its queue and
     * its messages in flight, and its expiry counted from when its client went away.
     */
    public void restore(StoredSession stored) {
        fresh = false;
        persistent = context.store() != null;
        expiryIntervalSeconds = stored.expiryIntervalSeconds();
        disconnectedAtMillis = stored.disconnectedAtMillis() == 0 ? context.nowMillis() : stored.disconnectedAtMillis();
        if (!stored.inboundQos2PacketIds().isEmpty()) {
            inboundQos2 = new HashSet<>(stored.inboundQos2PacketIds());
        }
        for (SessionStore.StoredSubscription subscription : stored.subscriptions()) {
            writableSubscriptions().put(subscription.subscription().topicFilter(),
                    new SubscriptionRecord(subscription.subscription(), subscription.identifier()));
        }
        for (StoredMessage message : stored.messages()) {
            Delivery delivery = StoredForms.fromStored(message);
            raiseNextSequence(message.sequence() + 1);
            if (message.packetId() == 0) {
                queue.reserveAndAdd(delivery);
            } else {
                restoreFlight(message, delivery);
            }
        }
        queuedCount = queue.size();
        inflightCount = inflight.size();
        protocolLevel = stored.protocolLevel();
        if (stored.will() != null) {
            // A will kept while its client was connected: the restart lost that connection, so
            // the will is due its delay from now; a will already waiting keeps its due time.
            pendingWill = stored.will();
            pendingWillDueAtMillis = stored.willDueAtMillis() != 0 ? stored.willDueAtMillis()
                    : context.nowMillis() + TimeUnit.SECONDS.toMillis(willDelaySeconds(stored.will()));
        }
        if (stored.disconnectedAtMillis() == 0 || stored.will() != null) {
            saveSessionRecord();
        }
    }

    /**
     * Puts a stored message back in flight under its identifier. Two stored messages under one
     * identifier mean that a failed write (a removal) left the older one behind: the client's
     * identifier is the later one's, and the older goes out again under a new identifier.
     */
    private void restoreFlight(StoredMessage message, Delivery delivery) {
        InflightWindow.Flight holder = inflight.get(message.packetId());
        Delivery requeued = delivery;
        if (holder != null && holder.delivery.sequence() < delivery.sequence()) {
            inflight.remove(holder);
            requeued = holder.delivery;
            inflight.restore(message.packetId(), delivery, message.released());
        } else if (holder == null) {
            inflight.restore(message.packetId(), delivery, message.released());
            return;
        }
        LOG.warn("Session {}: two stored messages share packet identifier {}; message {} is queued to be sent again",
                clientId, message.packetId(), requeued.sequence());
        queue.reserveAndAdd(requeued);
    }

    /**
     * Starts the will and expiry timers of a session restored from the store; the engine calls
     * it once every stored session and subscription is back, so that a will or an expiry due at
     * once reaches every subscriber.
     */
    public void startRestoredTimers() {
        long left = TimeUnit.SECONDS.toMillis(expiryIntervalSeconds) - (context.nowMillis() - disconnectedAtMillis);
        if (expiryIntervalSeconds != BrokerConfig.SESSION_NEVER_EXPIRES && left <= 0) {
            // Expired while the broker was down: it ends now, its will with it, before any client
            // can connect. Left to a timer, a client reconnecting first would resume a session
            // that no longer exists.
            context.sessionExpired(this);
            end();
            return;
        }
        if (pendingWill != null && pendingWillDueAtMillis <= context.nowMillis()) {
            // Due already (no delay, or its delay ran out while the broker was down): it goes out
            // now, before any client can connect. Left to a timer, a client reconnecting first
            // would suppress a will that nothing may suppress any more.
            Will due = pendingWill;
            pendingWill = null;
            context.publishWill(this, due);
            saveSessionRecord();
        } else if (pendingWill != null) {
            scheduleWill(pendingWill, pendingWillDueAtMillis);
        }
        scheduleExpiry(left);
    }

    private void updatePersistence() {
        boolean shouldPersist = context.store() != null && expiryIntervalSeconds > 0;
        if (shouldPersist) {
            boolean wasPersistent = persistent;
            persistent = true;
            saveSessionRecord();
            if (!wasPersistent) {
                storeUnstoredMessages();
            }
        } else if (persistent) {
            persistent = false;
            store(store -> store.removeSession(clientId));
        }
    }

    /** Messages taken while the session was not persistent are stored once it becomes so. */
    private void storeUnstoredMessages() {
        for (InflightWindow.Flight flight : inflight.inOrder()) {
            if (flight.delivery.sequence() == 0 && flight.delivery.qos() != QoS.AT_MOST_ONCE) {
                flight.delivery = flight.delivery.withSequence(takeSequence());
                saveMessage(flight.delivery, flight.packetId, flight.released);
            }
        }
        queue.replaceAll(delivery -> {
            if (delivery.sequence() == 0 && delivery.qos() != QoS.AT_MOST_ONCE) {
                Delivery stored = delivery.withSequence(takeSequence());
                saveMessage(stored, 0, false);
                return stored;
            }
            return delivery;
        });
    }

    private void saveSessionRecord() {
        if (persistent) {
            Will will = connected ? connectedWill : pendingWill;
            long willDue = connected || pendingWill == null ? 0 : pendingWillDueAtMillis;
            StoredSession record = new StoredSession(clientId, expiryIntervalSeconds, disconnectedAtMillis,
                    StoredForms.toStored(subscriptions.values()), List.of(),
                    inboundQos2 == null ? List.of() : List.copyOf(inboundQos2), protocolLevel, will, willDue);
            store(store -> store.saveSession(record));
        }
    }

    private void saveMessage(Delivery delivery, int packetId, boolean released) {
        if (persistent && delivery.sequence() != 0) {
            StoredMessage message = StoredForms.toStored(delivery, packetId, released);
            store(store -> store.saveMessage(clientId, message));
        }
    }

    private void forgetStored(Delivery delivery) {
        if (persistent && delivery.sequence() != 0) {
            store(store -> store.removeMessage(clientId, delivery.sequence()));
        }
    }

    private void store(java.util.function.Consumer<SessionStore> operation) {
        SessionStore store = context.store();
        if (store == null) {
            return;
        }
        try {
            operation.accept(store);
        } catch (RuntimeException e) {
            LOG.error("Session store failed for {}; the broker carries on with its memory", clientId, e);
        }
    }

    private void flushChannel() {
        if (channel != null && channelReady) {
            channel.flush();
        }
    }

    // ------------------------------------------------------------ inbound QoS 2

    /**
     * Records an inbound QoS 2 PUBLISH's identifier. Returns false if it is already recorded:
     * the PUBLISH is a duplicate and must not be routed again.
     */
    public boolean registerInboundQos2(int packetId) {
        if (inboundQos2 == null) {
            inboundQos2 = new HashSet<>();
        }
        boolean added = inboundQos2.add(packetId);
        if (added) {
            saveSessionRecord();
        }
        return added;
    }

    /** PUBREL from the client: forgets the identifier. Returns false if it was unknown. */
    public boolean releaseInboundQos2(int packetId) {
        boolean removed = inboundQos2 != null && inboundQos2.remove(packetId);
        if (removed) {
            saveSessionRecord();
        }
        return removed;
    }

    /** How many inbound QoS 2 flows await PUBREL (they count against the broker's Receive Maximum). */
    public int inboundQos2Count() {
        return inboundQos2 == null ? 0 : inboundQos2.size();
    }

    private long takeSequence() {
        return (long) NEXT_SEQUENCE.getAndAdd(this, 1L);
    }

    private void raiseNextSequence(long atLeast) {
        long current;
        do {
            current = nextSequence;
        } while (current < atLeast && !NEXT_SEQUENCE.compareAndSet(this, current, atLeast));
    }

    private boolean hasReliefWaiters() {
        Queue<Runnable> waiters = reliefWaiters;
        return waiters != null && !waiters.isEmpty();
    }

    private Queue<Runnable> reliefWaiters() {
        Queue<Runnable> waiters = reliefWaiters;
        if (waiters == null) {
            Queue<Runnable> made = new ConcurrentLinkedQueue<>();
            waiters = RELIEF_WAITERS.compareAndSet(this, null, made) ? made : reliefWaiters;
        }
        return waiters;
    }

    /** Messages queued, not yet sent. */
    public int queuedMessages() {
        return queue.size();
    }

    /** Messages sent and not yet acknowledged. */
    public int inflightMessages() {
        return inflight.size();
    }

    /** Iterates queued deliveries in order (for tests and persistence). */
    Iterator<Delivery> queued() {
        return queue.iterator();
    }

    @Override
    public String toString() {
        return "Session[" + clientId + (connected ? ", connected" : "") + (ended ? ", ended" : "") + "]";
    }
}
