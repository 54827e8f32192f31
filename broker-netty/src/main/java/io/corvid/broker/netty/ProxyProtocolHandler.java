package io.corvid.broker.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PROXY protocol (v1 text or v2 binary, as HAProxy and most load balancers send it) at the
 * start of a connection: the client's real address replaces the load balancer's as the
 * connection's {@code remoteAddress()}.
 *
 * <p>{@link #addTo} puts three handlers first in the pipeline: a signature check that rejects a
 * connection as soon as its first bytes cannot be a PROXY header (without it, Netty's decoder
 * would wait for up to 108 bytes of a line that never ends), Netty's
 * {@link HAProxyMessageDecoder}, and this handler, which takes the decoded header. Each
 * removes itself when its work is done, so that the rest of the connection pays nothing. A
 * malformed header is logged at INFO and closes that connection only.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    /** The client's address as the PROXY header gave it; read by {@link MqttChannelHandler#remoteAddress()}. */
    static final AttributeKey<SocketAddress> PROXIED_REMOTE_ADDRESS =
            AttributeKey.valueOf(ProxyProtocolHandler.class, "proxiedRemoteAddress");

    private static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2_SIGNATURE = {
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
    };

    private final String listenerName;
    private boolean rejected;

    private ProxyProtocolHandler(String listenerName) {
        this.listenerName = listenerName;
    }

    /** Adds the PROXY protocol handlers at the end of {@code pipeline} (which should be empty so far). */
    static void addTo(ChannelPipeline pipeline, String listenerName) {
        ProxyProtocolHandler handler = new ProxyProtocolHandler(listenerName);
        pipeline.addLast("proxy-signature", handler.new SignatureCheck())
                .addLast("proxy-decoder", new HAProxyMessageDecoder(true))
                .addLast("proxy", handler);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            SocketAddress source = sourceOf(header);
            if (source != null) {
                ctx.channel().attr(PROXIED_REMOTE_ADDRESS).set(source);
                LOG.debug("PROXY header on listener {}: client {} via {}", listenerName, source,
                        ctx.channel().remoteAddress());
            } else {
                LOG.debug("PROXY header on listener {} without a client address ({} {}); keeping {}", listenerName,
                        header.command(), header.proxiedProtocol(), ctx.channel().remoteAddress());
            }
        } finally {
            ReferenceCountUtil.release(header);
        }
        ctx.pipeline().remove(this);
    }

    /** The TCP source address of a PROXY header, or {@code null} for LOCAL, UNKNOWN and Unix sockets. */
    private static SocketAddress sourceOf(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY || header.sourceAddress() == null) {
            return null;
        }
        HAProxyProxiedProtocol protocol = header.proxiedProtocol();
        if (protocol.addressFamily() != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                && protocol.addressFamily() != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
            return null;
        }
        try {
            // An IP literal, which the decoder validated: no name lookup happens here.
            return new InetSocketAddress(InetAddress.getByName(header.sourceAddress()), header.sourcePort());
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof HAProxyProtocolException || cause.getCause() instanceof HAProxyProtocolException) {
            rejected(ctx, cause.getMessage());
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    private void rejected(ChannelHandlerContext ctx, String why) {
        if (!rejected) {
            rejected = true;
            LOG.info("Malformed PROXY protocol header from {} on listener {}: {}; closing the connection",
                    ctx.channel().remoteAddress(), listenerName, why);
        }
        ctx.close();
    }

    /**
     * Checks the first bytes against the v1 and v2 signatures, byte by byte as they arrive, and
     * rejects the connection at the first byte that matches neither.
     */
    private final class SignatureCheck extends ChannelInboundHandlerAdapter {
        private int checked;
        private boolean v1Possible = true;
        private boolean v2Possible = true;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                for (int i = buf.readerIndex(); i < buf.writerIndex() && !decided(); i++, checked++) {
                    byte b = buf.getByte(i);
                    v1Possible &= checked < V1_SIGNATURE.length && V1_SIGNATURE[checked] == b;
                    v2Possible &= checked < V2_SIGNATURE.length && V2_SIGNATURE[checked] == b;
                    if (!v1Possible && !v2Possible) {
                        buf.release();
                        LOG.info("Connection from {} on listener {} did not start with a PROXY protocol header; "
                                + "closing it", ctx.channel().remoteAddress(), listenerName);
                        ctx.close();
                        return;
                    }
                }
                if (decided()) {
                    ctx.pipeline().remove(this);
                }
            }
            ctx.fireChannelRead(msg);
        }

        /** Whether one whole signature matched. */
        private boolean decided() {
            return (v1Possible && checked >= V1_SIGNATURE.length) || (v2Possible && checked >= V2_SIGNATURE.length);
        }
    }
}
