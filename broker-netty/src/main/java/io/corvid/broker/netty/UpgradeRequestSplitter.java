package io.corvid.broker.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Ahead of the HTTP codec of a WebSocket listener: hands the head of the first HTTP request
 * (request line and headers, through the blank line) to the codec apart from whatever follows
 * it in the same read, then leaves the pipeline.
 *
 * <p>A client may send its first WebSocket frame (the MQTT CONNECT) right behind the upgrade
 * request without waiting for the 101, and both then arrive in one read. Netty's HTTP codec,
 * given both, decodes the request and goes on parsing the frame's bytes as the next HTTP
 * request: it skips the frame's first byte (0x82, a control character to it) and the
 * WebSocket decoder, which the upgrade puts in front of the codec, never gets it. Handed the
 * request head alone, the codec passes it on and the upgrade rearranges the pipeline at once
 * (the aggregator and the handshake run within that read); the bytes after the head then go
 * out as a read of their own and reach the WebSocket decoder whole.
 *
 * <p>It only cuts reads in two, never changes a byte, so a request that is no upgrade (a 404,
 * a plain MQTT client on the port, a request body) reaches the codec exactly as before.
 */
final class UpgradeRequestSplitter extends ChannelInboundHandlerAdapter {
    private final int maxHeadBytes;
    private int scanned;
    /** Whether the bytes scanned so far end a line (LF, possibly followed by CR): one more LF ends the head. */
    private boolean atLineStart;

    /** @param maxHeadBytes past this many bytes without the end of a head, it steps aside (the codec rejects such a request) */
    UpgradeRequestSplitter(int maxHeadBytes) {
        this.maxHeadBytes = maxHeadBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int end = endOfHead(bytes);
        if (end < 0) {
            if (scanned > maxHeadBytes) {
                ctx.pipeline().remove(this);
            }
            ctx.fireChannelRead(bytes);
            return;
        }
        ByteBuf head = bytes.readRetainedSlice(end + 1 - bytes.readerIndex());
        // The upgrade happens while the head is read: what follows goes to the handlers it put in place.
        ctx.fireChannelRead(head);
        ctx.pipeline().remove(this);
        if (bytes.isReadable()) {
            ctx.fireChannelRead(bytes);
        } else {
            bytes.release();
        }
    }

    /** The index of the LF that ends the request head in {@code bytes}, or -1 if it is not in them. */
    private int endOfHead(ByteBuf bytes) {
        for (int i = bytes.readerIndex(); i < bytes.writerIndex(); i++) {
            scanned++;
            byte b = bytes.getByte(i);
            if (b == '\n') {
                if (atLineStart) {
                    return i;
                }
                atLineStart = true;
            } else if (b != '\r') {
                atLineStart = false;
            }
        }
        return -1;
    }
}
