package io.corvid.broker.transport;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;

/**
 * The engine's side of one connection: what the transport calls as bytes become packets and
 * as the connection changes state. All calls come from the connection's own thread.
 */
public interface ConnectionHandler {

    /** A whole packet arrived. */
    void onPacket(MqttPacket packet);

    /**
     * The bytes broke the protocol. The handler answers as the specification says (a CONNACK
     * or DISCONNECT with the reason code, where one is due) and closes the connection; the
     * transport must not decode anything more from this connection.
     *
     * @param version the connection's version if CONNECT got far enough to tell it, else null
     */
    void onDecodeError(DecodeResult.Error error, ProtocolVersion version);

    /** The transport's writability changed (see {@link Connection#isWritable()}). */
    void onWritabilityChanged(boolean writable);

    /**
     * The network connection is closed, whoever closed it. Called exactly once per
     * connection, after which no other method is called.
     *
     * @param cause the I/O error that ended it, or {@code null} for an orderly close
     */
    void onClosed(Throwable cause);

    /**
     * MQTT bytes read from and written to the connection since the last call. Transports call
     * it now and then (after a read, at a flush), not per byte.
     */
    default void onTraffic(long bytesRead, long bytesWritten) {
    }
}
