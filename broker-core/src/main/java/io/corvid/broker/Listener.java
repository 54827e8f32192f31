package io.corvid.broker;

import java.util.Objects;

/**
 * A network listener: where and how the broker accepts connections. Build one with
 * {@link #tcp(String, int)} and add it with {@link Broker.Builder#listener(Listener)}.
 */
public final class Listener {

    /** The wire protocol a listener speaks. */
    public enum Protocol {
        /** MQTT over plain TCP. */
        TCP
    }

    private final String name;
    private final Protocol protocol;
    private final String host;
    private final int port;

    private Listener(String name, Protocol protocol, String host, int port) {
        this.name = Objects.requireNonNull(name, "name");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.host = Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        this.port = port;
    }

    /**
     * A plain TCP listener.
     *
     * @param host the address to bind, such as "0.0.0.0" or "127.0.0.1"
     * @param port the port; 0 picks a free one, readable after start from {@link Broker#port()}
     */
    public static Listener tcp(String host, int port) {
        return new Listener("tcp", Protocol.TCP, host, port);
    }

    /** A copy with another name, which logs and events use to tell listeners apart. */
    public Listener named(String newName) {
        return new Listener(newName, protocol, host, port);
    }

    /** The listener's name. */
    public String name() {
        return name;
    }

    /** The wire protocol. */
    public Protocol protocol() {
        return protocol;
    }

    /** The address to bind. */
    public String host() {
        return host;
    }

    /** The configured port (0 means any free port). */
    public int port() {
        return port;
    }

    @Override
    public String toString() {
        return name + " (" + protocol + " " + host + ":" + port + ")";
    }
}
