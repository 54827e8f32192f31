package io.corvid.broker.admin;

import io.corvid.broker.Broker;
import io.corvid.broker.BrokerMetrics;
import io.corvid.broker.ClusterMember;
import io.corvid.broker.transport.BoundListener;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The broker as a whole: what it is, its listeners, its counters, and the Prometheus exposition. */
final class BrokerEndpoints {
    /** The content type of the Prometheus text exposition format. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Broker broker;
    private final Supplier<String> prometheus;

    /**
     * @param prometheus the Prometheus text exposition, or {@code null} when metrics are not exported
     */
    BrokerEndpoints(Broker broker, Supplier<String> prometheus) {
        this.broker = broker;
        this.prometheus = prometheus;
    }

    /** {@code GET /api/v1/broker}: version, uptime, listeners, the main counters and the cluster's members. */
    ApiResponse broker(ApiRequest request) {
        BrokerMetrics metrics = broker.metrics();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", version());
        body.put("startedAt", Views.instant(metrics.startedAtMillis()));
        body.put("uptimeSeconds", Math.max(0, (System.currentTimeMillis() - metrics.startedAtMillis()) / 1000));
        body.put("listeners", listeners());
        body.put("counters", MetricsView.summary(metrics));
        body.put("cluster", clusterMembers());
        return ApiResponse.ok(body);
    }

    /** {@code GET /api/v1/metrics}: every counter of the broker as JSON. */
    ApiResponse metrics(ApiRequest request) {
        return ApiResponse.ok(MetricsView.of(broker.metrics()));
    }

    /** {@code GET /metrics}: the Prometheus text exposition, 404 when none is configured. */
    ApiResponse prometheus(ApiRequest request) {
        if (prometheus == null) {
            return ApiResponse.error(HttpResponseStatus.NOT_FOUND, "Prometheus metrics are not enabled on this "
                    + "server (no exporter is configured); the counters are at /api/v1/metrics as JSON");
        }
        return ApiResponse.text(PROMETHEUS_TEXT, prometheus.get());
    }

    /** The broker's version from its jar's manifest. */
    static String version() {
        String version = Broker.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    /** The nodes of the cluster as this node sees them; empty for a single node. */
    private List<Map<String, Object>> clusterMembers() {
        List<Map<String, Object>> members = new ArrayList<>();
        for (ClusterMember member : broker.clusterMembers()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("nodeId", member.nodeId());
            node.put("controlAddress", member.controlAddress());
            node.put("dataAddress", member.dataAddress());
            node.put("local", member.local());
            members.add(node);
        }
        return members;
    }

    private List<Map<String, Object>> listeners() {
        List<Map<String, Object>> listeners = new ArrayList<>();
        for (BoundListener bound : broker.boundListeners()) {
            Map<String, Object> listener = new LinkedHashMap<>();
            listener.put("name", bound.listener().name());
            listener.put("protocol", bound.listener().protocol().name());
            if (bound.address() != null) {
                listener.put("address", Views.address(bound.address()));
            } else {
                listener.put("socketPath", String.valueOf(bound.listener().socketPath()));
            }
            listener.put("proxyProtocol", bound.listener().proxyProtocol());
            listeners.add(listener);
        }
        return listeners;
    }
}
