package io.corvid.broker.engine;

import io.corvid.broker.BrokerMetrics;
import io.corvid.broker.Cluster;
import io.corvid.broker.DropReason;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.session.MemoryBudget;
import io.corvid.broker.session.Session;
import io.corvid.broker.transport.Transport;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's counters, and its gauges read from the engine when asked. LongAdder keeps the
 * counters cheap on hot paths shared by every event loop.
 */
public final class EngineMetrics implements BrokerMetrics {
    final LongAdder connectionsAccepted = new LongAdder();
    final LongAdder connectionsClosed = new LongAdder();
    final LongAdder malformedPackets = new LongAdder();
    final LongAdder protocolErrors = new LongAdder();
    final LongAdder publisherPauses = new LongAdder();
    final LongAdder writeStalls = new LongAdder();
    final LongAdder subscriptionQuotaRefusals = new LongAdder();
    final LongAdder topicLimitRefusals = new LongAdder();
    final LongAdder publishRateLimited = new LongAdder();
    final LongAdder connectsReceived = new LongAdder();
    final LongAdder sessionsExpired = new LongAdder();
    /** Sessions ended on this node because another cluster node claimed their client. */
    final LongAdder sessionsTakenOverByCluster = new LongAdder();
    final LongAdder packetsReceived = new LongAdder();
    /** Packets written other than PUBLISH, which {@link #sentByQos} counts already. */
    final LongAdder controlPacketsSent = new LongAdder();
    private final java.util.concurrent.atomic.AtomicLong clientsConnectedPeak = new java.util.concurrent.atomic.AtomicLong();
    private final LongAdder connectsRefused = new LongAdder();
    private final LongAdder authenticationFailures = new LongAdder();
    private final LongAdder[] refusedByReason = new LongAdder[ReasonCode.values().length];
    private final LongAdder[] receivedByQos = adders(QoS.values().length);
    private final LongAdder[] sentByQos = adders(QoS.values().length);
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder messagesDropped = new LongAdder();
    private final LongAdder[] droppedByReason = adders(DropReason.values().length);
    private final BrokerEngine engine;
    private final MemoryBudget memoryBudget;
    /** The transport serving this engine, for its own counters; {@code null} until it started. */
    private volatile Transport transport;
    private final long startedAtMillis;

    EngineMetrics(BrokerEngine engine, MemoryBudget memoryBudget, long startedAtMillis) {
        this.engine = engine;
        this.memoryBudget = memoryBudget;
        this.startedAtMillis = startedAtMillis;
        for (int i = 0; i < refusedByReason.length; i++) {
            refusedByReason[i] = new LongAdder();
        }
    }

