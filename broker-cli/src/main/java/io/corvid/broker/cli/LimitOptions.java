package io.corvid.broker.cli;

import io.corvid.broker.Broker;
import io.corvid.broker.PublishRatePolicy;
import io.corvid.broker.QueueOverflowPolicy;
import io.corvid.broker.packet.QoS;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The protocol and resource limits, the protocol features a broker may switch off, and the
 * {@code $SYS} interval: one option per builder setting. An option left unset keeps the
 * library's default, so that the defaults are written down once, in {@code BrokerConfig}.
 */
final class LimitOptions {
    /** Reads 0, 1 or 2 as a {@link QoS}. */
    static final class QoSConverter implements CommandLine.ITypeConverter<QoS> {
        @Override
        public QoS convert(String value) {
            return switch (value.strip()) {
                case "0" -> QoS.AT_MOST_ONCE;
                case "1" -> QoS.AT_LEAST_ONCE;
                case "2" -> QoS.EXACTLY_ONCE;
                default -> throw new CommandLine.TypeConversionException("expected 0, 1 or 2, not '" + value + "'");
            };
        }
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--max-connections", paramLabel = "<n>",
            description = "Most network connections (and clients) at once (default: no limit).")
    Integer maxConnections;

    @Option(names = "--max-connection-rate", paramLabel = "<n>",
            description = "Most new connections each listener accepts per second after --connection-rate-burst; "
                    + "the rest wait in the kernel's accept backlog; 0 turns it off (default: 0, off).")
    Integer maxConnectionRate;

    @Option(names = "--connection-rate-burst", paramLabel = "<n>",
            description = "Connections a listener accepts at once within --max-connection-rate "
                    + "(default: one second's worth of the rate).")
    Integer connectionRateBurst;

    @Option(names = "--max-subscriptions-per-client", paramLabel = "<n>",
            description = "Most subscriptions one session may hold; a filter beyond it gets SUBACK 0x97 Quota "
                    + "exceeded (0x80 for MQTT 3.1.1) (default: no limit).")
    Integer maxSubscriptionsPerClient;

    @Option(names = "--max-topic-levels", paramLabel = "<n>",
            description = "Most levels in a topic name or filter: a filter with more is refused (SUBACK 0x8F), "
                    + "a client publishing to one is disconnected (0x90) (default: 128).")
    Integer maxTopicLevels;

    @Option(names = "--max-topic-length", paramLabel = "<bytes>",
            description = "Longest topic name or filter in UTF-8 bytes, refused as --max-topic-levels "
                    + "(default: 65535, the protocol's limit).")
    Integer maxTopicLength;

    @Option(names = "--max-publish-rate", paramLabel = "<n>",
            description = "Most PUBLISH packets per second per connection, with one second's worth as burst; "
                    + "0 turns it off (default: 0, off).")
    Integer maxPublishRate;

    @Option(names = "--max-publish-bytes-rate", paramLabel = "<bytes>",
            description = "Most bytes of PUBLISH packets per second per connection, with one second's worth as burst; "
                    + "0 turns it off (default: 0, off).")
    Long maxPublishBytesRate;

    @Option(names = "--publish-rate-policy", paramLabel = "<policy>",
            description = "What happens to a client over its publish rate: ${COMPLETION-CANDIDATES} "
                    + "(default: THROTTLE, its connection is not read until it is within the rate again).")
    PublishRatePolicy publishRatePolicy;

    @Option(names = "--max-packet-size", paramLabel = "<bytes>",
            description = "Largest packet accepted, announced to MQTT 5.0 clients (default: 1048576).")
    Integer maxPacketSize;

    @Option(names = "--max-inflight", paramLabel = "<n>",
            description = "Most QoS 1/2 messages sent to a client and not yet acknowledged (default: 128).")
    Integer maxInflight;

    @Option(names = "--receive-maximum", paramLabel = "<n>",
            description = "Receive Maximum announced to MQTT 5.0 clients: QoS 1/2 publishes a client may have in flight "
                    + "towards the broker (default: 1024).")
    Integer receiveMaximum;

    @Option(names = "--max-keep-alive", paramLabel = "<seconds>",
            description = "Longest keep alive granted to MQTT 5.0 clients: one asking for more (or for none) is "
                    + "told this as Server Keep Alive; MQTT 3.1.1 has no way to tell a client, so its request "
                    + "stands (default: no limit).")
    Integer maxKeepAlive;

