package io.corvid.broker;

import io.corvid.broker.packet.ReasonCode;

/**
 * Why a client's connection ended.
 *
 * @param initiator   who ended it
 * @param reasonCode  the DISCONNECT reason code the client sent or the broker chose (also
 *                    recorded for MQTT 3.1.1 clients, which never see it)
 * @param description a human-readable account for the log, never {@code null}
 */
public record DisconnectReason(Initiator initiator, ReasonCode reasonCode, String description) {

    /** Who ended a connection. */
    public enum Initiator {
        /** The client sent DISCONNECT. */
        CLIENT,
        /** The broker closed it: protocol error, keep alive, takeover, shutdown, administrative action ... */
        SERVER,
        /** The network connection closed or failed without a DISCONNECT. */
        NETWORK
    }
}
