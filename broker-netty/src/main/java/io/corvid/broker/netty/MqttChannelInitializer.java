package io.corvid.broker.netty;

import io.corvid.broker.Listener;
import io.corvid.broker.transport.ConnectionAcceptor;
import io.corvid.broker.transport.TransportInfo;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import java.util.Set;

/**
 * Builds the pipeline of every connection one listener accepts. In order, each part present
 * only when the listener needs it:
 * <ol>
 *   <li>the connection limits: a connection over the listener's or the broker's limit is closed
 *       here, before anything is read, and gets no pipeline at all;</li>
 *   <li>PROXY protocol ({@link ProxyProtocolHandler}): the real client address;</li>
 *   <li>TLS: Netty's SslHandler with {@link TlsHandshakeHandler} around it;</li>
 *   <li>WebSocket: {@link UpgradeRequestSplitter} (frames sent with the upgrade request reach
 *       the WebSocket decoder whole), HTTP codec, upgrade on the listener's path with subprotocol {@code mqtt}
 *       (or {@code mqttv3.1}), frames bounded by the maximum packet size, and
 *       {@link WebSocketMqttHandler} to turn binary frames into bytes and back;</li>
 *   <li>MQTT: {@link MqttFrameDecoder} and {@link MqttChannelHandler}, the bridge to the engine.</li>
 * </ol>
 * It also keeps the transport's set of open connections, so that
 * {@link NettyTransport#stop()} can close them.
 */
@ChannelHandler.Sharable
final class MqttChannelInitializer extends ChannelInitializer<Channel> {
    /** WebSocket subprotocols offered: "mqtt" (MQTT 3.1.1 and 5.0) and "mqttv3.1" (MQTT 3.1). */
    static final String WEBSOCKET_SUBPROTOCOLS = "mqtt,mqttv3.1";
    /** The largest HTTP upgrade request, headers included, before the upgrade. */
    static final int MAX_HTTP_REQUEST_SIZE = 8 * 1024;

    private final ConnectionAcceptor acceptor;
    private final Listener listener;
    private final int maximumPacketSize;
    private final SslContext sslContext;
    private final ConnectionLimits.Listener limits;
    private final Set<Channel> openChannels;
    private final TransportInfo plainInfo;
    /** One listener for every channel's close, rather than a lambda per channel held while it is open. */
    private final ChannelFutureListener onClose;

    /**
     * @param sslContext the listener's TLS context, or {@code null} for a plain listener
     */
    MqttChannelInitializer(ConnectionAcceptor acceptor, Listener listener, int maximumPacketSize,
                           SslContext sslContext, ConnectionLimits.Listener limits, Set<Channel> openChannels) {
        this.acceptor = acceptor;
        this.listener = listener;
        this.maximumPacketSize = maximumPacketSize;
        this.sslContext = sslContext;
        this.limits = limits;
        this.openChannels = openChannels;
        this.plainInfo = TransportInfo.plain(listener.name());
        this.onClose = future -> {
            openChannels.remove(future.channel());
            limits.release();
        };
    }

    @Override
    protected void initChannel(Channel channel) {
        if (!limits.tryAcquire(channel.remoteAddress())) {
            channel.close();
            return;
        }
        openChannels.add(channel);
        channel.closeFuture().addListener(onClose);
        ChannelPipeline pipeline = channel.pipeline();
        if (listener.proxyProtocol()) {
            ProxyProtocolHandler.addTo(pipeline, listener.name());
        }
        if (sslContext != null) {
            TlsHandshakeHandler handshake = new TlsHandshakeHandler(listener.name());
            pipeline.addLast("tls-bytes", handshake.byteCounter())
                    .addLast("tls", sslContext.newHandler(channel.alloc()))
                    .addLast("tls-handshake", handshake);
        }
        if (listener.webSocketPath() != null) {
            addWebSocket(pipeline);
        }
        pipeline.addLast("mqtt-decoder", new MqttFrameDecoder(maximumPacketSize))
                .addLast("mqtt-connection", sslContext != null
                        ? MqttChannelHandler.secure(acceptor, listener.name(), listener.tls().useIdentityAsUsername())
                        : new MqttChannelHandler(acceptor, plainInfo));
    }

    private void addWebSocket(ChannelPipeline pipeline) {
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(listener.webSocketPath())
                // "/mqtt", "/mqtt?token=..." and "/mqtt/..." upgrade; "/mqttx" does not.
                .checkStartsWith(true)
                .subprotocols(WEBSOCKET_SUBPROTOCOLS)
                .handleCloseFrames(true)
                // WebSocketMqttHandler sends the close frame, and only once the connection is upgraded.
                .sendCloseFrame(null)
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        // One frame is buffered whole before it is passed on: bound it like a packet.
                        .maxFramePayloadLength(maximumPacketSize)
                        .expectMaskedFrames(true)
                        .allowMaskMismatch(false)
                        .allowExtensions(false)
                        .closeOnProtocolViolation(true)
                        .build())
                .build();
        pipeline.addLast("http-head", new UpgradeRequestSplitter(MAX_HTTP_REQUEST_SIZE))
                .addLast("http", new HttpServerCodec())
                .addLast("http-aggregator", new HttpObjectAggregator(MAX_HTTP_REQUEST_SIZE))
                .addLast("ws", new WebSocketServerProtocolHandler(config))
                .addLast("ws-mqtt", new WebSocketMqttHandler(listener.name(), listener.webSocketPath()));
    }
}
