package io.corvid.broker.netty;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.packet.ProtocolVersion;

/**
 * What {@link MqttFrameDecoder} passes up the pipeline when the bytes break the protocol: the
 * decoder's error and the connection's version as far as it was known.
 *
 * @param error   the decoder's error
 * @param version the version learned from CONNECT, or {@code null} if CONNECT was not decoded
 */
record DecodeFailure(DecodeResult.Error error, ProtocolVersion version) {
}
