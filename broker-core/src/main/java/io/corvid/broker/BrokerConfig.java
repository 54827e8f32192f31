package io.corvid.broker;

import io.corvid.broker.packet.QoS;
import java.time.Duration;
import java.util.List;

/**
 * Every limit and capability of a broker in one immutable object, as built by
 * {@link Broker.Builder}. The defaults favour safety: bounded packets, bounded queues,
 * bounded waits.
 */
public final class BrokerConfig {
    /** Default largest packet: 1 MiB, which bounds what one connection can make the broker buffer. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 1024 * 1024;
    /** Default outbound QoS 1/2 window per client. */
    public static final int DEFAULT_MAX_INFLIGHT = 128;
    /** Default Receive Maximum announced to MQTT 5.0 clients. */
    public static final int DEFAULT_RECEIVE_MAXIMUM = 1024;
    /**
     * Default queue bound per session, in messages (QoS 0 counted too): a burst of tens of
     * thousands of small messages for one slow reader is buffered, not dropped.
     */
    public static final int DEFAULT_MAX_QUEUED_MESSAGES = 100_000;
    /** Default queue bound per session, in bytes of message footprint: 32 MiB. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 32L * 1024 * 1024;
    /** The share of the maximum heap that the default memory budget for queued messages takes, in percent. */
    public static final int DEFAULT_MEMORY_BUDGET_PERCENT_OF_HEAP = 25;
    /** Default time a connection may accept no bytes before it is closed. */
    public static final Duration DEFAULT_WRITE_STALL_TIMEOUT = Duration.ofSeconds(60);
    /** Default time between two rounds of {@code $SYS} topics, as Mosquitto's {@code sys_interval}. */
    public static final Duration DEFAULT_SYS_INTERVAL = Duration.ofSeconds(10);
    /** The shortest interval between two rounds of {@code $SYS} topics (each round reads every session). */
    public static final Duration MIN_SYS_INTERVAL = Duration.ofMillis(1);
    /** Default Topic Alias Maximum announced to MQTT 5.0 clients. */
    public static final int DEFAULT_TOPIC_ALIAS_MAXIMUM = 16;
    /** A count limit meaning "no limit". */
    public static final int UNLIMITED = Integer.MAX_VALUE;
    /** Default most levels in a topic name or filter, as EMQX's {@code max_topic_levels}. */
    public static final int DEFAULT_MAX_TOPIC_LEVELS = 128;
    /** Default longest topic name or filter in UTF-8 bytes: the most MQTT can encode. */
    public static final int DEFAULT_MAX_TOPIC_LENGTH = 0xFFFF;
    /** A session expiry interval meaning "never expires". */
    public static final long SESSION_NEVER_EXPIRES = 0xFFFF_FFFFL;

    private final List<Listener> listeners;
    private final int maxConnections;
    private final int maxConnectionRate;
    private final int connectionRateBurst;
    private final int maxPacketSize;
    private final int maxSubscriptionsPerClient;
    private final int maxTopicLevels;
    private final int maxTopicLength;
    private final int maxPublishRate;
    private final long maxPublishBytesRate;
    private final PublishRatePolicy publishRatePolicy;
    private final int maxInflight;
    private final int receiveMaximum;
    private final int maxQueuedMessages;
    private final long maxQueuedBytes;
    private final QueueOverflowPolicy queueOverflowPolicy;
    private final long memoryBudget;
    private final Duration writeStallTimeout;
    private final Duration sysInterval;
    private final boolean queueQos0WhileOffline;
    private final int maxKeepAlive;
    private final Duration connectTimeout;
    private final Duration pluginTimeout;
    private final long maxSessionExpiryInterval;
    private final int topicAliasMaximum;
    private final QoS maximumQos;
    private final boolean retainAvailable;
    private final boolean wildcardSubscriptionsAvailable;
    private final boolean subscriptionIdentifiersAvailable;
    private final boolean sharedSubscriptionsAvailable;
    private final boolean validatePayloadFormat;
    private final boolean outboundTopicAliases;
    private final java.util.function.Function<ClientInfo, String> responseInformation;
    private final io.corvid.broker.transport.TransportSettings transportSettings;

