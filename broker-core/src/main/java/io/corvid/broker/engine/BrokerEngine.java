package io.corvid.broker.engine;

import io.corvid.broker.Authentication;
import io.corvid.broker.Authorization;
import io.corvid.broker.BrokerConfig;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.Cluster;
import io.corvid.broker.ClusterContext;
import io.corvid.broker.ClusterMessage;
import io.corvid.broker.DropReason;
import io.corvid.broker.PacketInterceptor;
import io.corvid.broker.SessionInfo;
import io.corvid.broker.SessionStore;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import io.corvid.broker.session.Delivery;
import io.corvid.broker.session.MemoryBudget;
import io.corvid.broker.session.Message;
import io.corvid.broker.session.Session;
import io.corvid.broker.session.SessionContext;
import io.corvid.broker.session.SubscriptionRecord;
import io.corvid.broker.topic.RetainedIndex;
import io.corvid.broker.topic.TopicTrie;
import io.corvid.broker.transport.Connection;
import io.corvid.broker.transport.Connection.Cancellable;
import io.corvid.broker.transport.ConnectionAcceptor;
import io.corvid.broker.transport.ConnectionHandler;
import io.corvid.broker.transport.Transport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol engine of one broker: sessions, subscriptions, retained messages, routing, and
 * a {@link ProtocolHandler} per connection. It knows nothing of sockets: transports hand it
 * {@link Connection}s through {@link #accept}.
 */
public final class BrokerEngine implements ConnectionAcceptor, SessionContext {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerEngine.class);

    private final BrokerConfig config;
    private final TopicLimits topicLimits;
    private final Plugins plugins;
    private final EventDispatcher events;
    private final EngineClock clock;
    private final TrackedStore store;
    private final EngineMetrics metrics;
    /** Where latencies go, or {@code null}: then nothing is timed. */
    private final io.corvid.broker.MetricsRecorder recorder;
    private final MemoryBudget memoryBudget;
    /** How often {@link #coarseNanoTime()} moves on. */
    private static final long COARSE_TICK_MILLIS = 20;
    /** How often every connected client's keep alive is checked: the precision of a keep-alive close. */
    static final long KEEP_ALIVE_SWEEP_MILLIS = 500;
    private volatile long coarseNanos;

    private final SessionRegistry sessions = new SessionRegistry();
    private final TopicTrie<Session, SubscriptionRecord> subscriptions = new TopicTrie<>();
    private final RetainedIndex<Message> retained = new RetainedIndex<>();
    private final Router router = new Router(subscriptions);
    /** The cluster this node belongs to, or {@code null}: then publishing costs one null check more. */
    private final Cluster cluster;
    /** The filters subscribed on this node, counted for the cluster; {@code null} without one. */
    private final LocalFilters localFilters;
    private final ConcurrentHashMap<String, ProtocolHandler> connectedClients = new ConcurrentHashMap<>();
    private final AtomicInteger connectionCount = new AtomicInteger();
    /**
     * Sessions whose connection closed and whose detach (which publishes the will) has not run
     * yet: {@link #disconnectAll} waits for them too, so that wills are out before the transport
     * and the cluster stop.
     */
    private final AtomicInteger detaching = new AtomicInteger();
    /**
     * Runs every engine-owned task and timer: offline sessions' work, will-delay and session-expiry
     * timers, the coarse clock tick and the $SYS rounds. A single thread in production; a test
     * may pass its own (see the package-private constructor).
     */
    private final ScheduledExecutorService scheduler;
    /** Publishes the $SYS topics, or {@code null} when they are turned off. */
    private final SysTopics sysTopics;
    /** The timer of {@link #sysTopics}, once started. */
    private volatile ScheduledFuture<?> sysTimer;
    private volatile boolean shuttingDown;

    /**
     * @param config  limits and capabilities
     * @param plugins the application's plug-ins
     * @param clock   time sources
     * @param store   where persistent state is written through to, or {@code null}
     */
    public BrokerEngine(BrokerConfig config, Plugins plugins, EngineClock clock, SessionStore store) {
        this(config, plugins, clock, store, defaultScheduler());
    }

    /**
     * The seam for deterministic tests: {@code scheduler} runs all of the engine's own work
     * (background tasks and timers). With it and connections whose executors are the same
     * single-threaded virtual-time scheduler, one seed replays a whole run exactly. Production
     * uses {@link #defaultScheduler()}.
     */
    BrokerEngine(BrokerConfig config, Plugins plugins, EngineClock clock, SessionStore store,
                 ScheduledExecutorService scheduler) {
        this.config = config;
        this.topicLimits = new TopicLimits(config);
        this.store = store == null ? null : new TrackedStore(store);
        this.plugins = plugins;
        this.events = new EventDispatcher(plugins.listeners());
        this.clock = clock;
        this.memoryBudget = new MemoryBudget(config.memoryBudget());
        this.metrics = new EngineMetrics(this, memoryBudget, clock.currentTimeMillis());
        this.recorder = plugins.metricsRecorder();
        this.cluster = plugins.cluster();
        this.localFilters = cluster == null ? null : new LocalFilters(cluster);
        if (recorder != null && store != null) {
            store.metricsRecorder(recorder);
        }
        this.scheduler = scheduler;
        this.coarseNanos = clock.nanoTime();
        this.scheduler.scheduleAtFixedRate(() -> coarseNanos = clock.nanoTime(), COARSE_TICK_MILLIS,
                COARSE_TICK_MILLIS, TimeUnit.MILLISECONDS);
        this.scheduler.scheduleAtFixedRate(this::sweepKeepAlive, KEEP_ALIVE_SWEEP_MILLIS, KEEP_ALIVE_SWEEP_MILLIS,
                TimeUnit.MILLISECONDS);
        this.sysTopics = config.sysInterval().isZero() ? null
                : new SysTopics(metrics, clock, SysTopics.Heap.runtime(), BrokerVersion.current(), cluster != null,
                        this::publishSys);
    }

    /** The production scheduler: one daemon thread, "corvid-sessions". */
    private static ScheduledExecutorService defaultScheduler() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "corvid-sessions");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        // At shutdown, pending timers (session expiry, will delay) are dropped, not waited for.
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        return scheduler;
    }

    /**
     * Starts the engine's periodic work: the {@code $SYS} topics, a first round at once. Call
     * once, after {@link #restore()}.
     */
    public void start() {
        if (sysTopics != null && sysTimer == null) {
            // With a fixed delay, a round that overruns the interval never makes rounds pile up.
            sysTimer = scheduler.scheduleWithFixedDelay(() -> {
                if (!shuttingDown) {
                    sysTopics.run();
                }
            }, 0, config.sysInterval().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Loads what the store holds: sessions (offline, with subscriptions and pending messages)
     * and retained messages. Call once, before the transport accepts connections.
     */
    public void restore() {
        if (store == null) {
            return;
        }
        SessionStore.State state = store.load();
        long now = clock.currentTimeMillis();
        for (SessionStore.StoredMessage stored : state.retained()) {
            if (stored.expiresAtMillis() > now) {
                retained.put(stored.topic(), new Message(stored.topic(), stored.payload(), stored.qos(), true,
                        stored.properties(), stored.publisherId(), stored.expiresAtMillis()));
            } else {
                store.removeRetained(stored.topic());
            }
        }
        List<Session> restored = new ArrayList<>(state.sessions().size());
        for (SessionStore.StoredSession stored : state.sessions()) {
            Session session = sessionFor(stored.clientId());
            session.restore(stored);
            for (SubscriptionRecord record : session.subscriptions()) {
                subscriptions.put(record.subscription().topicFilter(), session, record);
                if (localFilters != null) {
                    localFilters.added(record.subscription().topicFilter());
                }
            }
            restored.add(session);
        }
        // Timers start once every subscription is back: a will due at once must find its subscribers.
        for (Session session : restored) {
            session.startRestoredTimers();
        }
        LOG.info("Restored {} sessions and {} retained messages from the session store",
                state.sessions().size(), retained.size());
    }

    @Override
    public ConnectionHandler accept(Connection connection) {
        metrics.connectionsAccepted.increment();
        return new ProtocolHandler(this, connection);
    }

    // ------------------------------------------------------------ accessors for handlers

    BrokerConfig config() {
        return config;
    }

    TopicLimits topicLimits() {
        return topicLimits;
    }

    Authentication authentication() {
        return plugins.authentication();
    }

    Authorization authorization() {
        return plugins.authorization();
    }

    List<PacketInterceptor> interceptors() {
        return plugins.interceptors();
    }

    /** The enhanced authentication provider for a method, or {@code null}. */
    io.corvid.broker.EnhancedAuthenticationProvider enhancedAuthentication(String method) {
        return plugins.enhancedAuthentication().get(method);
    }

    EventDispatcher events() {
        return events;
    }

    EngineClock clock() {
        return clock;
    }

    /** The engine's counters. */
    /** Tells the metrics which transport serves this engine, so that they include its counters. */
    public void servedBy(Transport transport) {
        metrics.transport(transport);
    }

    public EngineMetrics metrics() {
        return metrics;

    }

    boolean isShuttingDown() {
        return shuttingDown;
    }

    /** Counts a connected client against the limit; false when the broker is full. */
    boolean tryAcquireConnectionSlot() {
        if (connectionCount.incrementAndGet() > config.maxConnections()) {
            connectionCount.decrementAndGet();
            return false;
        }
        return true;
    }

    void releaseConnectionSlot() {
        connectionCount.decrementAndGet();
    }

    String assignClientId() {
        return "corvid-" + UUID.randomUUID();
    }

    Session sessionFor(String clientId) {
        return sessions.getOrCreate(clientId, id -> new Session(id, this));
    }

    /** The session for a client identifier; one created now starts on the connecting client's thread. */
    Session sessionFor(String clientId, java.util.concurrent.Executor connectionExecutor) {
        return sessions.getOrCreate(clientId, id -> new Session(id, this, connectionExecutor));
    }

    SessionRegistry sessionRegistry() {
        return sessions;
    }

    void registerConnected(ProtocolHandler handler) {
        handler.connectedAtMillis = clock.currentTimeMillis();
        connectedClients.put(handler.clientId(), handler);
        metrics.clientConnected(connectedClients.size());
    }

    /** One pass over the connected clients instead of a keep-alive timer per connection. */
    private void sweepKeepAlive() {
        long now = clock.nanoTime();
        for (ProtocolHandler handler : connectedClients.values()) {
            handler.sweepKeepAlive(now);
        }
    }

    /** A closed connection's session is about to be detached (in its executor). */
    void detachStarted() {
        detaching.incrementAndGet();
    }

    /** That detach ran (its will, if due, is published). */
    void detachDone() {
        if (detaching.decrementAndGet() == 0) {
            synchronized (connectedClients) {
                connectedClients.notifyAll();
            }
        }
    }

    void unregisterConnected(ProtocolHandler handler) {
        if (handler.clientId() != null) {
            connectedClients.remove(handler.clientId(), handler);
        }
        synchronized (connectedClients) {
            connectedClients.notifyAll();
        }
    }

    // ------------------------------------------------------------ subscriptions

    /** Adds or replaces a subscription; returns whether it existed before. Runs in the session's executor. */
    boolean subscribe(Session session, SubscriptionRecord record) {
        // Routing first, so that a subscription the session lists already receives messages.
        subscriptions.put(record.subscription().topicFilter(), session, record);
        boolean existed = session.putSubscription(record) != null;
        if (!existed && localFilters != null) {
            localFilters.added(record.subscription().topicFilter());
        }
        return existed;
    }

    /** Removes a subscription; returns whether it existed. Runs in the session's executor. */
    boolean unsubscribe(Session session, String topicFilter) {
        if (session.removeSubscription(topicFilter) == null) {
            return false;
        }
        subscriptions.remove(topicFilter, session);
        if (localFilters != null) {
            localFilters.removed(topicFilter);
        }
        return true;
    }

    /** Retained messages matching a (non-shared) filter that have not expired. */
    void forEachRetained(String topicFilter, java.util.function.Consumer<Message> action) {
        long now = clock.currentTimeMillis();
        retained.match(topicFilter, (topic, message) -> {
            if (!message.isExpired(now)) {
                action.accept(message);
            } else if (retained.removeIfSame(topic, message) && store != null) {
                store.removeRetained(topic);
            }
        });
    }

    // ------------------------------------------------------------ publishing

    /**
     * Accepts a message for routing: updates the retained store and hands the message to every
     * matching session. Safe from any thread.
     *
     * @param publisher the publishing client, or {@code null} for the application
     * @param original  the PUBLISH as received, for listeners
     * @return the number of sessions the message was handed to
     */
    int publish(Message message, ClientInfo publisher, Publish original) {
        return publish(message, publisher, original, null);
    }

    /**
     * As {@link #publish(Message, ClientInfo, Publish)}, collecting into {@code overloaded} the
     * sessions whose backlog asks the publisher to wait.
     */
    int publish(Message message, ClientInfo publisher, Publish original, java.util.Set<Session> overloaded) {
        metrics.received(message.qos());
        if (message.retain() && config.retainAvailable()) {
            updateRetained(message);
        }
        int routed;
        if (cluster == null) {
            routed = router.route(message, overloaded);
        } else {
            // The cluster places on other nodes only the shared groups no member here took.
            List<String> servedShares = new ArrayList<>(0);
            routed = router.route(message, overloaded, servedShares);
            routed += forwardToCluster(message, servedShares);
        }
        if (!events.isEmpty()) {
            events.messagePublished(publisher, original);
        }
        return routed;
    }

    /** Hands a message published on this node to the cluster; returns how many nodes it goes to. */
    private int forwardToCluster(Message message, List<String> servedShares) {
        try {
            return cluster.publish(new ClusterMessage(message.topic(), message.payload(), message.qos(),
                    message.retain(), message.properties(), message.publisherId(),
                    message.expiresAtMillis() == Message.NEVER ? ClusterMessage.NEVER_EXPIRES
                            : message.remainingSeconds(clock.currentTimeMillis())), servedShares);
        } catch (RuntimeException e) {
            // The local subscribers have it already; a cluster failure must not fail the publisher.
            LOG.error("The cluster failed to take a message for {}", message.topic(), e);
            return 0;
        }
    }

    /**
     * Delivers a message published on another node to this node's sessions only: it is never
     * forwarded again, it updates the retained messages when it carries RETAIN, and shared
     * subscription groups do not take it (the publishing node placed them: {@link #deliverSharedFromCluster}). Safe from
     * any thread; nobody is held back for it (the other node acknowledged its publisher already).
     */
    int deliverFromCluster(ClusterMessage clustered, boolean updatesRetained) {
        Message message = fromCluster(clustered);
        if (updatesRetained && message.retain() && config.retainAvailable()) {
            updateRetained(message);
        }
        return router.routeToSubscribers(message);
    }

    /**
     * Gives a message from the cluster to one member here of each named shared group, and to
     * nobody else; see {@link ClusterContext#deliverShared}. Returns how many groups took it.
     */
    int deliverSharedFromCluster(ClusterMessage clustered, java.util.Collection<String> shares) {
        if (shares.isEmpty()) {
            return 0;
        }
        return router.routeToShares(fromCluster(clustered), shares);
    }

    /** Sets or deletes this node's retained message of a topic for the cluster; see {@link ClusterContext#installRetained}. */
    void installRetainedFromCluster(ClusterMessage clustered) {
        if (!config.retainAvailable()) {
            return;
        }
        Message current = retained.get(clustered.topic());
        // The cluster re-installs what this node itself published when it wins: nothing to write then.
        if (current == null ? clustered.payload().length == 0 : current.payload() == clustered.payload()) {
            return;
        }
        updateRetained(fromCluster(clustered));
    }

    /** This node's live retained messages for the cluster, without the $SYS ones; see {@link ClusterContext#retainedMessages}. */
    List<ClusterMessage> retainedForCluster() {
        long now = clock.currentTimeMillis();
        List<ClusterMessage> messages = new ArrayList<>();
        retained.forEach((topic, message) -> {
            if (!message.isExpired(now) && !topic.startsWith("$SYS/")) {
                messages.add(new ClusterMessage(topic, message.payload(), message.qos(), true, message.properties(),
                        message.publisherId(), message.expiresAtMillis() == Message.NEVER
                                ? ClusterMessage.NEVER_EXPIRES : message.remainingSeconds(now)));
            }
        });
        return messages;
    }

    /** A message from the cluster as this node keeps it: "seconds left" becomes an instant by this node's clock. */
    private Message fromCluster(ClusterMessage clustered) {
        long expiresAt = clustered.expirySeconds() == ClusterMessage.NEVER_EXPIRES ? Message.NEVER
                : clock.currentTimeMillis() + clustered.expirySeconds() * 1000;
        return new Message(clustered.topic(), clustered.payload(), clustered.qos(), clustered.retain(),
                clustered.properties(), clustered.publisherId(), expiresAt);
    }

    /** The cluster this node belongs to, or {@code null}. */
    Cluster cluster() {
        return cluster;
    }

    /** The way back into this engine for the cluster it belongs to. */
    public ClusterContext clusterContext() {
        return new ClusterContext() {
            @Override
            public int deliver(ClusterMessage message) {
                return deliverFromCluster(message, true);
            }

            @Override
            public int deliverWithoutRetaining(ClusterMessage message) {
                return deliverFromCluster(message, false);
            }

            @Override
            public int deliverShared(ClusterMessage message, java.util.Collection<String> shares) {
                return deliverSharedFromCluster(message, shares);
            }

            @Override
            public void installRetained(ClusterMessage message) {
                installRetainedFromCluster(message);
            }

            @Override
            public List<ClusterMessage> retainedMessages() {
                return retainedForCluster();
            }

            @Override
            public void takeOverClient(String clientId, long epoch) {
                takeOverFromCluster(clientId, epoch);
            }
        };
    }

    /**
     * A cluster claim made for a connection that closed (or whose session ended) before it could
     * use it: the session this node holds of the client, if any, now holds it (its end releases
     * it), otherwise it is released at once. A failed claim (negative) or none holds nothing.
     */
    void claimUnused(String clientId, long epoch) {
        if (epoch <= Cluster.NO_CLAIM) {
            return;
        }
        Session session = sessions.get(clientId);
        if (session == null) {
            releaseClaim(clientId, epoch);
            return;
        }
        session.executor().execute(() -> {
            if (session.isEnded()) {
                releaseClaim(clientId, epoch);
            } else {
                session.claimEpoch(epoch);
            }
        });
    }

    private void releaseClaim(String clientId, long epoch) {
        try {
            cluster.releaseClient(clientId, epoch);
        } catch (RuntimeException e) {
            LOG.warn("The cluster failed to release the client identifier {}", clientId, e);
        }
    }

    /**
     * Another node claimed {@code clientId} with {@code epoch}. Decided in the session's executor,
     * where attaching happens too: a connection that attached there under a claim at least as new
     * stays, an older one (or the offline session) goes.
     */
    void takeOverFromCluster(String clientId, long epoch) {
        Session session = sessions.get(clientId);
        if (session == null) {
            return; // Nothing here; a connection still waiting for its own claim checks it before attaching.
        }
        session.executor().execute(() -> {
            if (session.isEnded() || session.claimEpoch() >= epoch) {
                return;
            }
            LOG.info("Client {} was taken over by another node (claim {}); ending its session here", clientId, epoch);
            metrics.sessionsTakenOverByCluster.increment();
            session.takenOverElsewhere();
        });
    }

    /** How many sessions on this node subscribe to {@code filter}, as counted for the cluster (for tests). */
    int localFilterCount(String filter) {
        return localFilters == null ? 0 : localFilters.count(filter);
    }

    private void updateRetained(Message message) {
        boolean delete = message.payload().length == 0;
        if (delete) {
            retained.remove(message.topic());
        } else {
            retained.put(message.topic(), message);
        }
        if (store != null) {
            try {
                if (delete) {
                    store.removeRetained(message.topic());
                } else {
                    store.saveRetained(new SessionStore.StoredMessage(0, message.topic(), message.payload(),
                            message.qos(), true, message.properties(), message.publisherId(),
                            message.expiresAtMillis(), Delivery.NO_IDENTIFIERS, 0, false));
                }
            } catch (RuntimeException e) {
                LOG.error("Session store failed to keep the retained message of {}", message.topic(), e);
            }
        }
    }

    /**
     * Publishes one of the broker's own {@code $SYS} values: QoS 0, retained (unless retained
     * messages are turned off), routed like any message so that subscribers' authorization
     * applies. It describes this run only, so it is neither written to the store nor counted as
     * received, nor reported to listeners as a client's publication would be.
     */
    void publishSys(String topic, byte[] payload) {
        boolean retain = config.retainAvailable();
        Message message = new Message(topic, payload, QoS.AT_MOST_ONCE, retain,
                Properties.EMPTY, null, Message.NEVER);
        if (retain) {
            retained.put(topic, message);
        }
        router.route(message, null);
    }

    /** The $SYS publisher, or {@code null} when the $SYS topics are off (for tests). */
    SysTopics sysTopics() {
        return sysTopics;
    }

    /** The $SYS timer, or {@code null} before {@link #start()} or when the $SYS topics are off (for tests). */
    ScheduledFuture<?> sysTimer() {
        return sysTimer;
    }

    /** Publishes from inside the application. Safe from any thread. */
    public int publishFromApplication(Publish publish) {
        Message message = new Message(publish.topic(), publish.payload(), publish.qos(), publish.retain(),
                Message.forwardableProperties(publish.properties()), null, expiresAt(publish.properties()));
        return publish(message, null, publish);
    }

    long expiresAt(io.corvid.broker.packet.Properties properties) {
        long interval = properties.getLong(Property.MESSAGE_EXPIRY_INTERVAL, -1);
        return interval < 0 ? Message.NEVER : clock.currentTimeMillis() + interval * 1000;
    }

    // ------------------------------------------------------------ SessionContext

    @Override
    public int maxInflight() {
        return config.maxInflight();
    }

    @Override
    public int maxQueuedMessages() {
        return config.maxQueuedMessages();
    }

    @Override
    public long maxQueuedBytes() {
        return config.maxQueuedBytes();
    }

    @Override
    public io.corvid.broker.QueueOverflowPolicy queueOverflowPolicy() {
        return config.queueOverflowPolicy();
    }

    /** The broker-wide budget for messages held for subscribers. */
    @Override
    public MemoryBudget memoryBudget() {
        return memoryBudget;
    }

    @Override
    public boolean queueQos0WhileOffline() {
        return config.queueQos0WhileOffline();
    }

    @Override
    public SessionStore store() {
        return store;
    }

    @Override
    public long nowMillis() {
        return clock.currentTimeMillis();
    }

    @Override
    public long nanoTime() {
        return clock.nanoTime();
    }

    @Override
    public long coarseNanoTime() {
        return coarseNanos;
    }

    @Override
    public Executor backgroundExecutor() {
        return scheduler;
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            ScheduledFuture<?> future = scheduler.schedule(task, delay, unit);
            return () -> future.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Shutting down: timers no longer matter, sessions are being closed.
            return () -> { };
        }
    }

    @Override
    public void messageDropped(Session session, Delivery delivery, DropReason reason) {
        metrics.dropped(reason);
        LOG.debug("Dropped {} for {}: {}", delivery.message(), session.clientId(), reason);
        if (!events.isEmpty()) {
            Message message = delivery.message();
            events.messageDropped(session.clientId(), new Publish(message.topic(), delivery.qos(),
                    delivery.retain(), false, 0, message.payload(), message.properties()), reason);
        }
    }

    @Override
    public void delivered(Message message) {
        if (recorder != null) {
            // System time, like the stamp: the engine clock may be a test's virtual one.
            recorder.deliveryLatency(System.nanoTime() - message.timedFromNanos());
        }
    }

    /** Whether publishes should be timed at all (a metrics recorder is installed). */
    boolean timesDeliveries() {
        return recorder != null;
    }

    @Override
    public boolean reroute(Session from, Delivery delivery, boolean onlineOnly) {
        return Router.reroute(from, delivery, onlineOnly);
    }

    @Override
    public void publishWill(Session session, Will will) {
        Message message = new Message(will.topic(), will.payload(), will.qos(), will.retain(),
                Message.forwardableProperties(will.properties().without(Property.WILL_DELAY_INTERVAL)),
                session.clientId(), expiresAt(will.properties()));
        LOG.debug("Publishing the will of {} to {}", session.clientId(), will.topic());
        publish(message, null, new Publish(will.topic(), will.qos(), will.retain(), false, 0, will.payload(),
                message.properties()));
    }

    @Override
    public void subscriptionsRemoved(Session session, Collection<SubscriptionRecord> records) {
        for (SubscriptionRecord record : records) {
            subscriptions.remove(record.subscription().topicFilter(), session);
            if (localFilters != null) {
                localFilters.removed(record.subscription().topicFilter());
            }
        }
    }

    @Override
    public void sessionExpired(Session session) {
        metrics.sessionsExpired.increment();
        LOG.debug("Session of {} expired", session.clientId());
    }

    @Override
    public void sessionEnded(Session session, boolean replaced) {
        if (!replaced) {
            sessions.remove(session);
        }
        LOG.debug("Session of {} ended", session.clientId());
        if (cluster != null && !replaced && session.claimEpoch() != Cluster.NO_CLAIM) {
            releaseClaim(session.clientId(), session.claimEpoch());
        }
        events.sessionEnded(session.clientId());
    }

    // ------------------------------------------------------------ embedding API

    /** Connected clients. */
    public List<ClientInfo> clients() {
        List<ClientInfo> list = new ArrayList<>(connectedClients.size());
        for (ProtocolHandler handler : connectedClients.values()) {
            list.add(handler.clientInfo());
        }
        return list;
    }

    /** Connected clients with what they hold. */
    public List<io.corvid.broker.ClientStatus> clientStatuses() {
        List<io.corvid.broker.ClientStatus> list = new ArrayList<>(connectedClients.size());
        for (ProtocolHandler handler : connectedClients.values()) {
            list.add(handler.status());
        }
        return list;
    }

    /** One connected client with what it holds. */
    public Optional<io.corvid.broker.ClientStatus> clientStatus(String clientId) {
        ProtocolHandler handler = connectedClients.get(clientId);
        return handler == null ? Optional.empty() : Optional.of(handler.status());
    }

    /** Unexpired retained messages whose topics match a (non-shared) filter, as PUBLISH packets. */
    public List<Publish> retained(String topicFilter) {
        List<Publish> list = new ArrayList<>();
        forEachRetained(topicFilter, message -> list.add(new Publish(message.topic(), message.qos(), true, false, 0,
                message.payload(), message.properties())));
        return list;
    }

    /** Deletes the retained message of a topic (and from the store); returns whether there was one. */
    public boolean removeRetained(String topic) {
        Message removed = retained.remove(topic);
        if (removed != null && store != null) {
            try {
                store.removeRetained(topic);
            } catch (RuntimeException e) {
                LOG.error("Session store failed to remove the retained message of {}", topic, e);
            }
        }
        return removed != null;
    }

    /** A connected client by identifier. */
    public Optional<ClientInfo> client(String clientId) {
        ProtocolHandler handler = connectedClients.get(clientId);
        return handler == null ? Optional.empty() : Optional.of(handler.clientInfo());
    }

    /** Every session, connected or not. */
    public List<SessionInfo> sessions() {
        List<SessionInfo> list = new ArrayList<>(sessions.size());
        for (Session session : sessions.all()) {
            if (!session.isEnded()) {
                list.add(session.info());
            }
        }
        return list;
    }

    /** One session by client identifier. */
    public Optional<SessionInfo> session(String clientId) {
        Session session = sessions.get(clientId);
        return session == null || session.isEnded() ? Optional.empty() : Optional.of(session.info());
    }

    /** Disconnects a connected client (MQTT 5.0: DISCONNECT 0x98 Administrative action). */
    public boolean disconnect(String clientId) {
        ProtocolHandler handler = connectedClients.get(clientId);
        if (handler == null) {
            return false;
        }
        handler.disconnectFromAnyThread(ReasonCode.ADMINISTRATIVE_ACTION, "disconnected by the application");
        return true;
    }

    /** Sends a connected client elsewhere (MQTT 5.0: DISCONNECT 0x9C or 0x9D with a Server Reference). */
    public boolean redirect(String clientId, String serverReference, boolean permanent) {
        ProtocolHandler handler = connectedClients.get(clientId);
        if (handler == null) {
            return false;
        }
        handler.redirectFromAnyThread(permanent ? ReasonCode.SERVER_MOVED : ReasonCode.USE_ANOTHER_SERVER,
                serverReference);
        return true;
    }

    /** How many clients are connected. */
    public int connectedClientCount() {
        return connectedClients.size();
    }

    /** How many retained messages are stored. */
    public int retainedMessageCount() {
        return retained.size();
    }

    // ------------------------------------------------------------ shutdown

    /**
     * Says goodbye to every connected client (MQTT 5.0: DISCONNECT 0x8B Server shutting down)
     * and waits up to {@code timeoutMillis} for their connections to close and their sessions
     * to be detached, so that their wills are published while the transport (and the cluster)
     * still run.
     */
    public void disconnectAll(long timeoutMillis) {
        shuttingDown = true;
        for (ProtocolHandler handler : connectedClients.values()) {
            handler.disconnectFromAnyThread(ReasonCode.SERVER_SHUTTING_DOWN, "broker shutting down");
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (connectedClients) {
            while (!connectedClients.isEmpty() || detaching.get() > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    LOG.warn("{} clients did not disconnect in time ({} sessions not yet detached)",
                            connectedClients.size(), detaching.get());
                    break;
                }
                try {
                    connectedClients.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    /** Releases the engine's own threads after letting queued session work finish. */
    public void close() {
        shuttingDown = true;
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            scheduler.shutdownNow();
        }
        if (store != null) {
            try {
                store.close();
            } catch (RuntimeException e) {
                LOG.error("The session store failed to close", e);
            }
        }
    }

    /** A mark to pass to {@link #wroteToStoreSince}: how many store changes this thread has made. */
    long storeMark() {
        return store == null ? 0 : store.writesOnThisThread();
    }

    /** Whether this thread has handed changes to the store since {@code mark}. */
    boolean wroteToStoreSince(long mark) {
        return store != null && store.writesOnThisThread() != mark;
    }

    /** Runs a task on the engine's scheduler after a delay (used by handlers for plug-in timeouts). */
    ScheduledExecutorService scheduler() {
        return scheduler;
    }
}
