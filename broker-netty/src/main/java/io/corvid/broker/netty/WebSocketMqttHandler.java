package io.corvid.broker.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between Netty's WebSocket protocol handler and the MQTT decoder: MQTT over WebSocket is a
 * byte stream carried in binary frames, so this handler
 * <ul>
 *   <li>passes the payload of every binary frame (and its continuation frames) on as plain
 *       bytes: the MQTT decoder reassembles packets split across frames and splits frames that
 *       carry several packets, exactly as it does for TCP reads;</li>
 *   <li>closes the connection with status 1003 (unsupported data) on a text frame;</li>
 *   <li>wraps every outgoing buffer in a binary frame;</li>
 *   <li>answers 404 to an HTTP request for another path, and closes;</li>
 *   <li>sends a close frame (1000) before the connection closes, once it was upgraded, and
 *       closes when it is written (or after {@link #CLOSE_FRAME_TIMEOUT_MILLIS}).</li>
 * </ul>
 * Pings, pongs and the client's close frames are handled by Netty's protocol handler before
 * this one.
 */
final class WebSocketMqttHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketMqttHandler.class);

    /** How long a close waits for the close frame to be written. */
    static final long CLOSE_FRAME_TIMEOUT_MILLIS = 1_000;

    private final String listenerName;
    private final String path;
    private boolean upgraded;
    private boolean closeFrameSent;

    WebSocketMqttHandler(String listenerName, String path) {
        this.listenerName = listenerName;
        this.path = path;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            // The frame's content is the frame's only resource: passing it on passes ownership.
            ctx.fireChannelRead(((WebSocketFrame) msg).content());
        } else if (msg instanceof TextWebSocketFrame) {
            ReferenceCountUtil.release(msg);
            LOG.info("Connection from {} on WebSocket listener {} sent a text frame; MQTT needs binary frames. "
                    + "Closing it", ctx.channel().remoteAddress(), listenerName);
            closeWith(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE);
        } else if (msg instanceof HttpRequest request && request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            LOG.info("Connection from {} on WebSocket listener {} did not send an HTTP request (a plain MQTT client "
                    + "on the WebSocket port?): {}; closing it", ctx.channel().remoteAddress(), listenerName,
                    request.decoderResult().cause().getMessage());
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "Bad request\n");
        } else if (msg instanceof HttpRequest request) {
            // The protocol handler passes on what is not an upgrade request for our path.
            LOG.debug("HTTP request for {} from {} on WebSocket listener {} (path {}): 404",
                    request.uri(), ctx.channel().remoteAddress(), listenerName, path);
            ReferenceCountUtil.release(msg);
            respond(ctx, HttpResponseStatus.NOT_FOUND, "MQTT over WebSocket is served at " + path + "\n");
        } else {
            // Anything else (the rest of a request body) means nothing to MQTT.
            ReferenceCountUtil.release(msg);
        }
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** A broken frame (too large, unmasked, bad UTF-8 ...): Netty already sent the close frame. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            LOG.info("WebSocket protocol error from {} on listener {}: {}; closing the connection",
                    ctx.channel().remoteAddress(), listenerName, cause.getMessage());
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
            upgraded = true;
            LOG.debug("WebSocket upgrade of the connection from {} on listener {}: path {}, subprotocol {}",
                    ctx.channel().remoteAddress(), listenerName, handshake.requestUri(),
                    handshake.selectedSubprotocol());
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            if (!upgraded) {
                // The engine writes only in answer to packets, which come after the upgrade.
                LOG.debug("Dropped {} bytes for {} written before the WebSocket upgrade", buf.readableBytes(),
                        ctx.channel().remoteAddress());
                buf.release();
                promise.setSuccess();
                return;
            }
            ctx.write(new BinaryWebSocketFrame(buf), promise);
        } else {
            // Empty buffers (the engine's "written so far" marker), HTTP responses and frames pass as they are.
            ctx.write(msg, promise);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!upgraded || closeFrameSent || !ctx.channel().isActive()) {
            ctx.close(promise);
            return;
        }
        closeFrameSent = true;
        // Close once the close frame is written (writes may complete later than the flush, as on
        // io_uring), or after a short wait for a peer that does not read.
        boolean[] closing = {false};
        Runnable closeOnce = () -> {
            if (!closing[0]) {
                closing[0] = true;
                ctx.close(promise);
            }
        };
        ScheduledFuture<?> timeout = ctx.executor().schedule(closeOnce, CLOSE_FRAME_TIMEOUT_MILLIS,
                TimeUnit.MILLISECONDS);
        ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE)).addListener(written -> {
            timeout.cancel(false);
            closeOnce.run();
        });
    }

    private void closeWith(ChannelHandlerContext ctx, WebSocketCloseStatus status) {
        if (!closeFrameSent && ctx.channel().isActive()) {
            closeFrameSent = true;
            ctx.writeAndFlush(new CloseWebSocketFrame(status)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}