    BrokerConfig(Broker.Builder builder) {
        this.listeners = List.copyOf(builder.listeners.isEmpty()
                ? List.of(Listener.tcp(builder.host, builder.port)) : builder.listeners);
        this.maxConnections = builder.maxConnections;
        this.maxConnectionRate = builder.maxConnectionRate;
        this.connectionRateBurst = builder.maxConnectionRate == 0 ? 0
                : builder.connectionRateBurst > 0 ? builder.connectionRateBurst : builder.maxConnectionRate;
        this.maxPacketSize = builder.maxPacketSize;
        this.maxSubscriptionsPerClient = builder.maxSubscriptionsPerClient;
        this.maxTopicLevels = builder.maxTopicLevels;
        this.maxTopicLength = builder.maxTopicLength;
        this.maxPublishRate = builder.maxPublishRate;
        this.maxPublishBytesRate = builder.maxPublishBytesRate;
        this.publishRatePolicy = builder.publishRatePolicy;
        this.maxInflight = builder.maxInflight;
        this.receiveMaximum = builder.receiveMaximum;
        this.maxQueuedMessages = builder.maxQueuedMessages;
        this.maxQueuedBytes = builder.maxQueuedBytes;
        this.queueOverflowPolicy = builder.queueOverflowPolicy;
        this.memoryBudget = builder.memoryBudget > 0 ? builder.memoryBudget : defaultMemoryBudget();
        this.writeStallTimeout = builder.writeStallTimeout;
        this.sysInterval = builder.sysInterval;
        this.queueQos0WhileOffline = builder.queueQos0WhileOffline;
        this.maxKeepAlive = builder.maxKeepAlive;
        this.connectTimeout = builder.connectTimeout;
        this.pluginTimeout = builder.pluginTimeout;
        this.maxSessionExpiryInterval = builder.maxSessionExpiryInterval;
        this.topicAliasMaximum = builder.topicAliasMaximum;
        this.maximumQos = builder.maximumQos;
        this.retainAvailable = builder.retainAvailable;
        this.wildcardSubscriptionsAvailable = builder.wildcardSubscriptionsAvailable;
        this.subscriptionIdentifiersAvailable = builder.subscriptionIdentifiersAvailable;
        this.sharedSubscriptionsAvailable = builder.sharedSubscriptionsAvailable;
        this.validatePayloadFormat = builder.validatePayloadFormat;
        this.outboundTopicAliases = builder.outboundTopicAliases;
        this.responseInformation = builder.responseInformation;
        this.transportSettings = new io.corvid.broker.transport.TransportSettings(builder.maxPacketSize,
                builder.maxConnections, builder.ioThreads, builder.nativeTransport,
                builder.writeBufferLowWaterMark, builder.writeBufferHighWaterMark, maxConnectionRate,
                connectionRateBurst);
    }

    /** The network listeners; a TCP listener on the builder's host and port when none was added. */
    public List<Listener> listeners() {
        return listeners;
    }

    /** The most clients connected at once; further CONNECTs are refused with Server Busy / Server Unavailable. */
    public int maxConnections() {
        return maxConnections;
    }

    /** The most new connections each listener accepts per second after its burst; 0 when not paced. */
    public int maxConnectionRate() {
        return maxConnectionRate;
    }

    /** The connections each listener accepts at once within {@link #maxConnectionRate()}; 0 when not paced. */
    public int connectionRateBurst() {
        return connectionRateBurst;
    }

    /** The largest packet accepted from a client, fixed header included (announced to MQTT 5.0 clients). */
    public int maxPacketSize() {
        return maxPacketSize;
    }

    /** The most subscriptions one session may hold; {@link #UNLIMITED} for no limit. */
    public int maxSubscriptionsPerClient() {
        return maxSubscriptionsPerClient;
    }

    /** The most levels in a topic name or filter (a shared subscription's {@code $share/group/} not counted). */
    public int maxTopicLevels() {
        return maxTopicLevels;
    }

    /** The longest topic name or filter, in UTF-8 bytes. */
    public int maxTopicLength() {
        return maxTopicLength;
    }

    /** The most PUBLISH packets per second per connection (burst: one second's worth); 0 when unlimited. */
    public int maxPublishRate() {
        return maxPublishRate;
    }

    /** The most bytes of PUBLISH packets per second per connection (burst: one second's worth); 0 when unlimited. */
    public long maxPublishBytesRate() {
        return maxPublishBytesRate;
    }

