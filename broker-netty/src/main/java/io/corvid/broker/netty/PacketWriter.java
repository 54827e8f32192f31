package io.corvid.broker.netty;

import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.ByteBuffer;

/**
 * Encodes packets into Netty buffers and queues them on a channel, without flushing.
 *
 * <p>A packet is encoded straight into a buffer of exactly its size. A PUBLISH with a large
 * payload is written as two buffers: its header, and the payload from {@link SharedPayloads},
 * which holds one direct-memory copy of each recent payload per I/O thread. A message fanned
 * out to many subscribers thus costs one payload copy per thread, not one per subscriber. A QoS 0
 * PUBLISH, identical for every subscriber, is encoded once per thread by {@link SharedEncodings}
 * and its bytes are shared whole.
 */
final class PacketWriter {

    /** Payloads from this size on are wrapped, not copied into the encoded packet. */
    static final int WRAP_PAYLOAD_FROM = 1024;

    private PacketWriter() {
    }

    /** Encodes {@code packet} in {@code version}'s wire form and queues it on {@code ctx}; returns its size in bytes. */
    static int write(ChannelHandlerContext ctx, MqttPacket packet, ProtocolVersion version) {
        if (packet instanceof Publish publish && publish.qos() == QoS.AT_MOST_ONCE) {
            int size = MqttEncoder.encodedSize(publish, version);
            if (size <= SharedEncodings.MAX_SHARED_SIZE) {
                ctx.write(SharedEncodings.of(ctx.alloc(), publish, version, size), ctx.voidPromise());
                return size;
            }
        }
        if (packet instanceof Publish publish && publish.payload().length >= WRAP_PAYLOAD_FROM) {
            int headerSize = MqttEncoder.publishHeaderSize(publish, version);
            ByteBuf header = encode(ctx, publish, version, headerSize, true);
            ctx.write(header, ctx.voidPromise());
            ctx.write(SharedPayloads.of(ctx.alloc(), publish.payload()), ctx.voidPromise());
            return headerSize + publish.payload().length;
        }
        int size = MqttEncoder.encodedSize(packet, version);
        ctx.write(encode(ctx, packet, version, size, false), ctx.voidPromise());
        return size;
    }

    private static ByteBuf encode(ChannelHandlerContext ctx, MqttPacket packet, ProtocolVersion version, int size,
                                  boolean publishHeaderOnly) {
        ByteBuf buf = ctx.alloc().ioBuffer(size, size);
        try {
            int writerIndex = buf.writerIndex();
            if (buf.nioBufferCount() == 1) {
                ByteBuffer target = buf.nioBuffer(writerIndex, size);
                encodeInto(packet, version, target, publishHeaderOnly);
                if (target.hasRemaining()) {
                    throw new IllegalStateException("encoder wrote " + target.position() + " of " + size
                            + " bytes for " + packet.type());
                }
                buf.writerIndex(writerIndex + size);
            } else {
                // Never the case for an allocator's I/O buffer; kept for allocators that compose.
                ByteBuffer heap = ByteBuffer.allocate(size);
                encodeInto(packet, version, heap, publishHeaderOnly);
                buf.writeBytes(heap.flip());
            }
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    private static void encodeInto(MqttPacket packet, ProtocolVersion version, ByteBuffer target,
                                   boolean publishHeaderOnly) {
        if (publishHeaderOnly) {
            MqttEncoder.encodePublishHeader((Publish) packet, version, target);
        } else {
            MqttEncoder.encode(packet, version, target);
        }
    }
}
