package io.corvid.broker.admin;

import io.corvid.broker.BrokerMetrics;
import io.corvid.broker.DropReason;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.util.LinkedHashMap;
import java.util.Map;

/** The broker's counters as JSON: every value of {@link BrokerMetrics}, the per-QoS and per-reason ones as objects. */
final class MetricsView {
    private MetricsView() {
    }

    /** Every counter, in a fixed order. */
    static Map<String, Object> of(BrokerMetrics metrics) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("startedAt", Views.instant(metrics.startedAtMillis()));
        view.put("connectionsAccepted", metrics.connectionsAccepted());
        view.put("connectionsOpen", metrics.connectionsOpen());
        view.put("clientsConnected", metrics.clientsConnected());
        view.put("connectsRefused", metrics.connectsRefused());
        Map<String, Long> refused = new LinkedHashMap<>();
        for (Map.Entry<ReasonCode, Long> entry : metrics.connectsRefusedByReason().entrySet()) {
            refused.put(entry.getKey().name(), entry.getValue());
        }
        view.put("connectsRefusedByReason", refused);
        view.put("authenticationFailures", metrics.authenticationFailures());
        view.put("sessionsConnected", metrics.sessionsConnected());
        view.put("sessionsOffline", metrics.sessionsOffline());
        view.put("subscriptions", metrics.subscriptions());
        view.put("retainedMessages", metrics.retainedMessages());
        view.put("messagesReceived", metrics.messagesReceived());
        view.put("messagesReceivedByQos", byQos(metrics, true));
        view.put("messagesSent", metrics.messagesSent());
        view.put("messagesSentByQos", byQos(metrics, false));
        view.put("bytesReceived", metrics.bytesReceived());
        view.put("bytesSent", metrics.bytesSent());
        view.put("messagesDropped", metrics.messagesDropped());
        Map<String, Long> dropped = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason.name(), metrics.messagesDropped(reason));
        }
        view.put("messagesDroppedByReason", dropped);
        view.put("queuedMessages", metrics.queuedMessages());
        view.put("queuedBytes", metrics.queuedBytes());
        view.put("memoryBudgetBytes", metrics.memoryBudgetBytes());
        view.put("memoryBudgetEpisodes", metrics.memoryBudgetEpisodes());
        view.put("inflightMessages", metrics.inflightMessages());
        view.put("publisherPauses", metrics.publisherPauses());
        view.put("writeStalls", metrics.writeStalls());
        view.put("malformedPackets", metrics.malformedPackets());
        view.put("protocolErrors", metrics.protocolErrors());
        view.put("subscriptionQuotaRefusals", metrics.subscriptionQuotaRefusals());
        view.put("topicLimitRefusals", metrics.topicLimitRefusals());
        view.put("publishRateLimited", metrics.publishRateLimited());
        view.put("connectionsRefusedAtLimit", metrics.connectionsRefusedAtLimit());
        view.put("acceptPauses", metrics.acceptPauses());
        view.put("clusterMembers", metrics.clusterMembers());
        view.put("clusterMessagesForwarded", metrics.clusterMessagesForwarded());
        view.put("clusterMessagesReceived", metrics.clusterMessagesReceived());
        view.put("clusterMessagesDropped", metrics.clusterMessagesDropped());
        return view;
    }

    /** The counters a dashboard shows at a glance, for {@code /api/v1/broker}. */
    static Map<String, Object> summary(BrokerMetrics metrics) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("connectionsOpen", metrics.connectionsOpen());
        view.put("clientsConnected", metrics.clientsConnected());
        view.put("sessionsConnected", metrics.sessionsConnected());
        view.put("sessionsOffline", metrics.sessionsOffline());
        view.put("subscriptions", metrics.subscriptions());
        view.put("retainedMessages", metrics.retainedMessages());
        view.put("messagesReceived", metrics.messagesReceived());
        view.put("messagesSent", metrics.messagesSent());
        view.put("messagesDropped", metrics.messagesDropped());
        view.put("bytesReceived", metrics.bytesReceived());
        view.put("bytesSent", metrics.bytesSent());
        view.put("queuedMessages", metrics.queuedMessages());
        view.put("inflightMessages", metrics.inflightMessages());
        return view;
    }

    private static Map<String, Long> byQos(BrokerMetrics metrics, boolean received) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (QoS qos : QoS.values()) {
            counts.put(String.valueOf(qos.value()), received ? metrics.messagesReceived(qos) : metrics.messagesSent(qos));
        }
        return counts;
    }
}
