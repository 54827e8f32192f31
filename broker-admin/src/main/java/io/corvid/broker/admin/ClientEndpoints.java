package io.corvid.broker.admin;

import io.corvid.broker.Broker;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.ClientStatus;
import io.corvid.broker.SessionInfo;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /api/v1/clients}: the connected clients, their subscriptions, and disconnecting one. */
final class ClientEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(ClientEndpoints.class);

    /**
     * A connected client.
     *
     * @param clientId          its client identifier
     * @param username          the user name it gave, or {@code null}
     * @param address           its network address ({@code host:port})
     * @param protocol          the MQTT version it speaks, such as {@code MQTT 5.0}
     * @param listener          the listener it came in through
     * @param keepAliveSeconds  the keep alive in force; 0 for none
     * @param connectedAt       when it connected (ISO-8601)
     * @param queuedMessages    messages waiting to be sent to it
     * @param inflightMessages  QoS 1/2 messages sent to it and not yet acknowledged
     * @param subscriptionCount how many subscriptions its session has
     */
    record ClientSummary(String clientId, String username, String address, String protocol, String listener,
                         int keepAliveSeconds, String connectedAt, int queuedMessages, int inflightMessages,
                         int subscriptionCount) {
        static ClientSummary of(ClientStatus status) {
            ClientInfo client = status.client();
            return new ClientSummary(client.clientId(), client.username(), Views.address(client.remoteAddress()),
                    Views.protocol(client.protocolVersion()), client.listenerName(), status.keepAliveSeconds(),
                    Views.instant(status.connectedAtMillis()), status.queuedMessages(), status.inflightMessages(),
                    status.subscriptions());
        }
    }

    /** A connected client with its subscriptions. */
    record ClientDetail(String clientId, String username, String address, String protocol, String listener,
                        int keepAliveSeconds, String connectedAt, int queuedMessages, int inflightMessages,
                        int subscriptionCount, List<SubscriptionView> subscriptions) {
    }

    private final Broker broker;

    ClientEndpoints(Broker broker) {
        this.broker = broker;
    }

    /** {@code GET /api/v1/clients?offset=&limit=}, ordered by client identifier. */
    ApiResponse list(ApiRequest request) {
        Page page = Page.of(request);
        List<ClientSummary> clients = broker.clientStatuses().stream()
                .map(ClientSummary::of)
                .sorted(Comparator.comparing(ClientSummary::clientId))
                .toList();
        return ApiResponse.ok(page.window("clients", clients));
    }

    /** {@code GET /api/v1/clients/{id}}. */
    ApiResponse get(ApiRequest request) {
        String clientId = request.pathParameter("id");
        ClientSummary client = ClientSummary.of(connected(clientId));
        return ApiResponse.ok(new ClientDetail(client.clientId(), client.username(), client.address(),
                client.protocol(), client.listener(), client.keepAliveSeconds(), client.connectedAt(),
                client.queuedMessages(), client.inflightMessages(), client.subscriptionCount(),
                subscriptions(clientId)));
    }

    /** {@code GET /api/v1/clients/{id}/subscriptions}. */
    ApiResponse subscriptions(ApiRequest request) {
        String clientId = request.pathParameter("id");
        connected(clientId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", clientId);
        body.put("subscriptions", subscriptions(clientId));
        return ApiResponse.ok(body);
    }

    /**
     * {@code DELETE /api/v1/clients/{id}}: disconnects the client (MQTT 5.0: DISCONNECT 0x98
     * Administrative action). Its session stays as its expiry interval says, its will is published.
     */
    ApiResponse disconnect(ApiRequest request) {
        String clientId = request.pathParameter("id");
        if (!broker.disconnect(clientId)) {
            throw notConnected(clientId);
        }
        LOG.info("Admin API: {} disconnected client '{}'", request.remote(), clientId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", clientId);
        body.put("disconnected", true);
        return ApiResponse.ok(body);
    }

    private ClientStatus connected(String clientId) {
        return broker.clientStatus(clientId).orElseThrow(() -> notConnected(clientId));
    }

    private List<SubscriptionView> subscriptions(String clientId) {
        return broker.session(clientId).map(SessionInfo::subscriptions).map(SubscriptionView::of).orElse(List.of());
    }

    private static ApiException notConnected(String clientId) {
        return ApiException.notFound("client '" + clientId + "' is not connected");
    }
}