    /** What happens to a client over {@link #maxPublishRate()} or {@link #maxPublishBytesRate()}. */
    public PublishRatePolicy publishRatePolicy() {
        return publishRatePolicy;
    }

    /** The most QoS 1/2 messages in flight to one client (and never more than its Receive Maximum). */
    public int maxInflight() {
        return maxInflight;
    }

    /** The Receive Maximum announced to MQTT 5.0 clients: their QoS 1/2 publications in flight to the broker. */
    public int receiveMaximum() {
        return receiveMaximum;
    }

    /** The most messages queued for one session, beyond those in flight, QoS 0 included. */
    public int maxQueuedMessages() {
        return maxQueuedMessages;
    }

    /** The most bytes queued for one session, beyond those in flight, counted as message footprints. */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /** What happens to a QoS 1/2 message that a session cannot take. */
    public QueueOverflowPolicy queueOverflowPolicy() {
        return queueOverflowPolicy;
    }

    /** The broker-wide budget, in bytes, for messages held for subscribers. */
    public long memoryBudget() {
        return memoryBudget;
    }

    /** How long a connection may accept no bytes before it is closed; {@link Duration#ZERO} for never. */
    public Duration writeStallTimeout() {
        return writeStallTimeout;
    }

    /** How often the broker publishes its {@code $SYS} topics; {@link Duration#ZERO} when it does not. */
    public Duration sysInterval() {
        return sysInterval;
    }

    /** {@value #DEFAULT_MEMORY_BUDGET_PERCENT_OF_HEAP}% of the maximum heap. */
    static long defaultMemoryBudget() {
        return Runtime.getRuntime().maxMemory() / 100 * DEFAULT_MEMORY_BUDGET_PERCENT_OF_HEAP;
    }

    /** Whether QoS 0 messages are queued for persistent sessions whose client is offline. */
    public boolean queueQos0WhileOffline() {
        return queueQos0WhileOffline;
    }

    /** The longest keep alive granted, in seconds; MQTT 5.0 clients asking for more (or none) are told this one. */
    public int maxKeepAlive() {
        return maxKeepAlive;
    }

    /** How long a new connection may take to send CONNECT. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long an asynchronous plug-in may take to answer before its fallback applies. */
    public Duration pluginTimeout() {
        return pluginTimeout;
    }

    /** The longest session expiry granted, in seconds; {@link #SESSION_NEVER_EXPIRES} for no limit. */
    public long maxSessionExpiryInterval() {
        return maxSessionExpiryInterval;
    }

    /** The Topic Alias Maximum announced to MQTT 5.0 clients (0 disables inbound aliases). */
    public int topicAliasMaximum() {
        return topicAliasMaximum;
    }

    /** The highest QoS the broker accepts. */
    public QoS maximumQos() {
        return maximumQos;
    }

    /** Whether retained messages are supported. */
    public boolean retainAvailable() {
        return retainAvailable;
    }

    /** Whether wildcard subscriptions are supported. */
    public boolean wildcardSubscriptionsAvailable() {
        return wildcardSubscriptionsAvailable;
    }

    /** Whether subscription identifiers are supported. */
    public boolean subscriptionIdentifiersAvailable() {
        return subscriptionIdentifiersAvailable;
    }

    /** Whether shared subscriptions are supported. */
    public boolean sharedSubscriptionsAvailable() {
        return sharedSubscriptionsAvailable;
    }

    /**
     * Whether the broker replaces topics by aliases in what it sends to MQTT 5.0 clients that
     * allow aliases (least recently used alias reassigned when all are taken).
     */
    public boolean outboundTopicAliases() {
        return outboundTopicAliases;
    }

    /**
     * What to answer MQTT 5.0 clients that request Response Information (typically the root
     * of the topics they may use for responses), or {@code null} to answer nothing.
     */
    public java.util.function.Function<ClientInfo, String> responseInformation() {
        return responseInformation;
    }

    /** What the transport needs: packet size, connection limit, threads, socket implementation, water marks. */
    public io.corvid.broker.transport.TransportSettings transportSettings() {
        return transportSettings;
    }

    /** Whether payloads marked as UTF-8 (Payload Format Indicator 1) are checked; bad ones get 0x99. */
    public boolean validatePayloadFormat() {
        return validatePayloadFormat;
    }
}
