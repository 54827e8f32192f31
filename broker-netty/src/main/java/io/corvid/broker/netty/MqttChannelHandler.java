package io.corvid.broker.netty;

import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.transport.Connection;
import io.corvid.broker.transport.ConnectionAcceptor;
import io.corvid.broker.transport.ConnectionHandler;
import io.corvid.broker.transport.TransportInfo;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge between one Netty channel and the engine: it is the engine's {@link Connection}
 * and calls the engine's {@link ConnectionHandler} as packets, decode errors, writability
 * changes and the close arrive. The last handler of the pipeline, after
 * {@link MqttFrameDecoder}.
 *
 * <p>Everything here runs on the channel's event loop, which is also the thread the engine
 * calls the {@link Connection} methods on; no state needs to be shared across threads.
 */
final class MqttChannelHandler extends ChannelInboundHandlerAdapter implements Connection {
    private static final Logger LOG = LoggerFactory.getLogger(MqttChannelHandler.class);

    /**
     * How long {@link #close()} waits for queued bytes to reach a peer that does not read,
     * before closing anyway.
     */
    static final long CLOSE_TIMEOUT_MILLIS = 10_000;

    private static final Cancellable NOT_SCHEDULED = () -> { };

    private final ConnectionAcceptor acceptor;
    /** What the plain path is; for TLS, what it is until the handshake is done. */
    private final TransportInfo transportInfo;
    /** Whether the connection is TLS, so that its TransportInfo comes from the TLS session. */
    private final boolean secure;
    private final boolean identityAsUsername;
    /** The TLS TransportInfo, made once the handshake is done. */
    private TransportInfo sessionInfo;
    private ChannelHandlerContext ctx;
    private Channel channel;
    private SocketAddress remoteAddress;
    private ConnectionHandler handler;
    /** The decoder before this handler, which counts the bytes read. */
    private MqttFrameDecoder decoder;
    /** Bytes written since the last report to the engine (reported at each flush). */
    private long unreportedWritten;
    /** Set by close(): the engine is done with this connection; nothing more is read. */
    private boolean closing;
    /** Set once onClosed was reported; no engine call follows it. */
    private boolean closed;
    /** The error that is ending the connection, reported with onClosed. */
    private Throwable closeCause;
    private ScheduledFuture<?> closeTimeout;

    /** A handler for a plain connection, which always reports {@code transportInfo}. */
    MqttChannelHandler(ConnectionAcceptor acceptor, TransportInfo transportInfo) {
        this(acceptor, transportInfo, false, false);
    }

    private MqttChannelHandler(ConnectionAcceptor acceptor, TransportInfo transportInfo, boolean secure,
                               boolean identityAsUsername) {
        this.acceptor = acceptor;
        this.transportInfo = transportInfo;
        this.secure = secure;
        this.identityAsUsername = identityAsUsername;
    }

    /**
     * A handler for a connection behind an SslHandler: its {@link TransportInfo} carries the
     * client's certificates once the handshake is done.
     *
     * @param identityAsUsername whether the client certificate's subject becomes the user name
     */
    static MqttChannelHandler secure(ConnectionAcceptor acceptor, String listenerName, boolean identityAsUsername) {
        return new MqttChannelHandler(acceptor, new TransportInfo(listenerName, true, List.of(), null), true,
                identityAsUsername);
    }

