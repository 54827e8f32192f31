package io.corvid.broker.cluster.hazelcast;

import io.corvid.broker.codec.MqttDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of one peer's connection, after the length-field decoder: checks the HELLO,
 * then hands each message to this node's receiver, which has the engine route it to local
 * sessions only. Runs
 * on the connection's event loop, so one peer's messages are delivered in the order they came.
 * A frame that breaks the protocol closes the connection (the peer reconnects).
 */
final class InboundHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(InboundHandler.class);

    private final String clusterName;
    private final String localNode;
    private final DataPlane.Receiver receiver;
    private final AtomicLong received;
    private final AtomicLong refusedConnections;
    private final MqttDecoder decoder = FrameCodec.newDecoder();
    /** The peer's node identifier, once its HELLO was accepted. */
    private String peer;
    /** Set when the connection broke the protocol: frames already read behind the bad one are ignored. */
    private boolean refused;

    InboundHandler(String clusterName, String localNode, DataPlane.Receiver receiver, AtomicLong received,
                   AtomicLong refusedConnections) {
        this.clusterName = clusterName;
        this.localNode = localNode;
        this.receiver = receiver;
        this.received = received;
        this.refusedConnections = refusedConnections;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (refused) {
                return;
            }
            if (peer == null) {
                accept(ctx, FrameCodec.readHello(frame.nioBuffer()));
            } else {
                FrameCodec.Inbound inbound = FrameCodec.readMessage(frame.nioBuffer(), decoder);
                received.incrementAndGet();
                receiver.receive(inbound);
            }
        } catch (IllegalArgumentException e) {
            refused = true;
            refusedConnections.incrementAndGet();
            LOG.warn("Closing the data connection from {}{}: {}", ctx.channel().remoteAddress(),
                    peer == null ? "" : " (node " + peer + ")", e.getMessage());
            ctx.close();
        } finally {
            frame.release();
        }
    }

    private void accept(ChannelHandlerContext ctx, FrameCodec.Hello hello) {
        if (hello.version() != FrameCodec.PROTOCOL_VERSION) {
            throw new IllegalArgumentException("data-plane protocol version " + hello.version() + ", this node speaks "
                    + FrameCodec.PROTOCOL_VERSION);
        }
        if (!hello.clusterName().equals(clusterName)) {
            throw new IllegalArgumentException("a node of cluster '" + hello.clusterName() + "', not '" + clusterName + "'");
        }
        if (hello.nodeId().equals(localNode)) {
            throw new IllegalArgumentException("a connection from this very node");
        }
        peer = hello.nodeId();
        LOG.debug("Node {} connected from {}", peer, ctx.channel().remoteAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("Data connection from {} failed; closing it", peer == null ? ctx.channel().remoteAddress() : peer, cause);
        ctx.close();
    }
}
