package io.corvid.broker.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right after the {@link SslHandler} and turns the ways a TLS handshake ends into one
 * clear log line and a clean close, so that the rest of the pipeline (and the engine) never
 * sees TLS errors as unexpected failures:
 * <ul>
 *   <li>a plain-TCP client on the TLS port (the first bytes are no TLS record),</li>
 *   <li>a client that closes in the middle of the handshake,</li>
 *   <li>a handshake that does not finish in time,</li>
 *   <li>a refused handshake (no common version or cipher, a missing or untrusted client certificate).</li>
 * </ul>
 * These are logged at INFO, with the client's address. A connection that closes before sending
 * a single byte (a port probe, a load balancer's health check) is logged at DEBUG only.
 *
 * <p>After a successful handshake, a TLS error (a corrupt record) is passed on as the
 * {@link SSLException} it is, so that it ends the connection like any other I/O error.
 */
final class TlsHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TlsHandshakeHandler.class);

    private final String listenerName;
    private long bytesReceived;
    /** Whether TLS bytes, and plaintext, arrived since the last read completed. */
    private boolean bytesSinceReadComplete;
    private boolean plaintextSinceReadComplete;
    private boolean handshakeDone;
    private boolean handshakeFailed;

    TlsHandshakeHandler(String listenerName) {
        this.listenerName = listenerName;
    }

    /** The handler to put before the SslHandler: it counts the raw bytes received. */
    ChannelHandler byteCounter() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf) {
                    bytesReceived += buf.readableBytes();
                    bytesSinceReadComplete = true;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        plaintextSinceReadComplete = true;
        ctx.fireChannelRead(msg);
    }

    /**
     * After a read that brought TLS bytes but no plaintext, flushes: the OpenSSL engine keeps
     * the error of a bad record (and the alert it owes the peer) until its next wrap, and
     * without one such a connection would hang until a timeout. A flush with nothing queued
     * is such a wrap. Ordinary traffic brings plaintext and pays nothing.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (handshakeDone && bytesSinceReadComplete && !plaintextSinceReadComplete && ctx.channel().isActive()) {
            ctx.flush();
        }
        bytesSinceReadComplete = false;
        plaintextSinceReadComplete = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent completion) {
            if (completion.isSuccess()) {
                handshakeDone = true;
                if (LOG.isDebugEnabled()) {
                    SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
                    LOG.debug("TLS handshake with {} on listener {} done: {}, {}", ctx.channel().remoteAddress(),
                            listenerName, session.getProtocol(), session.getCipherSuite());
                }
            } else if (!handshakeFailed) {
                handshakeFailed = true;
                logFailure(ctx, completion.cause());
                ctx.close();
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void logFailure(ChannelHandlerContext ctx, Throwable cause) {
        Object peer = ctx.channel().remoteAddress();
        if (cause instanceof ClosedChannelException) {
            if (bytesReceived == 0) {
                LOG.debug("Connection from {} on TLS listener {} closed before sending anything", peer, listenerName);
            } else {
                LOG.info("Connection from {} on TLS listener {} closed by the client during the TLS handshake",
                        peer, listenerName);
            }
        } else if (cause instanceof NotSslRecordException) {
            LOG.info("Connection from {} on TLS listener {} sent bytes that are not TLS (a plain MQTT client on "
                    + "the TLS port?); closing it", peer, listenerName);
        } else if (cause instanceof SslHandshakeTimeoutException) {
            LOG.info("Connection from {} on TLS listener {} did not finish the TLS handshake in time ({}); closing it",
                    peer, listenerName, cause.getMessage());
        } else {
            LOG.info("TLS handshake with {} on listener {} failed: {}; closing the connection", peer, listenerName,
                    describe(cause));
        }
    }

    private static String describe(Throwable cause) {
        StringBuilder text = new StringBuilder(String.valueOf(cause.getMessage()));
        Throwable inner = cause.getCause();
        if (inner != null && inner != cause && inner.getMessage() != null
                && !text.toString().contains(inner.getMessage())) {
            text.append(" (").append(inner.getMessage()).append(')');
        }
        return text.toString();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        SSLException tlsError = tlsError(cause);
        if (tlsError == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (handshakeFailed || !handshakeDone) {
            // Already logged with the handshake's outcome (which the SslHandler reports first).
            LOG.debug("TLS error on the connection from {}: {}", ctx.channel().remoteAddress(), tlsError.toString());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(tlsError);
    }

    /** The TLS error in {@code cause} (as thrown, or wrapped by a decoder), or {@code null}. */
    private static SSLException tlsError(Throwable cause) {
        if (cause instanceof SSLException ssl) {
            return ssl;
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException ssl) {
            return ssl;
        }
        return null;
    }
}
