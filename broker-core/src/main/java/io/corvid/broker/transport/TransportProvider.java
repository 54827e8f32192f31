package io.corvid.broker.transport;

/**
 * Found with {@link java.util.ServiceLoader}: a transport module (such as broker-netty)
 * registers one in {@code META-INF/services/io.corvid.broker.transport.TransportProvider}, so
 * that {@code new Broker.Builder().port(1883).build().start()} works with the module merely on
 * the class path.
 */
public interface TransportProvider {

    /** A short name for logs, such as "netty". */
    String name();

    /** A new, unstarted transport. */
    Transport create();
}