    @Option(names = "--max-session-expiry", paramLabel = "<seconds>",
            description = "Longest session expiry interval granted (default: no limit).")
    Long maxSessionExpiry;

    @Option(names = "--topic-alias-maximum", paramLabel = "<n>",
            description = "Topic aliases an MQTT 5.0 client may use towards the broker; 0 disables them (default: 16).")
    Integer topicAliasMaximum;

    @Option(names = "--max-qos", paramLabel = "0|1|2", converter = QoSConverter.class,
            description = "Highest QoS accepted (default: 2).")
    QoS maxQos;

    @Option(names = "--retain-available", paramLabel = "true|false", arity = "1",
            description = "Whether retained messages are supported (default: true).")
    Boolean retainAvailable;

    @Option(names = "--wildcard-subscriptions", paramLabel = "true|false", arity = "1",
            description = "Whether subscriptions may use + and # (default: true).")
    Boolean wildcardSubscriptions;

    @Option(names = "--subscription-identifiers", paramLabel = "true|false", arity = "1",
            description = "Whether MQTT 5.0 subscription identifiers are supported (default: true).")
    Boolean subscriptionIdentifiers;

    @Option(names = "--shared-subscriptions", paramLabel = "true|false", arity = "1",
            description = "Whether $share/ subscriptions are supported (default: true).")
    Boolean sharedSubscriptions;

    @Option(names = "--validate-payload-format", paramLabel = "true|false", arity = "1",
            description = "Whether a payload marked as UTF-8 (MQTT 5.0) is checked (default: true).")
    Boolean validatePayloadFormat;

    @Option(names = "--outbound-topic-aliases", paramLabel = "true|false", arity = "1",
            description = "Whether the broker uses topic aliases towards MQTT 5.0 clients that allow them "
                    + "(default: true).")
    Boolean outboundTopicAliases;

    @Option(names = "--max-queued-messages", paramLabel = "<n>",
            description = "Most messages queued per session, QoS 0 included (default: 100000).")
    Integer maxQueuedMessages;

    @Option(names = "--max-queued-bytes", paramLabel = "<bytes>",
            description = "Most bytes of messages queued per session (default: 33554432, 32 MiB).")
    Long maxQueuedBytes;

    @Option(names = "--queue-overflow-policy", paramLabel = "<policy>",
            description = "What happens to a QoS 1/2 message for a session that cannot take it: "
                    + "${COMPLETION-CANDIDATES} (default: DROP_NEWEST).")
    QueueOverflowPolicy queueOverflowPolicy;

    @Option(names = "--queue-qos0-offline",
            description = "Queue QoS 0 messages for persistent sessions whose client is offline (default: dropped).")
    boolean queueQos0Offline;

    @Option(names = "--memory-budget", paramLabel = "<bytes>",
            description = "Bytes of messages held for all subscribers together (default: a quarter of the maximum heap).")
    Long memoryBudget;

    @Option(names = "--write-stall-timeout", paramLabel = "<seconds>",
            description = "Close a connection that takes no bytes for this long; 0 never (default: 60).")
    Integer writeStallTimeoutSeconds;

    @Option(names = "--connect-timeout", paramLabel = "<seconds>",
            description = "How long a new connection may take to send CONNECT (default: 10).")
    Integer connectTimeoutSeconds;

    @Option(names = "--write-buffer-high", paramLabel = "<bytes>",
            description = "Bytes waiting for a client's socket above which the broker stops sending to it until "
                    + "they fall below --write-buffer-low (defaults: 65536 and 32768).")
    Integer writeBufferHigh;

    @Option(names = "--write-buffer-low", paramLabel = "<bytes>", description = "See --write-buffer-high.")
    Integer writeBufferLow;

    @Option(names = "--sys-interval", paramLabel = "<seconds>",
            description = "Seconds between updates of the $SYS/broker/... topics (Mosquitto's sys_interval); "
                    + "0 turns them off (default: 10).")
    Integer sysIntervalSeconds;

