package io.corvid.broker;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A network listener: where and how the broker accepts connections. Build one with the
 * static factories and add it with {@link Broker.Builder#listener(Listener)}; a broker may
 * have any number of them, of any kinds, at once.
 */
public final class Listener {

    /** The wire protocol a listener speaks. */
    public enum Protocol {
        /** MQTT over plain TCP. */
        TCP,
        /** MQTT over TLS. */
        TLS,
        /** MQTT over WebSocket (subprotocol "mqtt"). */
        WEBSOCKET,
        /** MQTT over WebSocket over TLS. */
        SECURE_WEBSOCKET,
        /** MQTT over a Unix domain socket (native transport only). */
        UNIX
    }

    /** The default WebSocket path. */
    public static final String DEFAULT_WEBSOCKET_PATH = "/mqtt";

    private final String name;
    private final Protocol protocol;
    private final String host;
    private final int port;
    private final Path socketPath;
    private final TlsConfig tls;
    private final String webSocketPath;
    private final boolean proxyProtocol;
    private final int maxConnections;

    private Listener(String name, Protocol protocol, String host, int port, Path socketPath, TlsConfig tls,
                     String webSocketPath, boolean proxyProtocol, int maxConnections) {
        this.name = Objects.requireNonNull(name, "name");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.host = host;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        this.port = port;
        this.socketPath = socketPath;
        this.tls = tls;
        this.webSocketPath = webSocketPath;
        this.proxyProtocol = proxyProtocol;
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
        }
        this.maxConnections = maxConnections;
    }

    /**
     * A plain TCP listener.
     *
     * @param host the address to bind, such as "0.0.0.0" or "127.0.0.1"
     * @param port the port; 0 picks a free one, readable after start from {@link Broker#port()}
     */
    public static Listener tcp(String host, int port) {
        return new Listener("tcp", Protocol.TCP, Objects.requireNonNull(host, "host"), port, null, null, null,
                false, Integer.MAX_VALUE);
    }

    /** A TLS listener. */
    public static Listener tls(String host, int port, TlsConfig tls) {
        return new Listener("tls", Protocol.TLS, Objects.requireNonNull(host, "host"), port, null,
                Objects.requireNonNull(tls, "tls"), null, false, Integer.MAX_VALUE);
    }

    /** A WebSocket listener on {@code path} (such as {@link #DEFAULT_WEBSOCKET_PATH}). */
    public static Listener webSocket(String host, int port, String path) {
        return new Listener("ws", Protocol.WEBSOCKET, Objects.requireNonNull(host, "host"), port, null, null,
                requirePath(path), false, Integer.MAX_VALUE);
    }

    /** A secure WebSocket listener on {@code path}. */
    public static Listener secureWebSocket(String host, int port, String path, TlsConfig tls) {
        return new Listener("wss", Protocol.SECURE_WEBSOCKET, Objects.requireNonNull(host, "host"), port, null,
                Objects.requireNonNull(tls, "tls"), requirePath(path), false, Integer.MAX_VALUE);
    }

    /** A Unix domain socket listener at {@code path}. */
    public static Listener unix(Path path) {
        return new Listener("unix", Protocol.UNIX, null, 0, Objects.requireNonNull(path, "path"), null, null, false,
                Integer.MAX_VALUE);
    }

    private static String requirePath(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a WebSocket path starts with '/': " + path);
        }
        return path;
    }

    /** A copy with another name, which logs and events use to tell listeners apart. */
    public Listener named(String newName) {
        return new Listener(newName, protocol, host, port, socketPath, tls, webSocketPath, proxyProtocol, maxConnections);
    }

    /**
     * A copy that expects a PROXY protocol (v1 or v2) header on every connection, so that the
     * client's real address is known behind a load balancer.
     */
    public Listener withProxyProtocol(boolean enabled) {
        return new Listener(name, protocol, host, port, socketPath, tls, webSocketPath, enabled, maxConnections);
    }

    /** A copy that holds at most {@code max} connections at once; more are closed on accept and counted. */
    public Listener withMaxConnections(int max) {
        return new Listener(name, protocol, host, port, socketPath, tls, webSocketPath, proxyProtocol, max);
    }

    /** The listener's name. */
    public String name() {
        return name;
    }

    /** The wire protocol. */
    public Protocol protocol() {
        return protocol;
    }

    /** The address to bind, or {@code null} for a Unix domain socket. */
    public String host() {
        return host;
    }

    /** The configured port (0 means any free port). */
    public int port() {
        return port;
    }

    /** The Unix domain socket path, or {@code null}. */
    public Path socketPath() {
        return socketPath;
    }

    /** The TLS settings, or {@code null} for a plain listener. */
    public TlsConfig tls() {
        return tls;
    }

    /** The WebSocket path, or {@code null} for a non-WebSocket listener. */
    public String webSocketPath() {
        return webSocketPath;
    }

    /** Whether connections start with a PROXY protocol header. */
    public boolean proxyProtocol() {
        return proxyProtocol;
    }

    /** The most connections this listener holds at once. */
    public int maxConnections() {
        return maxConnections;
    }

    @Override
    public String toString() {
        String where = socketPath != null ? socketPath.toString() : host + ":" + port;
        return name + " (" + protocol + " " + where + (webSocketPath != null ? webSocketPath : "") + ")";
    }
}
