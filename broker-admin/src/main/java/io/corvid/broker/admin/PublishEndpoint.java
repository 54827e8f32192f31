package io.corvid.broker.admin;

import io.corvid.broker.Broker;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.topic.Topics;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/publish}: publishes a message as the application would, through the
 * broker's authorisation-free internal path.
 */
final class PublishEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(PublishEndpoint.class);

    /**
     * The request body.
     *
     * @param topic    the topic name (no wildcards)
     * @param payload  the payload, empty when absent
     * @param encoding {@code utf-8} (the default) or {@code base64}
     * @param qos      0 (the default), 1 or 2
     * @param retain   whether the broker keeps it as the topic's retained message (default false);
     *                 an empty retained payload removes the topic's retained message
     */
    record PublishRequest(String topic, String payload, String encoding, Integer qos, Boolean retain) {
    }

    private final Broker broker;

    PublishEndpoint(Broker broker) {
        this.broker = broker;
    }

    ApiResponse publish(ApiRequest request) {
        String contentType = request.contentType();
        // A JSON content type is required, not only accepted: a browser sends a cross-site
        // request with it only after a CORS preflight, which this server never grants.
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                    "the body must be JSON, sent with Content-Type: application/json");
        }
        PublishRequest body = Json.read(request.body(), PublishRequest.class);
        if (body.topic() == null) {
            throw ApiException.badRequest("topic is required");
        }
        if (!Topics.isValidTopicName(body.topic())) {
            throw ApiException.badRequest("not a valid topic name (empty, or with + or #): '" + body.topic() + "'");
        }
        QoS qos = QoS.fromValue(body.qos() == null ? 0 : body.qos());
        if (qos == null) {
            throw ApiException.badRequest("qos must be 0, 1 or 2, not " + body.qos());
        }
        byte[] payload = Payloads.decode(body.payload(), body.encoding());
        boolean retain = Boolean.TRUE.equals(body.retain());
        int sessions = broker.publish(body.topic(), payload, qos, retain);
        LOG.info("Admin API: {} published {} bytes to '{}' (QoS {}, retain {}), handed to {} sessions",
                request.remote(), payload.length, body.topic(), qos.value(), retain, sessions);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("topic", body.topic());
        result.put("qos", qos.value());
        result.put("retain", retain);
        result.put("payloadBytes", payload.length);
        result.put("deliveredToSessions", sessions);
        return ApiResponse.ok(result);
    }
}
