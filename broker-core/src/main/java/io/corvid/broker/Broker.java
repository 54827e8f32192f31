package io.corvid.broker;

import io.corvid.broker.engine.BrokerEngine;
import io.corvid.broker.engine.EngineClock;
import io.corvid.broker.engine.Plugins;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.topic.Topics;
import io.corvid.broker.transport.BoundListener;
import io.corvid.broker.transport.Transport;
import io.corvid.broker.transport.TransportProvider;
import io.corvid.broker.transport.TransportSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT broker that runs inside the application:
 * <pre>{@code
 * try (Broker broker = new Broker.Builder().port(1883).build().start()) {
 *     broker.publish("greetings", "hello".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
 *     ...
 * }
 * }</pre>
 * A transport module (broker-netty) must be on the class path, or be given with
 * {@link Builder#transport}. Several brokers can run in one JVM: a broker keeps no static
 * state.
 *
 * <p>{@link #start()} and {@link #stop()} are idempotent and thread safe. A stopped broker
 * cannot be started again; build a new one.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    private static final long GOODBYE_TIMEOUT_MILLIS = 5_000;

    private enum State { NEW, RUNNING, STOPPED }

    private final BrokerConfig config;
    private final Builder builder;
    private State state = State.NEW;
    private BrokerEngine engine;
    private Transport transport;
    private List<BoundListener> boundListeners = List.of();

    private Broker(Builder builder) {
        this.builder = builder;
        this.config = new BrokerConfig(builder);
    }

    /**
     * Binds the listeners and starts serving. Returns this broker, so that
     * {@code new Broker.Builder().build().start()} reads as one line.
     *
     * @throws UncheckedIOException  if a listener cannot be bound (nothing stays bound)
     * @throws IllegalStateException if no transport is available, or the broker was stopped
     */
    public synchronized Broker start() {
        if (state == State.RUNNING) {
            return this;
        }
        if (state == State.STOPPED) {
            throw new IllegalStateException("a stopped broker cannot be restarted; build a new one");
        }
        boolean anonymous = builder.authentication == null;
        transport = builder.transport != null ? builder.transport : loadTransport();
        engine = new BrokerEngine(config, new Plugins(
                anonymous ? Authentication.allowAll() : builder.authentication,
                builder.authorization == null ? Authorization.allowAll() : builder.authorization,
                builder.interceptors, builder.brokerListeners, builder.enhancedAuthentication, builder.metricsRecorder,
                builder.cluster), builder.clock, builder.sessionStore);
        try {
            engine.restore();
            engine.start();
            if (builder.cluster != null) {
                // Before the listeners: the first client to connect already reaches the whole cluster.
                builder.cluster.start(engine.clusterContext());
            }
            boundListeners = transport.start(config.listeners(), engine, config.transportSettings());
            engine.servedBy(transport);
        } catch (IOException e) {
            abortStart();
            throw new UncheckedIOException("could not bind listeners " + config.listeners(), e);
        } catch (RuntimeException e) {
            abortStart();
            throw e;
        }
        state = State.RUNNING;
        for (BoundListener bound : boundListeners) {
            LOG.info("Listening for MQTT on {} ({})",
                    bound.address() != null ? bound.address() : bound.listener().socketPath(), bound.listener().name());
        }
        if (anonymous) {
            LOG.warn("No authentication configured: anonymous clients are allowed");
        }
        return this;
    }

    private void abortStart() {
        transport.stop();
        stopCluster();
        engine.close();
        state = State.STOPPED;
    }

    /**
     * Stops gracefully: stops accepting connections, disconnects every client (MQTT 5.0
     * clients receive DISCONNECT 0x8B Server shutting down; wills of clients that did not
     * disconnect themselves are published), then releases all threads.
     */
    public synchronized void stop() {
        if (state != State.RUNNING) {
            state = State.STOPPED;
            return;
        }
        state = State.STOPPED;
        LOG.info("Stopping: disconnecting {} clients", engine.connectedClientCount());
        transport.stopAccepting();
        engine.disconnectAll(GOODBYE_TIMEOUT_MILLIS);
        // After the goodbyes, whose wills the other nodes still receive; before the engine closes.
        stopCluster();
        transport.stop();
        engine.close();
        LOG.info("Stopped");
    }

    private void stopCluster() {
        if (builder.cluster != null) {
            try {
                builder.cluster.stop();
            } catch (RuntimeException e) {
                LOG.error("The cluster failed to stop", e);
            }
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** Whether the broker is serving. */
    public synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    /** The configuration the broker was built with. */
    public BrokerConfig config() {
        return config;
    }

    /**
     * The port of the first listener that has one (a Unix domain socket has none), as bound
     * (so port 0 tells the real port).
     */
    public synchronized int port() {
        requireRunning();
        return boundListeners.stream().filter(bound -> bound.address() != null).findFirst()
                .orElseThrow(() -> new IllegalStateException("no listener has a port")).address().getPort();
    }

    /** Every listener as bound. */
    public synchronized List<BoundListener> boundListeners() {
        requireRunning();
        return boundListeners;
    }

    /**
     * Publishes a message from inside the application, as if a client had published it.
     *
     * @return how many sessions it was handed to
     */
    public int publish(String topic, byte[] payload, QoS qos, boolean retain) {
        return publish(new Publish(topic, qos, retain, false, 0, payload, Properties.EMPTY));
    }

    /**
     * Publishes a message with full control over its MQTT 5.0 properties (the packet
     * identifier and DUP flag are ignored).
     *
     * @return how many sessions it was handed to
     */
    public int publish(Publish message) {
        Objects.requireNonNull(message, "message");
        if (!Topics.isValidTopicName(message.topic())) {
            throw new IllegalArgumentException("not a valid topic name: '" + message.topic() + "'");
        }
        return runningEngine().publishFromApplication(message);
    }

    /** The connected clients. */
    public List<ClientInfo> clients() {
        return runningEngine().clients();
    }

    /** A connected client by identifier. */
    public Optional<ClientInfo> client(String clientId) {
        return runningEngine().client(clientId);
    }

    /** Connected clients with their keep alive, connection time, queue and in-flight counts. */
    public List<ClientStatus> clientStatuses() {
        return runningEngine().clientStatuses();
    }

    /** One connected client with its keep alive, connection time, queue and in-flight counts. */
    public Optional<ClientStatus> clientStatus(String clientId) {
        return runningEngine().clientStatus(clientId);
    }

    /**
     * The retained messages whose topics match {@code topicFilter} (wildcards allowed; not a
     * shared subscription filter), as the PUBLISH a new subscriber would get.
     *
     * @throws IllegalArgumentException if the filter is not a valid topic filter
     */
    public List<Publish> retained(String topicFilter) {
        if (!io.corvid.broker.topic.Topics.isValidTopicFilter(topicFilter)
                || io.corvid.broker.topic.Topics.isShared(topicFilter)) {
            throw new IllegalArgumentException("not a topic filter: " + topicFilter);
        }
        return runningEngine().retained(topicFilter);
    }

    /**
     * Deletes the retained message of {@code topic}, from the durable store too; returns
     * whether there was one. Unlike an MQTT client's empty retained PUBLISH, nothing is
     * delivered to current subscribers.
     */
    public boolean removeRetained(String topic) {
        return runningEngine().removeRetained(topic);
    }

    /** Every session, connected or offline. */
    public List<SessionInfo> sessions() {
        return runningEngine().sessions();
    }

    /** A session by client identifier. */
    public Optional<SessionInfo> session(String clientId) {
        return runningEngine().session(clientId);
    }

    /**
     * Disconnects a client (MQTT 5.0: DISCONNECT 0x98 Administrative action). Its will is
     * published and its session kept as its expiry says.
     *
     * @return whether the client was connected
     */
    public boolean disconnect(String clientId) {
        return runningEngine().disconnect(clientId);
    }

    /**
     * Sends a connected client to another server: MQTT 5.0 clients receive DISCONNECT 0x9C Use
     * Another Server (or 0x9D Server Moved when {@code permanent}) with the Server Reference;
     * MQTT 3.1.1 clients are disconnected.
     *
     * @return whether the client was connected
     */
    public boolean redirect(String clientId, String serverReference, boolean permanent) {
        return runningEngine().redirect(clientId, serverReference, permanent);
    }

    /**
     * The nodes of the cluster this broker belongs to, as it sees them now (itself included), or
     * an empty list when it is a single node.
     */
    public synchronized List<ClusterMember> clusterMembers() {
        requireRunning();
        return builder.cluster == null ? List.of() : builder.cluster.members();
    }

    /** The broker's counters. */
    public BrokerMetrics metrics() {
        return runningEngine().metrics();
    }

    private synchronized BrokerEngine runningEngine() {
        requireRunning();
        return engine;
    }

    private void requireRunning() {
        if (state != State.RUNNING) {
            throw new IllegalStateException("the broker is not running");
        }
    }

    private static Transport loadTransport() {
        Iterator<TransportProvider> providers = ServiceLoader.load(TransportProvider.class).iterator();
        if (!providers.hasNext()) {
            throw new IllegalStateException("no MQTT transport on the class path: add io.corvid:broker-netty, "
                    + "or give one with Broker.Builder.transport(...)");
        }
        TransportProvider provider = providers.next();
        LOG.debug("Using the {} transport", provider.name());
        return provider.create();
    }

    /**
     * Builds a {@link Broker}. Every setting has a safe default; with none given the broker
     * listens on 0.0.0.0:1883 and lets anyone in.
     */
    public static final class Builder {
        String host = "0.0.0.0";
        int port = 1883;
        final List<Listener> listeners = new ArrayList<>();
        int maxConnections = Integer.MAX_VALUE;
        int maxConnectionRate;
        int connectionRateBurst;
        int maxSubscriptionsPerClient = BrokerConfig.UNLIMITED;
        int maxTopicLevels = BrokerConfig.DEFAULT_MAX_TOPIC_LEVELS;
        int maxTopicLength = BrokerConfig.DEFAULT_MAX_TOPIC_LENGTH;
        int maxPublishRate;
        long maxPublishBytesRate;
        PublishRatePolicy publishRatePolicy = PublishRatePolicy.THROTTLE;
        int maxPacketSize = BrokerConfig.DEFAULT_MAX_PACKET_SIZE;
        int maxInflight = BrokerConfig.DEFAULT_MAX_INFLIGHT;
        int receiveMaximum = BrokerConfig.DEFAULT_RECEIVE_MAXIMUM;
        int maxQueuedMessages = BrokerConfig.DEFAULT_MAX_QUEUED_MESSAGES;
        long maxQueuedBytes = BrokerConfig.DEFAULT_MAX_QUEUED_BYTES;
        QueueOverflowPolicy queueOverflowPolicy = QueueOverflowPolicy.DROP_NEWEST;
        long memoryBudget;
        Duration writeStallTimeout = BrokerConfig.DEFAULT_WRITE_STALL_TIMEOUT;
        Duration sysInterval = BrokerConfig.DEFAULT_SYS_INTERVAL;
        boolean queueQos0WhileOffline;
        int maxKeepAlive = 0xFFFF;
        Duration connectTimeout = Duration.ofSeconds(10);
        Duration pluginTimeout = Duration.ofSeconds(10);
        long maxSessionExpiryInterval = BrokerConfig.SESSION_NEVER_EXPIRES;
        int topicAliasMaximum = BrokerConfig.DEFAULT_TOPIC_ALIAS_MAXIMUM;
        QoS maximumQos = QoS.EXACTLY_ONCE;
        boolean retainAvailable = true;
        boolean wildcardSubscriptionsAvailable = true;
        boolean subscriptionIdentifiersAvailable = true;
        boolean sharedSubscriptionsAvailable = true;
        boolean validatePayloadFormat;
        boolean outboundTopicAliases = true;
        java.util.function.Function<ClientInfo, String> responseInformation;
        Authentication authentication;
        Authorization authorization;
        final List<PacketInterceptor> interceptors = new ArrayList<>();
        final List<BrokerListener> brokerListeners = new ArrayList<>();
        final java.util.Map<String, EnhancedAuthenticationProvider> enhancedAuthentication = new java.util.LinkedHashMap<>();
        Transport transport;
        int ioThreads;
        TransportSettings.NativeTransport nativeTransport = TransportSettings.NativeTransport.AUTO;
        int writeBufferLowWaterMark = 32 * 1024;
        int writeBufferHighWaterMark = 64 * 1024;
        SessionStore sessionStore;
        MetricsRecorder metricsRecorder;
        EngineClock clock = EngineClock.SYSTEM;
        Cluster cluster;

        /** The address of the default TCP listener (used when no listener is added). Default 0.0.0.0. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port of the default TCP listener (used when no listener is added); 0 picks a free one. Default 1883. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** Adds a listener; once one is added, {@link #host} and {@link #port} are not used. */
        public Builder listener(Listener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The most clients connected at once. Default: no limit. */
        public Builder maxConnections(int max) {
            this.maxConnections = positive(max, "maxConnections");
            return this;
        }

        /**
         * The most new connections each listener accepts per second, after a burst of
         * {@link #connectionRateBurst}. Beyond it the listener stops accepting for as long as the
         * rate needs (the listening socket is not read, and a task on its event loop resumes it),
         * so that a connection storm waits in the kernel's accept backlog instead of being
         * accepted and dropped, and the connections already open are served meanwhile. Each
         * listener has its own budget. 0 turns pacing off. Default 0 (off).
         */
        public Builder maxConnectionRate(int connectionsPerSecond) {
            if (connectionsPerSecond < 0) {
                throw new IllegalArgumentException("maxConnectionRate must be 0 (off) or positive: "
                        + connectionsPerSecond);
            }
            this.maxConnectionRate = connectionsPerSecond;
            return this;
        }

        /**
         * The connections a listener accepts at once, after a quiet time, within
         * {@link #maxConnectionRate}. Default: one second's worth of the rate.
         */
        public Builder connectionRateBurst(int connections) {
            this.connectionRateBurst = positive(connections, "connectionRateBurst");
            return this;
        }

        /**
         * The most subscriptions one session may hold. A SUBSCRIBE whose new filters would pass
         * it gets, for each filter beyond it, SUBACK 0x97 Quota exceeded (MQTT 5.0) or 0x80
         * Failure (3.1.1); a filter that replaces one the session already holds does not count
         * again. Default: no limit.
         */
        public Builder maxSubscriptionsPerClient(int max) {
            this.maxSubscriptionsPerClient = positive(max, "maxSubscriptionsPerClient");
            return this;
        }

        /**
         * The most levels (parts between {@code /}) in a topic name or filter, a shared
         * subscription's {@code $share/group/} not counted. A filter with more gets SUBACK 0x8F
         * Topic Filter invalid (UNSUBACK 0x8F in MQTT 5.0; 0x80 Failure in 3.1.1); a PUBLISH with
         * more is refused as EMQX and HiveMQ refuse it: the client is disconnected (MQTT 5.0:
         * DISCONNECT 0x90 Topic Name invalid). Default {@value BrokerConfig#DEFAULT_MAX_TOPIC_LEVELS},
         * as EMQX's {@code max_topic_levels}.
         */
        public Builder maxTopicLevels(int max) {
            this.maxTopicLevels = positive(max, "maxTopicLevels");
            return this;
        }

        /**
         * The longest topic name or filter (a shared one with its {@code $share/group/}), in UTF-8
         * bytes; one longer is refused as one with more than {@link #maxTopicLevels}.
         * Default {@value BrokerConfig#DEFAULT_MAX_TOPIC_LENGTH}, the most MQTT can encode (so no
         * limit beyond the protocol's).
         */
        public Builder maxTopicLength(int bytes) {
            this.maxTopicLength = Math.min(positive(bytes, "maxTopicLength"), BrokerConfig.DEFAULT_MAX_TOPIC_LENGTH);
            return this;
        }

        /**
         * The most PUBLISH packets per second one connection may send, with a burst of one
         * second's worth; a client faster than that meets {@link #publishRatePolicy}. 0 turns the
         * limit off. Default 0 (off); at most 1,000,000.
         */
        public Builder maxPublishRate(int messagesPerSecond) {
            if (messagesPerSecond < 0 || messagesPerSecond > 1_000_000) {
                throw new IllegalArgumentException("maxPublishRate must be 0 (off) to 1000000: " + messagesPerSecond);
            }
            this.maxPublishRate = messagesPerSecond;
            return this;
        }

        /**
         * The most bytes of PUBLISH packets (whole packets as the client encoded them) per second
         * one connection may send, with a burst of one second's worth; a single packet larger
         * than that passes and the connection then waits for as long as it takes to pay for it.
         * 0 turns the limit off. Default 0 (off).
         */
        public Builder maxPublishBytesRate(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("maxPublishBytesRate must be 0 (off) or positive: " + bytesPerSecond);
            }
            this.maxPublishBytesRate = bytesPerSecond;
            return this;
        }

        /**
         * What happens to a client over {@link #maxPublishRate} or {@link #maxPublishBytesRate}.
         * Default {@link PublishRatePolicy#THROTTLE}: its connection is not read until it is
         * within its rates again.
         */
        public Builder publishRatePolicy(PublishRatePolicy policy) {
            this.publishRatePolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The largest packet accepted, fixed header included. Default 1 MiB. */
        public Builder maxPacketSize(int bytes) {
            if (bytes < 16) {
                throw new IllegalArgumentException("maxPacketSize must be at least 16 bytes: " + bytes);
            }
            this.maxPacketSize = bytes;
            return this;
        }

        /** The most QoS 1/2 messages in flight to one client. Default 128; at most 65,535. */
        public Builder maxInflight(int max) {
            this.maxInflight = Math.min(positive(max, "maxInflight"), 0xFFFF);
            return this;
        }

        /** The Receive Maximum announced to MQTT 5.0 clients. Default 1024; at most 65,535. */
        public Builder receiveMaximum(int max) {
            this.receiveMaximum = Math.min(positive(max, "receiveMaximum"), 0xFFFF);
            return this;
        }

        /**
         * The most messages queued for one session beyond those in flight, QoS 0 included.
         * Past it, or past {@link #maxQueuedBytes}, the session's overflow policy applies to it
         * alone. Default 100,000.
         */
        public Builder maxQueuedMessages(int max) {
            this.maxQueuedMessages = positive(max, "maxQueuedMessages");
            return this;
        }

        /**
         * The most bytes queued for one session beyond those in flight, counted as each
         * message's payload, topic and a fixed allowance for the objects around them. A single
         * message always fits into an empty queue. Default 32 MiB.
         */
        public Builder maxQueuedBytes(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxQueuedBytes must be positive: " + max);
            }
            this.maxQueuedBytes = max;
            return this;
        }

        /**
         * What happens to a QoS 1/2 message for a session that cannot take it (QoS 0 is always
         * dropped then). Default {@link QueueOverflowPolicy#DROP_NEWEST}.
         */
        public Builder queueOverflowPolicy(QueueOverflowPolicy policy) {
            this.queueOverflowPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The broker-wide budget, in bytes, for messages held for subscribers (handed over and
         * queued, not yet written). Under it, nothing is dropped for lack of space; at it,
         * sessions that lag behind take no more messages (their overflow policy applies) and
         * QoS 1/2 publishers to them are held back. Default: a quarter of the maximum heap.
         */
        public Builder memoryBudget(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("memoryBudget must be positive: " + bytes);
            }
            this.memoryBudget = bytes;
            return this;
        }

        /**
         * How long a connection may accept no bytes (its outbound buffer stays above the high
         * water mark) before it is closed; its session is kept per its expiry interval.
         * {@link Duration#ZERO} disables the check. Default 60 s.
         */
        public Builder writeStallTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) {
                throw new IllegalArgumentException("writeStallTimeout must be zero or positive: " + timeout);
            }
            this.writeStallTimeout = timeout;
            return this;
        }

        /**
         * How often the broker publishes its state under {@code $SYS/broker/} (retained, with
         * Mosquitto's topic names; a topic only when its value changed). {@link Duration#ZERO}
         * turns the {@code $SYS} topics off. Default 10 s, as Mosquitto's {@code sys_interval}.
         */
        public Builder sysInterval(Duration interval) {
            if (interval == null || interval.isNegative()
                    || !interval.isZero() && interval.compareTo(BrokerConfig.MIN_SYS_INTERVAL) < 0) {
                throw new IllegalArgumentException("sysInterval must be zero (off) or at least "
                        + BrokerConfig.MIN_SYS_INTERVAL.toMillis() + " ms: " + interval);
            }
            this.sysInterval = interval;
            return this;
        }

        /** Whether QoS 0 messages are queued for offline persistent sessions. Default false. */
        public Builder queueQos0WhileOffline(boolean queue) {
            this.queueQos0WhileOffline = queue;
            return this;
        }

        /** The longest keep alive granted to MQTT 5.0 clients, in seconds. Default 65,535 (no limit). */
        public Builder maxKeepAlive(int seconds) {
            if (seconds < 1 || seconds > 0xFFFF) {
                throw new IllegalArgumentException("maxKeepAlive must be 1..65535: " + seconds);
            }
            this.maxKeepAlive = seconds;
            return this;
        }

        /** How long a new connection may take to send CONNECT. Default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long an asynchronous plug-in may take to answer. Default 10 s. */
        public Builder pluginTimeout(Duration timeout) {
            this.pluginTimeout = positive(timeout, "pluginTimeout");
            return this;
        }

        /** The longest session expiry granted, in seconds. Default: no limit. */
        public Builder maxSessionExpiryInterval(long seconds) {
            if (seconds < 0 || seconds > BrokerConfig.SESSION_NEVER_EXPIRES) {
                throw new IllegalArgumentException("maxSessionExpiryInterval out of range: " + seconds);
            }
            this.maxSessionExpiryInterval = seconds;
            return this;
        }

        /** The Topic Alias Maximum announced to MQTT 5.0 clients; 0 disables aliases. Default 16. */
        public Builder topicAliasMaximum(int max) {
            if (max < 0 || max > 0xFFFF) {
                throw new IllegalArgumentException("topicAliasMaximum must be 0..65535: " + max);
            }
            this.topicAliasMaximum = max;
            return this;
        }

        /** The highest QoS accepted. Default 2. */
        public Builder maximumQos(QoS qos) {
            this.maximumQos = Objects.requireNonNull(qos, "qos");
            return this;
        }

        /** Whether retained messages are supported. Default true. */
        public Builder retainAvailable(boolean available) {
            this.retainAvailable = available;
            return this;
        }

        /** Whether wildcard subscriptions are supported. Default true. */
        public Builder wildcardSubscriptionsAvailable(boolean available) {
            this.wildcardSubscriptionsAvailable = available;
            return this;
        }

        /** Whether subscription identifiers are supported. Default true. */
        public Builder subscriptionIdentifiersAvailable(boolean available) {
            this.subscriptionIdentifiersAvailable = available;
            return this;
        }

        /** Whether shared subscriptions are supported. Default true. */
        public Builder sharedSubscriptionsAvailable(boolean available) {
            this.sharedSubscriptionsAvailable = available;
            return this;
        }

        /** Whether payloads marked as UTF-8 are validated (bad ones get 0x99). Default false. */
        public Builder validatePayloadFormat(boolean validate) {
            this.validatePayloadFormat = validate;
            return this;
        }

        /**
         * Whether topics are replaced by aliases in messages to MQTT 5.0 clients that allow it
         * (Topic Alias Maximum above 0). Default true.
         */
        public Builder outboundTopicAliases(boolean enabled) {
            this.outboundTopicAliases = enabled;
            return this;
        }

        /**
         * The Response Information given to MQTT 5.0 clients that ask for it, for example
         * {@code client -> "responses/" + client.clientId()}. Default: none given.
         */
        public Builder responseInformation(java.util.function.Function<ClientInfo, String> information) {
            this.responseInformation = Objects.requireNonNull(information, "information");
            return this;
        }

        /** Who may connect. Default: everyone (logged at start). */
        public Builder authentication(Authentication authentication) {
            this.authentication = Objects.requireNonNull(authentication, "authentication");
            return this;
        }

        /** Who may publish and subscribe where. Default: everything is allowed. */
        public Builder authorization(Authorization authorization) {
            this.authorization = Objects.requireNonNull(authorization, "authorization");
            return this;
        }

        /**
         * Adds an MQTT 5.0 enhanced authentication method, such as
         * {@code new ScramAuthenticationProvider(ScramMechanism.SHA_256, users)}.
         */
        public Builder enhancedAuthentication(EnhancedAuthenticationProvider provider) {
            Objects.requireNonNull(provider, "provider");
            enhancedAuthentication.put(provider.method(), provider);
            return this;
        }

        /** Adds an interceptor; interceptors run in the order added. */
        public Builder interceptor(PacketInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /** Adds a listener for lifecycle events. */
        public Builder brokerListener(BrokerListener listener) {
            brokerListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Where latency distributions go (publish-to-deliver, store commits), e.g. a Micrometer
         * registry. Without one, the broker does not time anything.
         */
        public Builder metricsRecorder(MetricsRecorder recorder) {
            this.metricsRecorder = Objects.requireNonNull(recorder, "recorder");
            return this;
        }

        /**
         * Writes persistent sessions and retained messages through to this store and restores
         * them at start. Default: none, so they live in memory for the broker's lifetime.
         */
        public Builder sessionStore(SessionStore store) {
            this.sessionStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Makes this broker one node of a cluster, such as {@code broker-cluster-hazelcast}'s. A
         * cluster object serves one broker. Default: none, a single node.
         */
        public Builder cluster(Cluster cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            return this;
        }

        /** I/O threads of the transport; 0 (the default) means one per core. */
        public Builder ioThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("ioThreads must not be negative: " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /** Which socket implementation to use: AUTO (native where it works, the default) or NIO. */
        public Builder nativeTransport(TransportSettings.NativeTransport choice) {
            this.nativeTransport = Objects.requireNonNull(choice, "choice");
            return this;
        }

        /**
         * Bytes queued for one connection above which it stops taking messages (they wait in
         * its session's queue) and below which it takes them again. Default 32 KiB / 64 KiB.
         */
        public Builder writeBufferWaterMarks(int low, int high) {
            if (low < 0 || high < low) {
                throw new IllegalArgumentException("water marks must satisfy 0 <= low <= high");
            }
            this.writeBufferLowWaterMark = low;
            this.writeBufferHighWaterMark = high;
            return this;
        }

        /** Uses this transport instead of the one found on the class path. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** The configuration this builder describes, without building a broker. */
        public BrokerConfig buildConfig() {
            return new BrokerConfig(this);
        }

        /** Builds the broker; nothing is bound until {@link Broker#start()}. */
        public Broker build() {
            return new Broker(this);
        }

        private static int positive(int value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }
}
