package io.corvid.broker.metrics;

import io.corvid.broker.BrokerMetrics;
import io.corvid.broker.DropReason;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Binds a broker's {@link BrokerMetrics} to a Micrometer registry as function counters and gauges:
 * every value is read from the broker when the registry publishes, so nothing is recorded while
 * messages flow. {@link CorvidMetrics} uses it; on its own it serves an application that wants the
 * counters without the latency distributions:
 * {@code new BrokerMeters(broker.metrics()).bindTo(registry)}.
 *
 * <p>Tag values are lower case: {@code qos} is {@code 0}, {@code 1} or {@code 2}; {@code reason}
 * is a {@link DropReason} or a CONNACK {@link ReasonCode} name, e.g. {@code queue_full},
 * {@code bad_user_name_or_password}. Every tag value is registered up front, so a counter shows 0
 * until its first event and rates can be computed from the start.
 *
 * <p>Units: the sizes in bytes that are gauges carry the base unit {@code bytes} (their names end
 * with it), the uptime is in seconds; counts carry no unit. Prometheus appends a base unit to a
 * name that does not end with it, and counts read better without:
 * {@code corvid_messages_received_total}, not {@code corvid_messages_received_messages_total}. For
 * the same reason {@code corvid.bytes.received} and {@code corvid.bytes.sent}, named for their
 * unit already, carry none ({@code corvid_bytes_received_total}).
 *
 * <p>The meters hold the {@link BrokerMetrics} weakly, as Micrometer does (the broker holds it);
 * this binder holds it strongly, so keep the binder while the meters are wanted.
 */
public final class BrokerMeters implements MeterBinder {
    private final BrokerMetrics metrics;
    private final Iterable<Tag> tags;
    private final SessionTotals sessions;

    /** Binds {@code metrics} with no extra tags. */
    public BrokerMeters(BrokerMetrics metrics) {
        this(metrics, Tags.empty());
    }

    /** Binds {@code metrics} with {@code tags} on every meter (e.g. to tell several brokers apart). */
    public BrokerMeters(BrokerMetrics metrics, Iterable<Tag> tags) {
        this(metrics, tags, System::nanoTime);
    }