    // ------------------------------------------------------------ Netty events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Kept, because a closed channel may no longer know its peer and the engine logs it after the close.
        remoteAddress = channel.remoteAddress();
        decoder = ctx.pipeline().get(MqttFrameDecoder.class);
        try {
            handler = acceptor.accept(this);
        } catch (RuntimeException e) {
            LOG.warn("The engine failed to accept a connection from {}; closing it", remoteAddress, e);
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (handler == null || closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof MqttPacket packet) {
            handler.onPacket(packet);
        } else if (msg instanceof DecodeFailure failure) {
            LOG.debug("Decode error from {}: {}", remoteAddress(), failure.error());
            handler.onDecodeError(failure.error(), failure.version());
        } else {
            LOG.warn("Unexpected {} in the MQTT pipeline of {}; dropped", msg.getClass().getName(), remoteAddress());
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (handler != null && decoder != null) {
            long read = decoder.takeBytesRead();
            if (read > 0) {
                handler.onTraffic(read, 0);
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (handler != null && !closed) {
            handler.onWritabilityChanged(channel.isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (closeTimeout != null) {
            closeTimeout.cancel(false);
        }
        if (handler != null && !closed) {
            closed = true;
            reportWritten();
            handler.onClosed(closeCause);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        boolean network = cause instanceof IOException
                || cause instanceof DecoderException && cause.getCause() instanceof IOException;
        if (network) {
            // Resets and broken pipes are how networks end connections; not worth more than DEBUG.
            LOG.debug("I/O error on the connection from {}: {}", remoteAddress(), cause.toString());
        } else {
            LOG.warn("Unexpected error on the connection from {}; closing it", remoteAddress(), cause);
        }
        if (closeCause == null && !closed) {
            closeCause = cause;
        }
        ctx.close();
    }

    // ------------------------------------------------------------ Connection

    @Override
    public void write(MqttPacket packet, ProtocolVersion version) {
        assert channel.eventLoop().inEventLoop() : "write outside the connection's event loop";
        if (closed || !channel.isOpen()) {
            // The engine learns of the close from onClosed; bytes for a dead socket go nowhere.
            LOG.debug("Dropped {} for the closed connection from {}", packet.type(), remoteAddress());
            return;
        }
        unreportedWritten += PacketWriter.write(ctx, packet, version);
    }

    @Override
    public void flush() {
        assert channel.eventLoop().inEventLoop() : "flush outside the connection's event loop";
        reportWritten();
        ctx.flush();
    }

    @Override
    public void close() {
        assert channel.eventLoop().inEventLoop() : "close outside the connection's event loop";
        if (closing) {
            return;
        }
        closing = true;
        // Whatever the peer sends from now on is not wanted.
        channel.config().setAutoRead(false);
        if (!channel.isActive()) {
            ctx.close();
            return;
        }
        if (!channel.isWritable()) {
            // The peer is not reading what is already queued (a slow consumer being shed): the
            // last packet would wait behind it for nothing; close at once.
            ctx.flush();
            ctx.close();
            return;
        }
        // The empty write completes once everything queued before it is written; then close.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        closeTimeout = ctx.executor().schedule(this::closeNow, CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void reportWritten() {
        if (unreportedWritten > 0 && handler != null) {
            handler.onTraffic(0, unreportedWritten);
            unreportedWritten = 0;
        }
    }

    private void closeNow() {
        if (channel.isOpen()) {
            LOG.debug("The connection from {} did not take its last bytes within {} ms; closing it",
                    remoteAddress(), CLOSE_TIMEOUT_MILLIS);
            ctx.close();
        }
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        if (enabled && closing) {
            return;
        }
        // Turning auto-read back on also asks the channel for the next read.
        channel.config().setAutoRead(enabled);
    }

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            ScheduledFuture<?> future = channel.eventLoop().schedule(task, delay, unit);
            return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down and will close this connection; the timer is moot.
            return NOT_SCHEDULED;
        }
    }

    /** The client's address: from the PROXY protocol header where the listener takes one, else the socket's. */
    @Override
    public SocketAddress remoteAddress() {
        // hasAttr first: attr() would make the attribute (48 bytes a connection) on a channel that has none.
        if (channel.hasAttr(ProxyProtocolHandler.PROXIED_REMOTE_ADDRESS)) {
            SocketAddress proxied = channel.attr(ProxyProtocolHandler.PROXIED_REMOTE_ADDRESS).get();
            if (proxied != null) {
                return proxied;
            }
        }
        return remoteAddress != null ? remoteAddress : channel.remoteAddress();
    }

    /**
     * What the engine may know about the path. For TLS it is read from the session once the
     * handshake is done (a CONNECT can only arrive after it): the client's certificate chain,
     * and its subject (RFC 2253) as the user name when the listener says so.
     */
    @Override
    public TransportInfo transportInfo() {
        if (!secure) {
            return transportInfo;
        }
        if (sessionInfo == null) {
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
                return transportInfo;
            }
            sessionInfo = TlsIdentity.transportInfo(transportInfo.listenerName(), ssl.engine().getSession(),
                    identityAsUsername);
        }
        return sessionInfo;
    }

    @Override
    public String toString() {
        return "MqttConnection[" + remoteAddress() + " via " + transportInfo.listenerName() + "]";
    }
}
