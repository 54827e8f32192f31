package io.corvid.broker.benchmarks.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The generator's Netty side: a few event loops (native epoll where it loads) and a bootstrap
 * for {@link NettyMqttConnection}s.
 */
public final class NettyClients implements AutoCloseable {
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;
    private final String transport;
    private final int threads;

    /** @param threads event loop threads; 0 for one per core */
    public NettyClients(int threads) {
        int count = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.threads = count;
        IoHandlerFactory factory;
        if (epollAvailable()) {
            factory = EpollIoHandler.newFactory();
            channelClass = EpollSocketChannel.class;
            transport = "epoll";
        } else {
            factory = NioIoHandler.newFactory();
            channelClass = NioSocketChannel.class;
            transport = "nio";
        }
        group = new MultiThreadIoEventLoopGroup(count, new DefaultThreadFactory("loadgen-io", true), factory);
    }

    private static boolean epollAvailable() {
        try {
            return Epoll.isAvailable();
        } catch (LinkageError e) {
            return false;
        }
    }

    /** "epoll" or "nio". */
    public String transport() {
        return transport;
    }

    /** The number of event loop threads. */
    public int threads() {
        return threads;
    }

    /** The event loops, for work that is not tied to a connection. */
    public EventLoopGroup group() {
        return group;
    }

    /**
     * Opens a TCP connection whose pipeline is {@code connection}; the connection sends CONNECT
     * when the socket is up.
     *
     * @param local the local address to bind, or null to let the system choose
     */
    public ChannelFuture connect(InetSocketAddress remote, InetSocketAddress local, NettyMqttConnection connection) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(connection);
                    }
                });
        if (local != null) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, true);
            return bootstrap.connect(remote, local);
        }
        return bootstrap.connect(remote);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
