package io.corvid.broker.netty;

import io.corvid.broker.transport.ConnectionAcceptor;
import io.corvid.broker.transport.TransportInfo;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import java.util.Set;

/**
 * Builds the pipeline of every connection a TCP listener accepts: {@link MqttFrameDecoder},
 * then {@link MqttChannelHandler}. It also keeps the transport's set of open connections, so
 * that {@link NettyTransport#stop()} can close them.
 */
@ChannelHandler.Sharable
final class MqttChannelInitializer extends ChannelInitializer<Channel> {
    private final ConnectionAcceptor acceptor;
    private final TransportInfo transportInfo;
    private final int maximumPacketSize;
    private final Set<Channel> openChannels;

    MqttChannelInitializer(ConnectionAcceptor acceptor, TransportInfo transportInfo, int maximumPacketSize,
                           Set<Channel> openChannels) {
        this.acceptor = acceptor;
        this.transportInfo = transportInfo;
        this.maximumPacketSize = maximumPacketSize;
        this.openChannels = openChannels;
    }

    @Override
    protected void initChannel(Channel channel) {
        openChannels.add(channel);
        channel.closeFuture().addListener(future -> openChannels.remove(channel));
        channel.pipeline()
                .addLast("mqtt-decoder", new MqttFrameDecoder(maximumPacketSize))
                .addLast("mqtt-connection", new MqttChannelHandler(acceptor, transportInfo));
    }
}
