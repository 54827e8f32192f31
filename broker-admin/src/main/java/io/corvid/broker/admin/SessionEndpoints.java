package io.corvid.broker.admin;

import io.corvid.broker.Broker;
import io.corvid.broker.SessionInfo;
import java.util.Comparator;
import java.util.List;

/** {@code /api/v1/sessions}: every session, connected or offline. */
final class SessionEndpoints {
    /**
     * A session in the list.
     *
     * @param clientId              its client identifier
     * @param connected             whether its client is connected
     * @param subscriptions         how many subscriptions it has
     * @param queuedMessages        messages waiting to be sent
     * @param inflightMessages      QoS 1/2 messages sent and not yet acknowledged
     * @param expiryIntervalSeconds how long it outlives its connection; -1 for never
     */
    record SessionSummary(String clientId, boolean connected, int subscriptions, int queuedMessages,
                          int inflightMessages, long expiryIntervalSeconds) {
    }

    /** One session with its subscriptions. */
    record SessionDetail(String clientId, boolean connected, List<SubscriptionView> subscriptions,
                         int queuedMessages, int inflightMessages, long expiryIntervalSeconds) {
    }

    private final Broker broker;

    SessionEndpoints(Broker broker) {
        this.broker = broker;
    }

    /** {@code GET /api/v1/sessions?offset=&limit=}, ordered by client identifier. */
    ApiResponse list(ApiRequest request) {
        Page page = Page.of(request);
        List<SessionSummary> sessions = broker.sessions().stream()
                .sorted(Comparator.comparing(SessionInfo::clientId))
                .map(session -> new SessionSummary(session.clientId(), session.connected(),
                        session.subscriptions().size(), session.queuedMessages(), session.inflightMessages(),
                        session.expiryIntervalSeconds()))
                .toList();
        return ApiResponse.ok(page.window("sessions", sessions));
    }

    /** {@code GET /api/v1/sessions/{id}}. */
    ApiResponse get(ApiRequest request) {
        String clientId = request.pathParameter("id");
        SessionInfo session = broker.session(clientId)
                .orElseThrow(() -> ApiException.notFound("no session for client '" + clientId + "'"));
        return ApiResponse.ok(new SessionDetail(session.clientId(), session.connected(),
                SubscriptionView.of(session.subscriptions()), session.queuedMessages(), session.inflightMessages(),
                session.expiryIntervalSeconds()));
    }
}
