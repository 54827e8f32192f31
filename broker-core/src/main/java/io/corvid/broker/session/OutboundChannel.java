package io.corvid.broker.session;

import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;

/**
 * The connection a session writes to while its client is connected. The engine's protocol
 * handler implements it; every method is called inside the session's serial executor, which
 * then runs on the connection's own thread.
 */
public interface OutboundChannel {

    /** The client's Receive Maximum (MQTT 5.0) or 65,535: the ceiling of the inflight window. */
    int clientReceiveMaximum();

    /** Whether the connection can take more writes now. */
    boolean isWritable();

    /**
     * Writes a PUBLISH (not flushed). Returns false, writing nothing, when the packet is larger
     * than the client's Maximum Packet Size: the message is then dropped for this client.
     */
    boolean sendPublish(Publish publish);

    /** Writes a PUBREL (not flushed): the resend of a QoS 2 release after reconnecting. */
    void sendPubRel(int packetId);

    /** Flushes what was written. */
    void flush();

    /**
     * Another connection took the session over: send DISCONNECT 0x8E (MQTT 5.0) and close.
     * Returns this connection's will message, which it must no longer publish itself, or
     * {@code null}.
     */
    Will takeOver();

    /** Closes the connection on the broker's initiative (MQTT 5.0: DISCONNECT with the reason first). */
    void disconnect(ReasonCode reasonCode, String description);
}