    /**
     * Applies the options that were set to {@code builder}.
     *
     * @throws CommandLine.ParameterException when a value is out of range
     */
    void applyTo(Broker.Builder builder) {
        apply("--max-connections", maxConnections, builder::maxConnections);
        apply("--max-connection-rate", maxConnectionRate, builder::maxConnectionRate);
        apply("--connection-rate-burst", connectionRateBurst, builder::connectionRateBurst);
        apply("--max-packet-size", maxPacketSize, builder::maxPacketSize);
        apply("--max-publish-rate", maxPublishRate, builder::maxPublishRate);
        apply("--max-publish-bytes-rate", maxPublishBytesRate, builder::maxPublishBytesRate);
        apply("--publish-rate-policy", publishRatePolicy, builder::publishRatePolicy);
        apply("--max-subscriptions-per-client", maxSubscriptionsPerClient, builder::maxSubscriptionsPerClient);
        apply("--max-topic-levels", maxTopicLevels, builder::maxTopicLevels);
        apply("--max-topic-length", maxTopicLength, builder::maxTopicLength);
        apply("--max-inflight", maxInflight, builder::maxInflight);
        apply("--receive-maximum", receiveMaximum, builder::receiveMaximum);
        apply("--max-keep-alive", maxKeepAlive, builder::maxKeepAlive);
        apply("--max-session-expiry", maxSessionExpiry, builder::maxSessionExpiryInterval);
        apply("--topic-alias-maximum", topicAliasMaximum, builder::topicAliasMaximum);
        apply("--max-qos", maxQos, builder::maximumQos);
        apply("--retain-available", retainAvailable, builder::retainAvailable);
        apply("--wildcard-subscriptions", wildcardSubscriptions, builder::wildcardSubscriptionsAvailable);
        apply("--subscription-identifiers", subscriptionIdentifiers, builder::subscriptionIdentifiersAvailable);
        apply("--shared-subscriptions", sharedSubscriptions, builder::sharedSubscriptionsAvailable);
        apply("--validate-payload-format", validatePayloadFormat, builder::validatePayloadFormat);
        apply("--outbound-topic-aliases", outboundTopicAliases, builder::outboundTopicAliases);
        apply("--max-queued-messages", maxQueuedMessages, builder::maxQueuedMessages);
        apply("--max-queued-bytes", maxQueuedBytes, builder::maxQueuedBytes);
        apply("--queue-overflow-policy", queueOverflowPolicy, builder::queueOverflowPolicy);
        apply("--queue-qos0-offline", queueQos0Offline ? Boolean.TRUE : null, builder::queueQos0WhileOffline);
        apply("--memory-budget", memoryBudget, builder::memoryBudget);
        apply("--write-stall-timeout", writeStallTimeoutSeconds,
                seconds -> builder.writeStallTimeout(Duration.ofSeconds(seconds)));
        apply("--connect-timeout", connectTimeoutSeconds, seconds -> {
            if (seconds <= 0) {
                throw new IllegalArgumentException("must be positive");
            }
            builder.connectTimeout(Duration.ofSeconds(seconds));
        });
        apply("--sys-interval", sysIntervalSeconds, seconds -> builder.sysInterval(Duration.ofSeconds(seconds)));
        if (writeBufferHigh != null || writeBufferLow != null) {
            int high = writeBufferHigh != null ? writeBufferHigh : 64 * 1024;
            int low = writeBufferLow != null ? writeBufferLow : Math.min(32 * 1024, high);
            apply("--write-buffer-high", high, value -> builder.writeBufferWaterMarks(low, value));
        }
    }

    /** The limits set (by flag or config file), as {@code name=value}, for the startup banner. */
    List<String> describeSet() {
        List<String> set = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            boolean limit = option.userObject() instanceof Field field && field.getDeclaringClass() == LimitOptions.class;
            Object value = option.getValue();
            boolean unsetFlag = option.arity().max() == 0 && Boolean.FALSE.equals(value);
            if (limit && value != null && !unsetFlag) {
                set.add(option.longestName().substring(2) + "=" + describe(value));
            }
        }
        return set;
    }

    private static String describe(Object value) {
        return value instanceof QoS qos ? Integer.toString(qos.value()) : String.valueOf(value);
    }

    private <T> void apply(String option, T value, Consumer<T> setter) {
        if (value == null) {
            return;
        }
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for option '" + option + "': " + value + ": " + e.getMessage());
        }
    }
}
