package io.corvid.broker.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an endpoint answers: a status, a body of some type, and any headers of its own.
 *
 * @param status      the HTTP status
 * @param contentType the body's media type
 * @param body        the body's bytes
 * @param headers     extra headers, such as {@code Allow} or {@code WWW-Authenticate}
 */
record ApiResponse(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json; charset=utf-8";

    ApiResponse {
        headers = Map.copyOf(headers);
    }

    /** 200 with {@code value} as JSON. */
    static ApiResponse ok(Object value) {
        return json(HttpResponseStatus.OK, value);
    }

    /** {@code value} as JSON with {@code status}. */
    static ApiResponse json(HttpResponseStatus status, Object value) {
        return new ApiResponse(status, JSON, Json.write(value), Map.of());
    }

    /** An error: {@code {"status": 404, "error": "Not Found", "message": "..."}}. */
    static ApiResponse error(HttpResponseStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status.code());
        body.put("error", status.reasonPhrase());
        body.put("message", message);
        return json(status, body);
    }

    /** Plain text, such as the Prometheus exposition. */
    static ApiResponse text(String contentType, String text) {
        return new ApiResponse(HttpResponseStatus.OK, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** A copy with one more header. */
    ApiResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, contentType, body, more);
    }
}
