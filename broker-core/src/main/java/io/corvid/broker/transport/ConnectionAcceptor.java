package io.corvid.broker.transport;

/** The engine's entry point for transports: one call per accepted network connection. */
@FunctionalInterface
public interface ConnectionAcceptor {

    /** Creates the handler for a new connection. Called on the connection's own thread. */
    ConnectionHandler accept(Connection connection);
}
