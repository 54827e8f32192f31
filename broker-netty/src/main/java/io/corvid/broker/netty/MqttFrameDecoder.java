package io.corvid.broker.netty;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns the bytes of one connection into the core's packets with a server-side
 * {@link MqttDecoder}. Netty accumulates partial packets; every read decodes all the whole
 * packets available, so a packet split over many reads and many packets in one read both work.
 *
 * <p>The first protocol error is passed up once as a {@link DecodeFailure}; after it the
 * connection is finished, and every further byte is discarded without being looked at.
 *
 * <p>Not sharable: one per channel, as the decoder learns the connection's version.
 */
final class MqttFrameDecoder extends ByteToMessageDecoder {
    private final MqttDecoder decoder;
    private boolean failed;
    /** Bytes taken since {@link #takeBytesRead()} last asked, for the broker's traffic counters. */
    private long bytesRead;

    MqttFrameDecoder(int maximumPacketSize) {
        this.decoder = MqttDecoder.forServer(maximumPacketSize);
    }

    /** The bytes read since the last call. */
    long takeBytesRead() {
        long taken = bytesRead;
        bytesRead = 0;
        return taken;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        // One view over all readable bytes for the whole batch; the decoder reads it in place.
        ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
        int start = view.position();
        while (true) {
            DecodeResult result = decoder.decode(view);
            if (result instanceof DecodeResult.Decoded decoded) {
                out.add(decoded.packet());
            } else if (result instanceof DecodeResult.Error error) {
                failed = true;
                bytesRead += in.readableBytes();
                in.skipBytes(in.readableBytes());
                out.add(new DecodeFailure(error, decoder.protocolVersion()));
                return;
            } else {
                break; // need more bytes: Netty keeps the rest and calls again after the next read
            }
        }
        bytesRead += view.position() - start;
        in.skipBytes(view.position() - start);
    }
}
