package io.corvid.broker.transport;

/**
 * Broker-wide settings a transport needs.
 *
 * @param maximumPacketSize the largest packet, fixed header included, the decoder accepts
 */
public record TransportSettings(int maximumPacketSize) {
}
