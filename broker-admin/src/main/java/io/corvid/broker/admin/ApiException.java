package io.corvid.broker.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the API answers with an error status and a message for the caller, such as 400 for
 * a bad parameter or 404 for an unknown client. Thrown by endpoints, turned into a JSON error
 * body by {@link AdminHttpHandler}.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;

    ApiException(HttpResponseStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(HttpResponseStatus.NOT_FOUND, message);
    }

    HttpResponseStatus status() {
        return status;
    }
}
