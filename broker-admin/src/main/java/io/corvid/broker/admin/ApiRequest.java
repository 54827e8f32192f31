package io.corvid.broker.admin;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One request as an endpoint sees it: path parameters already decoded, query parameters, the
 * body, and who sent it (for the log of mutating actions).
 */
final class ApiRequest {
    private final Map<String, String> pathParameters;
    private final Map<String, List<String>> queryParameters;
    private final byte[] body;
    private final String contentType;
    private final SocketAddress remote;

    ApiRequest(Map<String, String> pathParameters, Map<String, List<String>> queryParameters, byte[] body,
               String contentType, SocketAddress remote) {
        this.pathParameters = pathParameters;
        this.queryParameters = queryParameters;
        this.body = body;
        this.contentType = contentType;
        this.remote = remote;
    }

    /** A decoded path parameter of the route, such as {@code id} in {@code /api/v1/clients/{id}}. */
    String pathParameter(String name) {
        String value = pathParameters.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the route has no parameter " + name);
        }
        return value;
    }

    /**
     * A query parameter, or {@code null} when absent.
     *
     * @throws ApiException 400 when it is given more than once
     */
    String query(String name) {
        List<String> values = queryParameters.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiException.badRequest("query parameter '" + name + "' is given " + values.size() + " times");
        }
        return values.get(0);
    }

    byte[] body() {
        return body;
    }

    /** The {@code Content-Type} header, or {@code null}. */
    String contentType() {
        return contentType;
    }

    /** The peer's address, for the log. */
    SocketAddress remote() {
        return remote;
    }
}
