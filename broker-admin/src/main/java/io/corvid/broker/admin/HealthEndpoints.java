package io.corvid.broker.admin;

import io.corvid.broker.Broker;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/**
 * Liveness and readiness, for load balancers and orchestrators; open to everyone since they tell
 * nothing but whether the server is up.
 */
final class HealthEndpoints {
    private final Broker broker;

    HealthEndpoints(Broker broker) {
        this.broker = broker;
    }

    /** {@code GET /health}: 200 as long as the admin server answers at all. */
    ApiResponse health(ApiRequest request) {
        return ApiResponse.ok(Map.of("status", "UP"));
    }

    /** {@code GET /ready}: 200 while the broker serves MQTT, 503 before it starts and after it stops. */
    ApiResponse ready(ApiRequest request) {
        if (broker.isRunning()) {
            return ApiResponse.ok(Map.of("status", "READY"));
        }
        return ApiResponse.json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                Map.of("status", "NOT_READY", "message", "the broker is not running"));
    }
}
