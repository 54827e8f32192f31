package io.corvid.broker.admin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Who may call the admin API. Two modes, fixed when the server is built:
 * <ul>
 *   <li><b>with a token</b>: every protected request must carry {@code Authorization: Bearer <token>},
 *       from any address;</li>
 *   <li><b>without a token</b>: protected requests are served to loopback peers only, and only
 *       when they name a loopback host ({@code Host}) and, if they carry an {@code Origin}, come
 *       from a page of this same server. Without those two checks any web page open in a
 *       browser on the machine could drive the API: by DNS rebinding (its own name pointing at
 *       127.0.0.1) or by a cross-site form post.</li>
 * </ul>
 * Health, readiness and the dashboard's static files are open: they reveal nothing but that the
 * server is up.
 */
final class AccessPolicy {
    /** What to do with a request. */
    enum Decision {
        /** Serve it. */
        ALLOW,
        /** 401 with {@code WWW-Authenticate: Bearer}: no token, or a malformed header. */
        TOKEN_MISSING,
        /** 401 with {@code WWW-Authenticate: Bearer error="invalid_token"}: a token that is not the one. */
        TOKEN_WRONG,
        /** 403: this peer is not served without a token. */
        FORBIDDEN
    }

    /**
     * The facts about one request that the policy looks at.
     *
     * @param peer          the remote address of the connection
     * @param path          the request path, not decoded
     * @param authorization the {@code Authorization} header, or {@code null}
     * @param host          the {@code Host} header, or {@code null}
     * @param origin        the {@code Origin} header, or {@code null}
     */
    record Request(InetAddress peer, String path, String authorization, String host, String origin) {
    }

    private static final String BEARER = "bearer ";

    /** SHA-256 of the token, or {@code null} without one. */
    private final byte[] tokenDigest;

    /**
     * @param token the bearer token every protected request must present, or {@code null} to
     *              serve loopback peers without one
     */
    AccessPolicy(String token) {
        this.tokenDigest = token == null ? null : sha256(token);
    }

    /** Whether a token is required. */
    boolean requiresToken() {
        return tokenDigest != null;
    }

    /** Whether requests for {@code path} need the policy's permission; others are open to all. */
    static boolean isProtected(String path) {
        return path.equals("/api") || path.startsWith("/api/") || path.equals("/metrics");
    }

    /** The decision for {@code request}. */
    Decision decide(Request request) {
        if (!isProtected(request.path())) {
            return Decision.ALLOW;
        }
        if (tokenDigest != null) {
            return checkToken(request.authorization());
        }
        if (!request.peer().isLoopbackAddress() || !namesLoopback(request.host())) {
            return Decision.FORBIDDEN;
        }
        if (request.origin() != null && !isSameOrigin(request.origin(), request.host())) {
            return Decision.FORBIDDEN;
        }
        return Decision.ALLOW;
    }

    private Decision checkToken(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Decision.TOKEN_MISSING;
        }
        String presented = authorization.substring(BEARER.length()).strip();
        // Digests of equal length, compared in constant time: how long the comparison takes says
        // nothing about how much of the token was right, nor about its length.
        return MessageDigest.isEqual(tokenDigest, sha256(presented)) ? Decision.ALLOW : Decision.TOKEN_WRONG;
    }

    /**
     * Refuses a binding that would serve the API beyond this machine without a token.
     *
     * @throws IllegalStateException naming the host and the ways out
     */
    static void checkBinding(InetAddress bindAddress, boolean hasToken) {
        if (!bindAddress.isLoopbackAddress() && !hasToken) {
            throw new IllegalStateException("refusing to serve the admin API on " + bindAddress.getHostAddress()
                    + " without a token: anyone who can reach it could disconnect clients and publish; "
                    + "give a bearer token (--admin-token or --admin-token-file) or bind a loopback address "
                    + "such as 127.0.0.1");
        }
    }

    /**
     * Whether a {@code Host} header names this machine's loopback: {@code localhost}, a
     * 127.0.0.0/8 address or {@code [::1]}, with or without a port. Names are not resolved, so
     * that a rebound DNS name never passes.
     */
    static boolean namesLoopback(String host) {
        if (host == null) {
            return false;
        }
        String name = hostWithoutPort(host.strip()).toLowerCase(Locale.ROOT);
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        if (name.startsWith("[") && name.endsWith("]")) {
            return name.equals("[::1]") || name.equals("[0:0:0:0:0:0:0:1]");
        }
        if (!name.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return false;
        }
        try {
            return InetAddress.getByName(name).isLoopbackAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String hostWithoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    /** Whether an {@code Origin} header ({@code http://host:port}) is this server as named in {@code Host}. */
    private static boolean isSameOrigin(String origin, String host) {
        return host != null && origin.equalsIgnoreCase("http://" + host.strip());
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
