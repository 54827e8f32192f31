package io.corvid.broker.transport;

import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import java.net.SocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One network connection as the engine sees it. A transport implements it; the engine never
 * sees sockets, channels or buffers, so it can be tested with a plain Java object standing in.
 *
 * <p>Every method except {@link #executor()} and {@link #remoteAddress()} must be called on
 * the connection's own thread, the one {@link #executor()} runs tasks on.
 */
public interface Connection {

    /**
     * Queues a packet for writing in the given protocol version's wire form. Nothing reaches
     * the network before {@link #flush()}.
     */
    void write(MqttPacket packet, ProtocolVersion version);

    /** Writes out everything queued so far. */
    void flush();

    /**
     * Closes the connection after everything queued has been written. The transport then
     * reports {@link ConnectionHandler#onClosed(Throwable)} once.
     */
    void close();

    /**
     * Whether the transport can take more writes without buffering past its high water mark.
     * When it turns false the engine stops writing queued messages until
     * {@link ConnectionHandler#onWritabilityChanged(boolean)} reports true again.
     */
    boolean isWritable();

    /**
     * Stops or resumes reading from the network, so that a client cannot run ahead of a
     * plug-in that answers asynchronously.
     */
    void setReadEnabled(boolean enabled);

    /** The single thread that owns this connection, as an executor. */
    Executor executor();

    /** Runs {@code task} on the connection's thread after {@code delay}; the result cancels it. */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** The peer's address. */
    SocketAddress remoteAddress();

    /** Facts about the network path (listener, TLS) that authentication may use. */
    TransportInfo transportInfo();

    /** A scheduled task that can be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not run yet. */
        void cancel();
    }
}
