package io.corvid.broker.codec;

import io.corvid.broker.packet.ReasonCode;

/**
 * Raised inside the decoder when the bytes break the protocol, and turned into a
 * {@link DecodeResult.Error} before {@link MqttDecoder#decode} returns. It never escapes the
 * decoder, and it carries no stack trace: bad input is an expected event, not a bug.
 */
final class MalformedPacketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ReasonCode reasonCode;

    MalformedPacketException(ReasonCode reasonCode, String message) {
        super(message, null, false, false);
        this.reasonCode = reasonCode;
    }

    static MalformedPacketException malformed(String message) {
        return new MalformedPacketException(ReasonCode.MALFORMED_PACKET, message);
    }

    static MalformedPacketException protocolError(String message) {
        return new MalformedPacketException(ReasonCode.PROTOCOL_ERROR, message);
    }

    ReasonCode reasonCode() {
        return reasonCode;
    }
}
