package io.corvid.broker.transport;

import io.corvid.broker.Listener;
import java.io.IOException;
import java.util.List;

/**
 * A network transport: binds listeners, turns bytes into packets for the engine and packets
 * into bytes for the network. The broker finds one through {@link TransportProvider} or is
 * given one by the embedding application.
 */
public interface Transport {

    /**
     * Binds every listener and starts accepting connections, handing each to
     * {@code acceptor}. Either all listeners are bound or none is and an exception says why.
     *
     * @return the bound listeners with their actual addresses (port 0 resolved)
     */
    List<BoundListener> start(List<Listener> listeners, ConnectionAcceptor acceptor,
                              TransportSettings settings) throws IOException;

    /**
     * Stops accepting new connections and closes the listening sockets; established
     * connections stay open so that the engine can say goodbye to them.
     */
    void stopAccepting();

    /** Closes every connection and releases the transport's threads. Idempotent. */
    void stop();

    /**
     * Network connections closed as soon as they were accepted because a listener's or the
     * broker's connection limit was reached (they never reach the engine). Default 0, for
     * transports that keep no such limit.
     */
    default long connectionsRefusedAtLimit() {
        return 0;
    }

    /**
     * Times a listener stopped accepting for a while because connections came faster than
     * {@link TransportSettings#maxConnectionRate()}. Default 0, for transports without pacing.
     */
    default long acceptPauses() {
        return 0;
    }
}
