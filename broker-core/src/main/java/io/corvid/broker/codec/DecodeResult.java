package io.corvid.broker.codec;

import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.ReasonCode;

/**
 * What one call of {@link MqttDecoder#decode} produced: a packet, a request for more bytes, or
 * a protocol error carrying the reason code the specification prescribes. Decoding never
 * throws for bad input.
 */
public sealed interface DecodeResult permits DecodeResult.Decoded, DecodeResult.NeedMoreBytes, DecodeResult.Error {

    /** The shared "need more bytes" answer. */
    static NeedMoreBytes needMoreBytes() {
        return NeedMoreBytes.INSTANCE;
    }

    /**
     * A whole packet; the buffer's position was moved past it.
     *
     * @param packet the decoded packet
     */
    record Decoded(MqttPacket packet) implements DecodeResult {
    }

    /** The buffer does not yet hold a whole packet; its position was not moved. */
    final class NeedMoreBytes implements DecodeResult {
        static final NeedMoreBytes INSTANCE = new NeedMoreBytes();

        private NeedMoreBytes() {
        }

        @Override
        public String toString() {
            return "NeedMoreBytes";
        }
    }

    /**
     * The bytes break the protocol. The connection must be closed (after a CONNACK or
     * DISCONNECT carrying {@code reasonCode}, where the version and the specification call
     * for one). The buffer's position is unspecified.
     *
     * @param reasonCode the reason: malformed packet, protocol error, packet too large, topic
     *                   name invalid, topic alias invalid or unsupported protocol version
     * @param message    what exactly was wrong, for the log
     * @param packetType the type of the offending packet, or {@code null} if the fixed header
     *                   itself was bad
     */
    record Error(ReasonCode reasonCode, String message, PacketType packetType) implements DecodeResult {
    }
}
