package io.corvid.broker.cluster.hazelcast;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node-to-node message path: a server that takes messages from peers, and a
 * {@link PeerLink} to each peer for the messages this node sends. Hazelcast is not on this path:
 * it only tells the cluster who the peers are and where they listen.
 */
final class DataPlane implements AutoCloseable, Forwarder.Links {
    private final String clusterName;
    private final String localNode;
    private final long peerQueueBytes;
    private final EventLoopGroup group;
    private final Bootstrap clientBootstrap;
    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** Inbound connections closed for a bad HELLO (another cluster, another protocol version) or a bad frame. */
    private final AtomicLong refused = new AtomicLong();
    private final byte[] hello;
    private Channel server;

    /** What this node does with each message a peer sends: called on that peer's connection's event loop, in order. */
    @FunctionalInterface
    interface Receiver {
        void receive(FrameCodec.Inbound inbound);
    }

    DataPlane(String clusterName, String localNode, int threads, long peerQueueBytes) {
        this.clusterName = clusterName;
        this.localNode = localNode;
        this.peerQueueBytes = peerQueueBytes;
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("corvid-cluster-data", true),
                NioIoHandler.newFactory());
        this.hello = FrameCodec.hello(clusterName, localNode);
        this.clientBootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                // The queue in front of the socket is PeerQueue's, bounded in bytes; Netty's own
                // buffer stops taking batches above 1 MiB.
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024));
    }

    /**
     * Binds the server that peers send to.
     *
     * @return the address as bound (port 0 tells the real port)
     */
    InetSocketAddress start(String host, int port, Receiver receiver) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(FrameCodec.MAX_BODY, 0,
                                        FrameCodec.LENGTH_FIELD, 0, FrameCodec.LENGTH_FIELD))
                                .addLast(new InboundHandler(clusterName, localNode, receiver, received, refused));
                    }
                });
        server = bootstrap.bind(host, port).sync().channel();
        return (InetSocketAddress) server.localAddress();
    }

    /** Opens a link to a peer unless one is open already. */
    void connect(String node, InetSocketAddress address) {
        links.computeIfAbsent(node, n -> {
            PeerLink link = new PeerLink(n, address, clientBootstrap, group.next(),
                    new PeerQueue(n, peerQueueBytes, dropped), hello, forwarded);
            link.open();
            return link;
        });
    }

    /** Closes the link to a peer that left. */
    void disconnect(String node) {
        PeerLink link = links.remove(node);
        if (link != null) {
            link.close();
        }
    }

    /** Queues a frame body for a peer; false when there is no link to it or its queue is full. */
    @Override
    public boolean send(String node, byte[] frame) {
        PeerLink link = links.get(node);
        if (link == null) {
            dropped.incrementAndGet(); // A route to a node whose membership this node has not seen (yet or any more).
            return false;
        }
        return link.send(frame);
    }

    /** The peers this node has links to. */
    @Override
    public Set<String> peers() {
        return links.keySet();
    }

    /** Whether the link to {@code node} is connected. */
    @Override
    public boolean isConnected(String node) {
        PeerLink link = links.get(node);
        return link != null && link.isConnected();
    }

    long forwarded() {
        return forwarded.get();
    }

    long received() {
        return received.get();
    }

    long dropped() {
        return dropped.get();
    }

    long refused() {
        return refused.get();
    }

    @Override
    public void close() {
        for (String node : links.keySet()) {
            disconnect(node);
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