    private static LongAdder[] adders(int count) {
        LongAdder[] adders = new LongAdder[count];
        for (int i = 0; i < count; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    // ------------------------------------------------------------ recording

    void dropped(DropReason reason) {
        messagesDropped.increment();
        droppedByReason[reason.ordinal()].increment();
    }

    void refused(ReasonCode reason) {
        connectsRefused.increment();
        refusedByReason[reason.ordinal()].increment();
    }

    void authenticationFailed() {
        authenticationFailures.increment();
    }

    /** A client was registered as connected, making {@code connectedNow} clients. */
    void clientConnected(long connectedNow) {
        long peak = clientsConnectedPeak.get();
        while (connectedNow > peak && !clientsConnectedPeak.compareAndSet(peak, connectedNow)) {
            peak = clientsConnectedPeak.get();
        }
    }

    void received(QoS qos) {
        receivedByQos[qos.ordinal()].increment();
    }

    void sent(QoS qos) {
        sentByQos[qos.ordinal()].increment();
    }

    void traffic(long read, long written) {
        if (read > 0) {
            bytesReceived.add(read);
        }
        if (written > 0) {
            bytesSent.add(written);
        }
    }

    // ------------------------------------------------------------ BrokerMetrics

    @Override
    public long startedAtMillis() {
        return startedAtMillis;
    }

    @Override
    public long connectionsAccepted() {
        return connectionsAccepted.sum();
    }

    @Override
    public long connectionsOpen() {
        // Closed first: a connection counted closed is always counted accepted too.
        long closed = connectionsClosed.sum();
        return Math.max(0, connectionsAccepted.sum() - closed);
    }

    @Override
    public long clientsConnected() {
        return engine.connectedClientCount();
    }

    @Override
    public long clientsConnectedPeak() {
        return clientsConnectedPeak.get();
    }

    @Override
    public long connectsReceived() {
        return connectsReceived.sum();
    }

    @Override
    public long connectsRefused() {
        return connectsRefused.sum();
    }

    @Override
    public Map<ReasonCode, Long> connectsRefusedByReason() {
        Map<ReasonCode, Long> byReason = new EnumMap<>(ReasonCode.class);
        for (ReasonCode reason : ReasonCode.values()) {
            long count = refusedByReason[reason.ordinal()].sum();
            if (count > 0) {
                byReason.put(reason, count);
            }
        }
        return byReason;
    }

    @Override
    public long authenticationFailures() {
        return authenticationFailures.sum();
    }

    @Override
    public long sessionsConnected() {
        long connected = 0;
        for (Session session : engine.sessionRegistry().all()) {
            if (session.isConnected() && !session.isEnded()) {
                connected++;
            }
        }
        return connected;
    }

    @Override
    public long sessionsOffline() {
        long offline = 0;
        for (Session session : engine.sessionRegistry().all()) {
            if (!session.isConnected() && !session.isEnded()) {
                offline++;
            }
        }
        return offline;
    }

    @Override
    public long sessionsExpired() {
        return sessionsExpired.sum();
    }

    /** Sessions ended on this node because another cluster node claimed their client since start. */
    public long sessionsTakenOverByCluster() {
        return sessionsTakenOverByCluster.sum();
    }

    @Override
    public long subscriptions() {
        long count = 0;
        for (Session session : engine.sessionRegistry().all()) {
            count += session.subscriptionCount();
        }
        return count;
    }

    @Override
    public long retainedMessages() {
        return engine.retainedMessageCount();
    }

    @Override
    public long messagesReceived() {
        return sum(receivedByQos);
    }

    @Override
    public long messagesReceived(QoS qos) {
        return receivedByQos[qos.ordinal()].sum();
    }

    @Override
    public long messagesSent() {
        return sum(sentByQos);
    }

    @Override
    public long messagesSent(QoS qos) {
        return sentByQos[qos.ordinal()].sum();
    }

    @Override
    public long packetsReceived() {
        return packetsReceived.sum();
    }

    @Override
    public long packetsSent() {
        return controlPacketsSent.sum() + messagesSent();
    }

    @Override
    public long bytesReceived() {
        return bytesReceived.sum();
    }

    @Override
    public long bytesSent() {
        return bytesSent.sum();
    }

    @Override
    public long messagesDropped() {
        return messagesDropped.sum();
    }

    @Override
    public long messagesDropped(DropReason reason) {
        return droppedByReason[reason.ordinal()].sum();
    }

    @Override
    public long queuedMessages() {
        long count = 0;
        for (Session session : engine.sessionRegistry().all()) {
            count += session.queuedMessagesSnapshot();
        }
        return count;
    }

    @Override
    public long queuedBytes() {
        return Math.max(0, memoryBudget.used());
    }

    @Override
    public long memoryBudgetBytes() {
        return memoryBudget.limit();
    }

    @Override
    public long memoryBudgetEpisodes() {
        return memoryBudget.episodes();
    }

    @Override
    public long inflightMessages() {
        long count = 0;
        for (Session session : engine.sessionRegistry().all()) {
            count += session.inflightMessagesSnapshot();
        }
        return count;
    }

    @Override
    public long publisherPauses() {
        return publisherPauses.sum();
    }

    @Override
    public long writeStalls() {
        return writeStalls.sum();
    }

    @Override
    public long malformedPackets() {
        return malformedPackets.sum();
    }

    @Override
    public long protocolErrors() {
        return protocolErrors.sum();
    }

    @Override
    public long subscriptionQuotaRefusals() {
        return subscriptionQuotaRefusals.sum();
    }

    @Override
    public long topicLimitRefusals() {
        return topicLimitRefusals.sum();
    }

    @Override
    public long publishRateLimited() {
        return publishRateLimited.sum();
    }

    void transport(Transport serving) {
        this.transport = serving;
    }

    @Override
    public long connectionsRefusedAtLimit() {
        Transport serving = transport;
        return serving == null ? 0 : serving.connectionsRefusedAtLimit();
    }

    @Override
    public long clusterMembers() {
        Cluster cluster = engine.cluster();
        return cluster == null ? 0 : cluster.members().size();
    }

    @Override
    public long clusterMessagesForwarded() {
        Cluster cluster = engine.cluster();
        return cluster == null ? 0 : cluster.forwardedMessages();
    }

    @Override
    public long clusterMessagesReceived() {
        Cluster cluster = engine.cluster();
        return cluster == null ? 0 : cluster.receivedMessages();
    }

    @Override
    public long clusterMessagesDropped() {
        Cluster cluster = engine.cluster();
        return cluster == null ? 0 : cluster.droppedMessages();
    }

    @Override
    public long acceptPauses() {
        Transport serving = transport;
        return serving == null ? 0 : serving.acceptPauses();
    }

    private static long sum(LongAdder[] adders) {
        long total = 0;
        for (LongAdder adder : adders) {
            total += adder.sum();
        }
        return total;
    }
}
