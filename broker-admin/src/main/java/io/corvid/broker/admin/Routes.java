package io.corvid.broker.admin;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The table of endpoints: a path pattern and, per method, what answers it. Patterns are
 * literal segments, {@code {name}} for one segment (percent-decoded, so {@code %2F} gives a
 * client identifier with a slash) and, last, {@code {name...}} for the rest of the path
 * (decoded, slashes included: a topic). A path that matches a pattern but not one of its
 * methods gets 405 with the methods it has.
 */
final class Routes {
    /** What answers a request. */
    @FunctionalInterface
    interface Endpoint {
        ApiResponse handle(ApiRequest request);
    }

    /** A matched route with its decoded path parameters. */
    record Match(Route route, Map<String, String> parameters) {
    }

    /** One path pattern with its endpoints per method. */
    static final class Route {
        private final String pattern;
        private final List<String> segments;
        private final String restName;
        private final Map<HttpMethod, Endpoint> endpoints = new LinkedHashMap<>();

        private Route(String pattern) {
            this.pattern = pattern;
            List<String> parts = new ArrayList<>(List.of(pattern.substring(1).split("/", -1)));
            String last = parts.get(parts.size() - 1);
            if (last.startsWith("{") && last.endsWith("...}")) {
                restName = last.substring(1, last.length() - 4);
                parts.remove(parts.size() - 1);
            } else {
                restName = null;
            }
            this.segments = List.copyOf(parts);
        }

        /** The endpoint for {@code method}, or {@code null}. */
        Endpoint endpoint(HttpMethod method) {
            return endpoints.get(method);
        }

        /** The methods this route answers, for the {@code Allow} header. */
        String allowed() {
            return endpoints.keySet().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
        }

        private Map<String, String> match(String rawPath) {
            if (!rawPath.startsWith("/")) {
                return null;
            }
            String[] parts = rawPath.substring(1).split("/", -1);
            int fixed = segments.size();
            if (restName == null ? parts.length != fixed : parts.length <= fixed) {
                return null;
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            for (int i = 0; i < fixed; i++) {
                String segment = segments.get(i);
                if (segment.startsWith("{")) {
                    if (parts[i].isEmpty()) {
                        return null;
                    }
                    parameters.put(segment.substring(1, segment.length() - 1), PathSegments.decode(parts[i]));
                } else if (!segment.equals(parts[i])) {
                    return null;
                }
            }
            if (restName != null) {
                String rest = String.join("/", List.of(parts).subList(fixed, parts.length));
                if (rest.isEmpty()) {
                    return null;
                }
                parameters.put(restName, PathSegments.decode(rest));
            }
            return parameters;
        }

        @Override
        public String toString() {
            return allowed() + " " + pattern;
        }
    }

    private final Map<String, Route> routes = new LinkedHashMap<>();

    /** Adds {@code endpoint} for {@code method} on {@code pattern}. */
    Routes add(HttpMethod method, String pattern, Endpoint endpoint) {
        Route route = routes.computeIfAbsent(pattern, Route::new);
        if (route.endpoints.putIfAbsent(method, endpoint) != null) {
            throw new IllegalArgumentException(method + " " + pattern + " is already routed");
        }
        return this;
    }

    /**
     * The first route whose pattern matches {@code rawPath}, or {@code null}.
     *
     * @throws ApiException 400 when a path parameter does not decode
     */
    Match match(String rawPath) {
        for (Route route : routes.values()) {
            Map<String, String> parameters = route.match(rawPath);
            if (parameters != null) {
                return new Match(route, parameters);
            }
        }
        return null;
    }
}