    BrokerMeters(BrokerMetrics metrics, Iterable<Tag> tags, LongSupplier nanoTime) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
        this.sessions = new SessionTotals(metrics, nanoTime);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        bindConnections(registry);
        bindSessions(registry);
        bindMessages(registry);
        bindQueues(registry);
        bindMisbehaviour(registry);
        TimeGauge.builder("corvid.uptime", metrics,
                        TimeUnit.MILLISECONDS, m -> Math.max(0, System.currentTimeMillis() - m.startedAtMillis()))
                .description("Time since the broker started").tags(tags).register(registry);
    }

    private void bindConnections(MeterRegistry registry) {
        counter(registry, "corvid.connections.accepted", "Network connections accepted since the start", BrokerMetrics::connectionsAccepted);
        gauge(registry, "corvid.connections.open", null, "Network connections open now, whether or not they have sent CONNECT", BrokerMetrics::connectionsOpen);
        gauge(registry, "corvid.clients.connected", null, "Clients connected now (their CONNECT was accepted)", BrokerMetrics::clientsConnected);
        for (ReasonCode reason : ReasonCode.values()) {
            if (reason.isError() && reason.isAllowedIn(PacketType.CONNACK)) {
                FunctionCounter.builder("corvid.connects.refused", metrics, m -> refused(m, reason))
                        .description("CONNECTs refused, by the CONNACK reason code (3.1.1 return codes mapped to 5.0 codes)")
                        .tags(tags).tag("reason", tagValue(reason)).register(registry);
            }
        }
        counter(registry, "corvid.authentication.failures", "CONNECTs refused because the credentials or the enhanced authentication failed",
                BrokerMetrics::authenticationFailures);
    }

    private static double refused(BrokerMetrics metrics, ReasonCode reason) {
        Long count = metrics.connectsRefusedByReason().get(reason);
        return count == null ? 0 : count;
    }

    private void bindSessions(MeterRegistry registry) {
        sessionGauge(registry, "corvid.sessions", "Sessions, by whether their client is connected",
                Tags.of("state", "connected"), sessions -> sessions.connected());
        sessionGauge(registry, "corvid.sessions", "Sessions, by whether their client is connected",
                Tags.of("state", "offline"), sessions -> sessions.offline());
        sessionGauge(registry, "corvid.subscriptions",
                "Subscriptions of every session, shared subscriptions included", Tags.empty(),
                SessionTotals::subscriptions);
        gauge(registry, "corvid.retained.messages", null, "Retained messages stored",
                BrokerMetrics::retainedMessages);
    }

    private void bindMessages(MeterRegistry registry) {
        for (QoS qos : QoS.values()) {
            String level = Integer.toString(qos.value());
            FunctionCounter.builder("corvid.messages.received", metrics, m -> m.messagesReceived(qos))
                    .description("PUBLISH packets accepted from clients, wills and the application, by the QoS published")
                    .tags(tags).tag("qos", level).register(registry);
            FunctionCounter.builder("corvid.messages.sent", metrics, m -> m.messagesSent(qos))
                    .description("PUBLISH packets written to clients (resends included), by the QoS of the delivery")
                    .tags(tags).tag("qos", level).register(registry);
        }
        counter(registry, "corvid.bytes.received", "MQTT bytes read from clients",
                BrokerMetrics::bytesReceived);
        counter(registry, "corvid.bytes.sent", "MQTT bytes written to clients",
                BrokerMetrics::bytesSent);
        for (DropReason reason : DropReason.values()) {
            FunctionCounter.builder("corvid.messages.dropped", metrics, m -> m.messagesDropped(reason))
                    .description("Messages not delivered to a subscriber, by reason")
                    .tags(tags).tag("reason", tagValue(reason)).register(registry);
        }
    }

    private void bindQueues(MeterRegistry registry) {
        sessionGauge(registry, "corvid.queued.messages",
                "Messages waiting in sessions' queues, not yet sent", Tags.empty(), SessionTotals::queuedMessages);
        gauge(registry, "corvid.queued.bytes", BaseUnits.BYTES,
                "Footprint of the messages held for subscribers now (handed over or queued, not yet written)",
                BrokerMetrics::queuedBytes);
        gauge(registry, "corvid.memory.budget.bytes", BaseUnits.BYTES,
                "The broker-wide budget for corvid.queued.bytes", BrokerMetrics::memoryBudgetBytes);
        counter(registry, "corvid.memory.budget.exhausted", "Times the memory budget for queued messages was exhausted", BrokerMetrics::memoryBudgetEpisodes);
        sessionGauge(registry, "corvid.inflight.messages",
                "QoS 1 and 2 messages sent and not yet acknowledged, over every session", Tags.empty(),
                SessionTotals::inflightMessages);
        counter(registry, "corvid.publisher.pauses", "Times a publisher was held back at an exhausted memory budget", BrokerMetrics::publisherPauses);
    }

    private void bindMisbehaviour(MeterRegistry registry) {
        counter(registry, "corvid.write.stalls",
                "Connections closed because they accepted no bytes for the write stall timeout",
                BrokerMetrics::writeStalls);
        counter(registry, "corvid.malformed.packets",
                "Connections closed because their bytes could not be decoded", BrokerMetrics::malformedPackets);
        counter(registry, "corvid.subscription.quota.refusals",
                "Subscription filters refused because their session held the maximum subscriptions per client",
                BrokerMetrics::subscriptionQuotaRefusals);
        counter(registry, "corvid.topic.limit.refusals",
                "Filters refused and PUBLISH topics that closed their connection for passing the topic level or length limit",
                BrokerMetrics::topicLimitRefusals);
        counter(registry, "corvid.publish.rate.limited",
                "Times a client went over its publish rate or bandwidth limit (throttled or disconnected, per policy)",
                BrokerMetrics::publishRateLimited);
        counter(registry, "corvid.connections.refused.limit",
                "Network connections closed as soon as accepted because the broker's or a listener's connection limit was reached",
                BrokerMetrics::connectionsRefusedAtLimit);
        gauge(registry, "corvid.cluster.members", null,
                "Cluster nodes as this node sees them, itself included (0 without a cluster)", BrokerMetrics::clusterMembers);
        counter(registry, "corvid.cluster.messages.forwarded",
                "Messages sent on to other cluster nodes, one per destination node (0 without a cluster)",
                BrokerMetrics::clusterMessagesForwarded);
        counter(registry, "corvid.cluster.messages.received",
                "Messages received from other cluster nodes (0 without a cluster)", BrokerMetrics::clusterMessagesReceived);
        counter(registry, "corvid.cluster.messages.dropped",
                "Messages for other cluster nodes dropped: a node did not keep up, could not be reached or left",
                BrokerMetrics::clusterMessagesDropped);
        counter(registry, "corvid.accept.pauses",
                "Times a listener stopped accepting for a while because connections came faster than the connection rate limit",
                BrokerMetrics::acceptPauses);
        counter(registry, "corvid.protocol.errors",
                "Connections closed for a protocol violation other than malformed bytes", BrokerMetrics::protocolErrors);
    }

    private void counter(MeterRegistry registry, String name, String description, ToLongFunction<BrokerMetrics> value) {
        FunctionCounter.builder(name, metrics, m -> value.applyAsLong(m))
                .description(description).tags(tags).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
                       ToLongFunction<BrokerMetrics> value) {
        Gauge.builder(name, metrics, m -> value.applyAsLong(m))
                .description(description).baseUnit(unit).tags(tags).register(registry);
    }

    private void sessionGauge(MeterRegistry registry, String name, String description, Tags extra,
                              ToLongFunction<SessionTotals> value) {
        // Strong reference: nothing outside this binder holds the snapshot.
        Gauge.builder(name, sessions, s -> value.applyAsLong(s))
                .description(description).tags(tags).tags(extra).strongReference(true)
                .register(registry);
    }

    static String tagValue(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
