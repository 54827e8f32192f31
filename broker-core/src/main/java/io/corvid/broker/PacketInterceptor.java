package io.corvid.broker;

import io.corvid.broker.packet.MqttPacket;

/**
 * Sees every packet a client sends, after decoding and before the broker acts on it, and may
 * reject it. Interceptors run in the order they were added, on the network thread of the
 * connection: they must be quick and must not block.
 *
 * <p>What a rejection does depends on the packet: a CONNECT is refused with 0x87 Not
 * Authorized (3.1.1: return code 5); a PUBLISH is dropped (MQTT 5.0 acknowledgements carry
 * 0x87; 3.1.1 acknowledges normally); a SUBSCRIBE or UNSUBSCRIBE is answered with 0x87 for
 * each filter (3.1.1 SUBACK: 0x80; 3.1.1 UNSUBACK has no code and the filters are kept); any
 * other packet closes the connection (MQTT 5.0: DISCONNECT 0x87 first).
 */
@FunctionalInterface
public interface PacketInterceptor {

    /** What to do with a packet. */
    enum Decision {
        /** Let the broker handle the packet. */
        ACCEPT,
        /** Reject it, as the class documentation describes per packet type. */
        REJECT
    }

    /**
     * Inspects an inbound packet.
     *
     * @param client who sent it; for CONNECT, the identity the packet claims
     * @param packet the packet
     */
    Decision intercept(ClientInfo client, MqttPacket packet);
}
