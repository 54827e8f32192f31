package io.corvid.broker.engine;

import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.PacketInterceptor;
import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import io.corvid.broker.session.OutboundChannel;
import io.corvid.broker.session.Session;
import io.corvid.broker.transport.Connection;
import io.corvid.broker.transport.Connection.Cancellable;
import io.corvid.broker.transport.ConnectionHandler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol state machine of one connection: CONNECT, then packets until the connection
 * ends, with keep alive and exactly one disconnect event.
 *
 * <p>Threading: the transport calls this handler on the connection's thread. Until CONNECT is
 * accepted the handler works there directly. From then on every packet is processed inside
 * the session's serial executor, which runs on that same thread while this connection is
 * attached, so that session state, deliveries from other publishers and this connection's
 * packets are serialized without locks. Packets are processed strictly in order: when a
 * plug-in answers asynchronously the handler pauses, stops reading, and resumes with the
 * next packet once the answer is in.
 */
public final class ProtocolHandler implements ConnectionHandler, OutboundChannel {
    private static final VarHandle LAST_ACTIVITY;

    static {
        try {
            LAST_ACTIVITY = MethodHandles.lookup()
                    .findVarHandle(ProtocolHandler.class, "lastActivityNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ProtocolHandler.class);
    /** The longest a publisher is held back at an exhausted memory budget before it is looked at again. */
    static final long MAX_HOLD_MILLIS = 100;

    /** Where a connection is in its life. */
    enum State {
        /** Waiting for CONNECT. */
        AWAITING_CONNECT,
        /** CONNECT received; authentication, will authorization or session attachment under way. */
        CONNECTING,
        /** CONNACK sent; packets flow. */
        CONNECTED,
        /** Closing on either side's initiative; nothing more is processed. */
        CLOSING,
        /** The network connection is closed. */
        CLOSED
    }

    final BrokerEngine engine;
    final Connection connection;
    private final ConnectProcessor connects;
    private final PublishProcessor publishes;
    private final SubscriptionProcessor subscriptions;
    /** Packets waiting for the session's executor; made at the first one, so that an idle connection costs no deque. */
    private ArrayDeque<MqttPacket> inbound;
    private final Runnable drainTask = this::drainInbound;

    State state = State.AWAITING_CONNECT;
    ProtocolVersion version;
    ClientInfo client;
    Session session;
    /** The will to publish if the connection ends abnormally; cleared by a normal DISCONNECT or takeover. */
    Will will;
    long sessionExpiryInterval;
    long connectSessionExpiryInterval;
    int keepAliveSeconds;
    /** When the CONNECT was accepted (wall clock), for operators. */
    long connectedAtMillis;
    int clientReceiveMaximum = 0xFFFF;
    long clientMaximumPacketSize = Long.MAX_VALUE;
    boolean problemInformation = true;
    /** The MQTT 5.0 client's topic aliases towards the broker, by alias; {@code null} until it sets one. */
    String[] inboundTopicAliases;
    /** The connection's enhanced authentication, or {@code null} when it authenticated without. */
    EnhancedAuthenticator enhancedAuthenticator;
    /** Aliases the broker uses towards the client, or {@code null} when the client allows none or the broker does not use them. */
    OutboundTopicAliases outboundTopicAliases;

    private boolean paused;
    /** The client's publish rate buckets; {@code null} when the broker limits no rate. */
    private final PublishRateLimiter publishLimiter;
    private boolean throttleLogged;
    private boolean reading = true;
    private boolean drainScheduled;
    private boolean writesPending;
    private boolean connectedEventFired;
    /** Acknowledgements of this connection waiting for the store to make what they acknowledge durable, in order. */
    private ArrayDeque<AwaitingAck> acksAwaitingStore;
    /** How many of the last {@link #acksAwaitingStore} have no {@code whenDurable} callback yet. */
    private int acksUnregistered;
    boolean holdsConnectionSlot;
    private DecodeResult.Error pendingDecodeError;
    private DisconnectReason disconnectReason;
    /**
     * When the client last sent a packet. Written on the connection's thread; read by the
     * engine's keep-alive sweep ({@link #sweepKeepAlive}) through {@link #LAST_ACTIVITY}.
     */
    private long lastActivityNanos;
    private Cancellable connectTimer;
    /** Runs out when the connection has stayed unwritable for the write stall timeout; {@code null} while writable. */
    private Cancellable writeStallTimer;

    ProtocolHandler(BrokerEngine engine, Connection connection) {
        this.engine = engine;
        this.connection = connection;
        this.connects = new ConnectProcessor(this);
        this.publishes = new PublishProcessor(this);
        this.subscriptions = new SubscriptionProcessor(this);
        this.lastActivityNanos = engine.clock().nanoTime();
        this.publishLimiter = PublishRateLimiter.forConfig(engine.config());
        long timeoutMillis = engine.config().connectTimeout().toMillis();
        this.connectTimer = connection.schedule(this::connectTimedOut, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------ transport callbacks

    @Override
    public void onPacket(MqttPacket packet) {
        lastActivityNanos = engine.clock().nanoTime();
        engine.metrics().packetsReceived.increment();
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        if (state == State.AWAITING_CONNECT) {
            // The decoder lets only CONNECT through as the first packet.
            engine.metrics().connectsReceived.increment();
            cancelConnectTimer();
            connects.onConnect((io.corvid.broker.packet.Connect) packet);
            return;
        }
        if (state == State.CONNECTING && connects.onPacketWhileConnecting(packet)) {
            return;
        }
        if (inbound == null) {
            // Small at first; it grows under a burst.
            inbound = new ArrayDeque<>(4);
        }
        inbound.add(packet);
        scheduleDrain();
    }

    @Override
    public void onDecodeError(DecodeResult.Error error, ProtocolVersion decoderVersion) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        if (error.reasonCode() == ReasonCode.MALFORMED_PACKET) {
            engine.metrics().malformedPackets.increment();
        } else {
            engine.metrics().protocolErrors.increment();
        }
        switch (state) {
            case AWAITING_CONNECT -> {
                cancelConnectTimer();
                connects.onConnectDecodeError(error, decoderVersion);
            }
            case CONNECTING -> {
                LOG.info("{} sent a bad packet before its CONNECT was accepted: {}; closing", describe(), error.message());
                closeQuietly(new DisconnectReason(DisconnectReason.Initiator.SERVER, error.reasonCode(), error.message()));
            }
            default -> {
                // Packets decoded before the bad one are still processed first.
                pendingDecodeError = error;
                scheduleDrain();
            }
        }
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (writable) {
            cancelWriteStallTimer();
            if (state == State.CONNECTED && session != null) {
                Session attached = session;
                attached.unpark();
                attached.executor().execute(attached::pump);
            }
        } else if (writeStallTimer == null && state != State.CLOSING && state != State.CLOSED) {
            long timeout = engine.config().writeStallTimeout().toMillis();
            if (timeout > 0) {
                writeStallTimer = connection.schedule(this::writeStalled, timeout, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * The client has taken no bytes for the write stall timeout: its outbound buffer stayed
     * above the high water mark. Nothing can reach it any more, not even a DISCONNECT, so the
     * connection is closed; its session stays per its expiry interval, its will is published.
     */
    private void writeStalled() {
        writeStallTimer = null;
        if (state == State.CLOSING || state == State.CLOSED || connection.isWritable()) {
            return;
        }
        engine.metrics().writeStalls.increment();
        LOG.info("{} took no bytes for {} ms (write stall timeout); closing", describe(),
                engine.config().writeStallTimeout().toMillis());
        closeQuietly(new DisconnectReason(DisconnectReason.Initiator.SERVER, ReasonCode.QUOTA_EXCEEDED,
                "write stall: the client took no bytes for " + engine.config().writeStallTimeout().toMillis() + " ms"));
    }

    /** Cancels the CONNECT timeout and lets go of it: a connection lives long after it. */
    private void cancelConnectTimer() {
        if (connectTimer != null) {
            connectTimer.cancel();
            connectTimer = null;
        }
    }

    private void cancelWriteStallTimer() {
        if (writeStallTimer != null) {
            writeStallTimer.cancel();
            writeStallTimer = null;
        }
    }

    @Override
    public void onTraffic(long bytesRead, long bytesWritten) {
        engine.metrics().traffic(bytesRead, bytesWritten);
    }

    @Override
    public void onClosed(Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        engine.metrics().connectionsClosed.increment();
        cancelConnectTimer();
        cancelWriteStallTimer();
        if (disconnectReason == null) {
            disconnectReason = new DisconnectReason(DisconnectReason.Initiator.NETWORK, ReasonCode.UNSPECIFIED_ERROR,
                    cause == null ? "connection closed without DISCONNECT" : "network error: " + cause.getMessage());
        }
        if (session != null) {
            Session attached = session;
            long expiry = sessionExpiryInterval;
            // The will is taken in the session's executor, not here: a takeover whose attach runs
            // there first must still find it (takeOver), so that its will delay applies. Taken
            // here, it reached a detach that no longer owned the session, which published it at once.
            engine.detachStarted();
            attached.executor().execute(() -> {
                try {
                    Will dueWill = connectedEventFired ? will : null;
                    will = null;
                    attached.detach(this, dueWill, expiry);
                } finally {
                    engine.detachDone();
                }
            });
        }
        if (holdsConnectionSlot) {
            holdsConnectionSlot = false;
            engine.releaseConnectionSlot();
        }
        if (connectedEventFired) {
            engine.unregisterConnected(this);
            LOG.info("{} disconnected: {} ({})", describe(), disconnectReason.description(), disconnectReason.initiator());
            engine.events().clientDisconnected(client, disconnectReason);
        }
    }

    // ------------------------------------------------------------ inbound processing

    private void scheduleDrain() {
        if (state == State.CONNECTED && !paused && !drainScheduled) {
            drainScheduled = true;
            session.executor().execute(drainTask);
        }
    }

    /** Runs in the session's executor: processes queued packets until one pauses or none is left. */
    private void drainInbound() {
        drainScheduled = false;
        if (session == null || !session.isAttachedTo(this)) {
            return;
        }
        while (!paused && state == State.CONNECTED && inbound != null) {
            MqttPacket packet = inbound.poll();
            if (packet == null) {
                break;
            }
            dispatch(packet);
        }
        if (!paused && state == State.CONNECTED && (inbound == null || inbound.isEmpty()) && pendingDecodeError != null) {
            DecodeResult.Error error = pendingDecodeError;
            pendingDecodeError = null;
            LOG.info("{} sent a bad packet: {}", describe(), error.message());
            disconnect(disconnectCodeFor(error.reasonCode()), error.message());
        }
    }

    /** Processes a packet, charging a PUBLISH to the client's publish rates and throttling it past them. */
    private void dispatch(MqttPacket packet) {
        if (packet.type() != PacketType.PUBLISH || publishLimiter == null) {
            process(packet);
            return;
        }
        long size = publishLimiter.countsBytes() ? MqttEncoder.encodedSize(packet, version) : 0;
        long overNanos = publishLimiter.take(size, engine.clock().nanoTime());
        if (overNanos > 0) {
            engine.metrics().publishRateLimited.increment();
            if (engine.config().publishRatePolicy() == io.corvid.broker.PublishRatePolicy.DISCONNECT) {
                LOG.info("{} publishes faster than its rate limit; disconnecting", describe());
                disconnect(ReasonCode.MESSAGE_RATE_TOO_HIGH, "publishing faster than the broker's rate limit");
                return;
            }
        }
        process(packet);
        if (overNanos > 0 && !paused && state == State.CONNECTED) {
            // Processed, not lost: the packets after it wait, and the socket is not read, until the client is
            // back within its rates. A pause already under way ends through resume(), which waits the debt out.
            if (!throttleLogged) {
                throttleLogged = true;
                LOG.info("{} publishes faster than its rate limit; reading from it is paused as needed", describe());
            }
            pauseForRate(overNanos);
        }
    }

    /** Stops reading for {@code nanos}, then resumes on the session's executor (no thread of its own). */
    private void pauseForRate(long nanos) {
        paused = true;
        setReading(false);
        Session own = session;
        connection.schedule(() -> own.executor().execute(() -> {
            if (state == State.CONNECTED && own.isAttachedTo(this)) {
                resume();
            }
        }), nanos, TimeUnit.NANOSECONDS);
    }

    private void process(MqttPacket packet) {
        if (packet.type() == PacketType.PUBLISH) {
            packet = publishes.resolveTopicAlias((Publish) packet);
            if (packet == null) {
                return;
            }
        }
        if (!interceptorsAccept(packet)) {
            onRejectedByInterceptor(packet);
            return;
        }
        switch (packet.type()) {
            case PUBLISH -> publishes.onPublish((Publish) packet);
            case PUBACK -> session.onPubAck(((io.corvid.broker.packet.PubAck) packet).packetId());
            case PUBREC -> publishes.onPubRec((io.corvid.broker.packet.PubRec) packet);
            case PUBREL -> publishes.onPubRel((PubRel) packet);
            case PUBCOMP -> session.onPubComp(((io.corvid.broker.packet.PubComp) packet).packetId());
            case SUBSCRIBE -> subscriptions.onSubscribe((io.corvid.broker.packet.Subscribe) packet, true);
            case UNSUBSCRIBE -> subscriptions.onUnsubscribe((io.corvid.broker.packet.Unsubscribe) packet, true);
            case PINGREQ -> write(PingResp.INSTANCE);
            case DISCONNECT -> onClientDisconnect((Disconnect) packet);
            case AUTH -> {
                if (enhancedAuthenticator == null) {
                    engine.metrics().protocolErrors.increment();
                    disconnect(ReasonCode.PROTOCOL_ERROR, "AUTH on a connection without enhanced authentication");
                } else {
                    enhancedAuthenticator.onAuth((io.corvid.broker.packet.Auth) packet);
                }
            }
            default -> {
                engine.metrics().protocolErrors.increment();
                disconnect(ReasonCode.PROTOCOL_ERROR, packet.type() + " is not expected from a client");
            }
        }
    }

    private boolean interceptorsAccept(MqttPacket packet) {
        var interceptors = engine.interceptors();
        for (int i = 0; i < interceptors.size(); i++) {
            PacketInterceptor interceptor = interceptors.get(i);
            PacketInterceptor.Decision decision;
            try {
                decision = interceptor.intercept(client, packet);
            } catch (RuntimeException e) {
                LOG.warn("Packet interceptor {} failed on {} from {}; rejecting the packet", interceptor, packet.type(),
                        describe(), e);
                decision = PacketInterceptor.Decision.REJECT;
            }
            if (decision != PacketInterceptor.Decision.ACCEPT) {
                return false;
            }
        }
        return true;
    }

    /** Whether the interceptors accept a CONNECT (called before the session exists). */
    boolean interceptorsAcceptConnect(MqttPacket connect) {
        return interceptorsAccept(connect);
    }

    private void onRejectedByInterceptor(MqttPacket packet) {
        LOG.debug("{} from {} rejected by an interceptor", packet.type(), describe());
        switch (packet.type()) {
            case PUBLISH -> publishes.onRejected((Publish) packet);
            case SUBSCRIBE -> subscriptions.onSubscribe((io.corvid.broker.packet.Subscribe) packet, false);
            case UNSUBSCRIBE -> subscriptions.onUnsubscribe((io.corvid.broker.packet.Unsubscribe) packet, false);
            default -> disconnect(ReasonCode.NOT_AUTHORIZED, packet.type() + " rejected by an interceptor");
        }
    }

    private void onClientDisconnect(Disconnect disconnect) {
        if (version.isV5()) {
            long requested = disconnect.properties().getLong(Property.SESSION_EXPIRY_INTERVAL, -1);
            if (requested >= 0) {
                if (connectSessionExpiryInterval == 0 && requested != 0) {
                    engine.metrics().protocolErrors.increment();
                    disconnect(ReasonCode.PROTOCOL_ERROR, "DISCONNECT set a session expiry after CONNECT asked for none");
                    return;
                }
                sessionExpiryInterval = Math.min(requested, engine.config().maxSessionExpiryInterval());
            }
        }
        if (disconnect.reasonCode() != ReasonCode.DISCONNECT_WITH_WILL_MESSAGE && will != null) {
            will = null;
            // This runs in the session's executor: the stored will goes before the connection closes.
            session.willWithdrawn(this);
        }
        state = State.CLOSING;
        disconnectReason = new DisconnectReason(DisconnectReason.Initiator.CLIENT, disconnect.reasonCode(),
                "client sent DISCONNECT (" + disconnect.reasonCode() + ")");
        flush();
        connection.close();
    }

    /**
     * Pauses packet processing until {@code stage} answers (or the plug-in timeout applies the
     * fallback), then runs {@code continuation} in {@code resumeOn} and carries on. A stage that
     * is already complete continues at once.
     */
    <T> void await(CompletionStage<T> stage, T fallback, String what, Executor resumeOn, Consumer<T> continuation) {
        await(stage, fallback, what, resumeOn, continuation, null);
    }

    /**
     * As {@link #await(CompletionStage, Object, String, Executor, Consumer)}; when the connection
     * has closed by the time the answer is in, {@code ifClosed} (when not {@code null}) gets it
     * instead, in {@code resumeOn}: for answers that hold something to give back.
     */
    <T> void await(CompletionStage<T> stage, T fallback, String what, Executor resumeOn, Consumer<T> continuation,
                   Consumer<T> ifClosed) {
        T immediate = AsyncDecisions.immediateValue(stage);
        if (immediate != null) {
            continuation.accept(immediate);
            return;
        }
        CompletableFuture<T> decision = AsyncDecisions.guarded(stage, fallback, engine.config().pluginTimeout(),
                () -> what + " for " + describe());
        if (decision.isDone()) {
            continuation.accept(decision.join());
            return;
        }
        paused = true;
        setReading(false);
        decision.thenAccept(value -> resumeOn.execute(() -> {
            if (state == State.CLOSING || state == State.CLOSED) {
                if (ifClosed != null) {
                    ifClosed.accept(value);
                }
                return;
            }
            paused = false;
            continuation.accept(value);
            if (!paused) {
                // The continuation may have paused again (back-pressure): then it resumes later.
                resume();
            }
        }));
    }

    /** Resumes packet processing after a pause. Runs in the session's executor (or on the connection before CONNACK). */
    void resume() {
        if (publishLimiter != null && state == State.CONNECTED) {
            long debt = publishLimiter.debtNanos(engine.clock().nanoTime());
            if (debt > 0) {
                pauseForRate(debt);
                return;
            }
        }
        paused = false;
        if (state == State.CONNECTED) {
            setReading(true);
            drainInbound();
        }
    }

    boolean isPaused() {
        return paused;
    }

    /** Stops or resumes reading, touching the transport (a system call) only on a change. */
    void setReading(boolean enabled) {
        if (reading != enabled) {
            reading = enabled;
            connection.setReadEnabled(enabled);
        }
    }

    /**
     * Holds this client back (stops reading its packets) at an exhausted memory budget, until
     * every session in {@code overloaded} is relieved (see {@link Session#whenRelieved}) or
     * {@link #MAX_HOLD_MILLIS} have passed, whichever comes first: the publisher then moves at
     * the pace of the subscribers that keep up, while those that are stuck shed what they
     * cannot hold. Runs in the session's executor.
     */
    void holdUntilDrained(java.util.Set<Session> overloaded) {
        paused = true;
        setReading(false);
        engine.metrics().publisherPauses.increment();
        java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger(overloaded.size());
        java.util.concurrent.atomic.AtomicBoolean resumed = new java.util.concurrent.atomic.AtomicBoolean();
        Session own = session;
        Runnable resumeOnce = () -> {
            if (resumed.compareAndSet(false, true)) {
                own.executor().execute(() -> {
                    if (state == State.CONNECTED && own.isAttachedTo(this)) {
                        resume();
                    }
                });
            }
        };
        // A subscriber that is behind may turn out stuck: the budget is looked at again soon.
        Cancellable timeout = connection.schedule(resumeOnce, MAX_HOLD_MILLIS, TimeUnit.MILLISECONDS);
        for (Session target : overloaded) {
            target.whenRelieved(() -> {
                if (waiting.decrementAndGet() == 0) {
                    timeout.cancel();
                    resumeOnce.run();
                }
            });
        }
    }

    /** Called in the session's executor once the session is attached: send CONNACK and start flowing. */
    void onSessionAttached(boolean sessionPresent, io.corvid.broker.packet.ConnAck connAck) {
        if (state != State.CONNECTING) {
            return; // closed meanwhile; the detach submitted by onClosed follows
        }
        state = State.CONNECTED;
        write(connAck);
        connectedEventFired = true;
        engine.registerConnected(this);
        session.channelReady();
        LOG.info("{} connected (session present: {}, keep alive: {} s)", describe(), sessionPresent, keepAliveSeconds);
        engine.events().clientConnected(client, sessionPresent);
        paused = false;
        setReading(true);
        drainInbound();
    }

    // ------------------------------------------------------------ keep alive and timeouts

    private void connectTimedOut() {
        if (state == State.AWAITING_CONNECT) {
            LOG.info("Connection from {} sent no CONNECT within {} ms; closing", connection.remoteAddress(),
                    engine.config().connectTimeout().toMillis());
            closeQuietly(new DisconnectReason(DisconnectReason.Initiator.SERVER, ReasonCode.MAXIMUM_CONNECT_TIME,
                    "no CONNECT in time"));
        }
    }

    private long keepAliveLimitNanos() {
        return TimeUnit.SECONDS.toNanos(keepAliveSeconds) * 3 / 2;
    }

    /**
     * Called by the engine's keep-alive sweep, on its own thread, for every connected client:
     * when the client looks silent for longer than 1.5 times its keep alive, the connection's
     * own thread checks again and closes it. One sweep for all connections instead of a timer
     * each saves an idle connection the timer's task and its handles (about 100 bytes); a
     * stale read here only costs a check that finds the client active.
     */
    void sweepKeepAlive(long nowNanos) {
        if (keepAliveSeconds > 0 && nowNanos - (long) LAST_ACTIVITY.getOpaque(this) >= keepAliveLimitNanos()) {
            try {
                connection.executor().execute(this::checkKeepAlive);
            } catch (RejectedExecutionException e) {
                // The connection's thread is shutting down, and the connection with it.
            }
        }
    }

    private void checkKeepAlive() {
        if (state != State.CONNECTED || !reading) {
            // Not reading (a publish rate pause, a plug-in, the memory budget): the client's packets,
            // PINGREQ included, wait unread, which is no fault of the client's. The next sweep looks again.
            return;
        }
        if (engine.clock().nanoTime() - lastActivityNanos >= keepAliveLimitNanos()) {
            disconnect(ReasonCode.KEEP_ALIVE_TIMEOUT, "no packet within 1.5 times the keep alive of "
                    + keepAliveSeconds + " s");
        }
    }

    // ------------------------------------------------------------ writing and closing

    void write(MqttPacket packet) {
        connection.write(packet, version);
        writesPending = true;
        if (packet.type() != PacketType.PUBLISH) {
            // PUBLISH packets are counted per QoS by sendPublish; one counter per packet is enough.
            engine.metrics().controlPacketsSent.increment();
        }
    }

    /**
     * Writes {@code full}, or {@code bare} (the same packet without its reason string and user
     * properties) when {@code full} would exceed the client's Maximum Packet Size: MQTT 5.0 lets
     * those properties go, never the packet.
     */
    void writeWithinClientLimit(MqttPacket full, MqttPacket bare) {
        write(withinClientLimit(full, bare));
    }

    /** {@code full}, or {@code bare} when {@code full} would exceed the client's Maximum Packet Size. */
    MqttPacket withinClientLimit(MqttPacket full, MqttPacket bare) {
        boolean fits = clientMaximumPacketSize == Long.MAX_VALUE
                || MqttEncoder.encodedSize(full, version) <= clientMaximumPacketSize;
        return fits ? full : bare;
    }

    /**
     * Writes an acknowledgement (PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK) once what it
     * acknowledges is durable. If processing the packet it answers changed stored state (this
     * thread wrote to the store since {@code storeMark}), it waits until the store has made that
     * durable; so does every acknowledgement behind one that waits, because MQTT wants them in
     * order. Otherwise it is written at once.
     */
    void writeAck(MqttPacket ack, long storeMark) {
        writeAck(ack, storeMark, null);
    }

    /** As {@link #writeAck(MqttPacket, long)}, then runs {@code then} (if not null) right after the ack is written. */
    void writeAck(MqttPacket ack, long storeMark, Runnable then) {
        writeAck(ack, engine.wroteToStoreSince(storeMark), then);
    }

    /**
     * Writes an acknowledgement once everything handed to the store so far is durable, whether or
     * not processing the packet it answers wrote anything: for the answer to a resend, whose first
     * arrival's changes (the routed copies, the recorded packet identifier) may still wait for
     * the store's commit. Without a store it is written at once.
     */
    void writeAckAfterEarlierChanges(MqttPacket ack) {
        writeAck(ack, engine.store() != null, null);
    }

    private void writeAck(MqttPacket ack, boolean waitForStore, Runnable then) {
        if ((acksAwaitingStore == null || acksAwaitingStore.isEmpty()) && !waitForStore) {
            write(ack);
            if (then != null) {
                then.run();
            }
            return;
        }
        if (acksAwaitingStore == null) {
            // Only clients of a durable broker wait for the store: the others never need it.
            acksAwaitingStore = new ArrayDeque<>(1);
        }
        acksAwaitingStore.add(new AwaitingAck(ack, then));
        if (acksUnregistered++ == 0) {
            Session own = session;
            own.executor().execute(() -> awaitStore(own));
        }
    }

    /**
     * Asks the store for one callback for all the acknowledgements queued since the last one
     * (typically those of a whole read batch, which share a commit anyway) rather than one each:
     * it runs behind the current task, once every store write of those packets is handed over.
     */
    private void awaitStore(Session own) {
        int count = acksUnregistered;
        acksUnregistered = 0;
        engine.store().whenDurable(() -> own.executor().execute(() -> releaseAcks(own, count)));
    }

    private void releaseAcks(Session own, int count) {
        boolean attached = state == State.CONNECTED && own.isAttachedTo(this);
        for (int i = 0; i < count; i++) {
            AwaitingAck awaiting = acksAwaitingStore.poll();
            if (attached) {
                write(awaiting.ack());
                if (awaiting.then() != null) {
                    awaiting.then().run();
                }
            }
        }
    }

    /** An acknowledgement to write once the store has made what it acknowledges durable, and what to do then. */
    private record AwaitingAck(MqttPacket ack, Runnable then) {
    }

    /** A mark for {@link #writeAck}, taken before processing a packet. */
    long storeMark() {
        return engine.storeMark();
    }

    @Override
    public void flush() {
        if (writesPending) {
            writesPending = false;
            connection.flush();
        }
    }

    /** Closes without a DISCONNECT packet (before CONNACK, or for MQTT 3.1.1). */
    void closeQuietly(DisconnectReason reason) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        state = State.CLOSING;
        disconnectReason = reason;
        flush();
        connection.close();
    }

    @Override
    public void disconnect(ReasonCode reasonCode, String description) {
        disconnect(reasonCode, description, Properties.EMPTY);
    }

    /** Disconnects with extra DISCONNECT properties (MQTT 5.0), such as a Server Reference. */
    void disconnect(ReasonCode reasonCode, String description, Properties extra) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        boolean connected = state == State.CONNECTED;
        state = State.CLOSING;
        disconnectReason = new DisconnectReason(DisconnectReason.Initiator.SERVER, reasonCode, description);
        if (connected && version.isV5()) {
            Disconnect packet = new Disconnect(reasonCode, description == null ? extra
                    : extra.toBuilder().put(Property.REASON_STRING, description).build());
            if (MqttEncoder.encodedSize(packet, version) > clientMaximumPacketSize) {
                packet = new Disconnect(reasonCode, extra);
            }
            if (MqttEncoder.encodedSize(packet, version) > clientMaximumPacketSize) {
                packet = new Disconnect(reasonCode);
            }
            write(packet);
        }
        LOG.debug("Disconnecting {}: {} ({})", describe(), description, reasonCode);
        flush();
        connection.close();
    }

    /** Asks the connection's own thread to disconnect it; safe from any thread. */
    void disconnectFromAnyThread(ReasonCode reasonCode, String description) {
        // The connection's thread also runs the attached session's work, so this cannot
        // interleave with a batch of it.
        runOnConnectionThread(() -> disconnect(reasonCode, description));
    }

    /** Sends the client to another server; safe from any thread. */
    void redirectFromAnyThread(ReasonCode reasonCode, String serverReference) {
        Properties reference = Properties.builder().put(Property.SERVER_REFERENCE, serverReference).build();
        runOnConnectionThread(() -> disconnect(reasonCode, "redirected to " + serverReference, reference));
    }

    private void runOnConnectionThread(Runnable task) {
        try {
            connection.executor().execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: its connection's thread is gone; nothing to do", describe());
        }
    }

    static Properties reasonString(String text) {
        return text == null ? Properties.EMPTY : Properties.builder().put(Property.REASON_STRING, text).build();
    }

    /** Reason strings on acks only for clients that did not turn problem information off. */
    Properties problemProperties(String text) {
        return problemInformation ? reasonString(text) : Properties.EMPTY;
    }

    private static ReasonCode disconnectCodeFor(ReasonCode decodeError) {
        return decodeError.isAllowedIn(PacketType.DISCONNECT) ? decodeError : ReasonCode.PROTOCOL_ERROR;
    }

    // ------------------------------------------------------------ OutboundChannel

    @Override
    public int clientReceiveMaximum() {
        return clientReceiveMaximum;
    }

    @Override
    public boolean isWritable() {
        return state == State.CONNECTED && connection.isWritable();
    }

    @Override
    public boolean sendPublish(Publish publish) {
        if (state != State.CONNECTED) {
            return true; // stays in flight and is resent when the client comes back
        }
        Publish wireForm = outboundTopicAliases == null ? publish : outboundTopicAliases.apply(publish);
        if (clientMaximumPacketSize != Long.MAX_VALUE
                && MqttEncoder.encodedSize(wireForm, version) > clientMaximumPacketSize) {
            return false;
        }
        write(wireForm);
        if (outboundTopicAliases != null) {
            outboundTopicAliases.commit(wireForm);
        }
        engine.metrics().sent(publish.qos());
        return true;
    }

    @Override
    public void sendPubRel(int packetId) {
        if (state == State.CONNECTED) {
            write(new PubRel(packetId));
        }
    }

    @Override
    public Will takeOver() {
        Will previous = connectedEventFired ? will : null;
        will = null;
        if (state == State.CONNECTING) {
            // Overtaken between attaching and its CONNACK: a refusal the client sees at once, since
            // on a close without CONNACK some clients wait out their whole connect timeout.
            String description = "another connection took the session over before this one's CONNACK";
            LOG.info("{}: {}; refusing", describe(), description);
            engine.metrics().refused(ReasonCode.SERVER_UNAVAILABLE);
            writeWithinClientLimit(new io.corvid.broker.packet.ConnAck(false, ReasonCode.SERVER_UNAVAILABLE,
                            version.isV5() ? reasonString(description) : Properties.EMPTY),
                    new io.corvid.broker.packet.ConnAck(false, ReasonCode.SERVER_UNAVAILABLE, Properties.EMPTY));
            closeQuietly(new DisconnectReason(DisconnectReason.Initiator.SERVER, ReasonCode.SESSION_TAKEN_OVER,
                    description));
            return previous;
        }
        disconnect(ReasonCode.SESSION_TAKEN_OVER, "another connection took the session over");
        return previous;
    }

    // ------------------------------------------------------------ identity

    String clientId() {
        return client == null ? null : client.clientId();
    }

    ClientInfo clientInfo() {
        return client;
    }

    /** A snapshot for operators. Safe from any thread once connected (the fields read are published by the registration). */
    io.corvid.broker.ClientStatus status() {
        Session attached = session;
        return new io.corvid.broker.ClientStatus(client, keepAliveSeconds, connectedAtMillis,
                attached == null ? 0 : attached.queuedMessagesSnapshot(),
                attached == null ? 0 : attached.inflightMessagesSnapshot(),
                attached == null ? 0 : attached.subscriptionCount());
    }

    String describe() {
        if (client == null) {
            return "connection from " + connection.remoteAddress();
        }
        return "client " + client.clientId() + " (" + connection.remoteAddress() + ")";
    }
}
