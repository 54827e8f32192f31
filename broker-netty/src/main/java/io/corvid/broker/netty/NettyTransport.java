package io.corvid.broker.netty;

import io.corvid.broker.Listener;
import io.corvid.broker.transport.BoundListener;
import io.corvid.broker.transport.ConnectionAcceptor;
import io.corvid.broker.transport.Transport;
import io.corvid.broker.transport.TransportInfo;
import io.corvid.broker.transport.TransportSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty {@link Transport}: MQTT over TCP, on native epoll where it is available and NIO
 * elsewhere.
 *
 * <p>One boss thread ({@code corvid-boss-1}) accepts connections; the I/O threads
 * ({@code corvid-io-N}, by default one per processor) each own a share of the connections and
 * run the engine's work for them. {@link #stop()} releases every thread.
 *
 * <p>Set the system property {@value #FORCE_NIO_PROPERTY} to {@code true}, or use
 * {@link #NettyTransport(int, boolean)}, to use NIO where epoll would be available.
 *
 * <p>A transport serves one {@link #start} only; a stopped transport cannot start again.
 */
public final class NettyTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    /** System property that makes transports built with {@link #NettyTransport()} use NIO. */
    public static final String FORCE_NIO_PROPERTY = "corvid.netty.forceNio";

    /** Below this, the channel turns writable again (see {@code Connection.isWritable()}). */
    static final int WRITE_BUFFER_LOW_WATER_MARK = 32 * 1024;
    /** Above this, the channel turns unwritable and the engine holds back queued messages. */
    static final int WRITE_BUFFER_HIGH_WATER_MARK = 64 * 1024;

    private static final long BIND_TIMEOUT_MILLIS = 10_000;
    private static final long CLOSE_TIMEOUT_MILLIS = 2_000;
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 2_000;

    private enum State { NEW, STARTED, STOPPED }

    private final int ioThreadCount;
    private final boolean forceNio;
    private final Set<Channel> openChannels = ConcurrentHashMap.newKeySet();
    private final List<Channel> serverChannels = new ArrayList<>();
    private State state = State.NEW;
    private EventLoops loops;

    /**
     * A transport with one I/O thread per processor, on epoll where available unless the system
     * property {@value #FORCE_NIO_PROPERTY} is {@code true}.
     */
    public NettyTransport() {
        this(Runtime.getRuntime().availableProcessors(), Boolean.getBoolean(FORCE_NIO_PROPERTY));
    }

    /**
     * @param ioThreadCount the number of I/O threads, at least 1
     * @param forceNio      use NIO even where native epoll is available
     */
    public NettyTransport(int ioThreadCount, boolean forceNio) {
        if (ioThreadCount < 1) {
            throw new IllegalArgumentException("ioThreadCount must be positive: " + ioThreadCount);
        }
        this.ioThreadCount = ioThreadCount;
        this.forceNio = forceNio;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if a listener's protocol is not supported (nothing is bound)
     * @throws IllegalStateException    if the transport was already started
     * @throws IOException              if a listener cannot be bound; the address is in the
     *                                  message, and nothing stays bound
     */
    @Override
    public synchronized List<BoundListener> start(List<Listener> listeners, ConnectionAcceptor acceptor,
                                                  TransportSettings settings) throws IOException {
        Objects.requireNonNull(acceptor, "acceptor");
        Objects.requireNonNull(settings, "settings");
        if (state != State.NEW) {
            throw new IllegalStateException("a Netty transport can be started only once; it is " + state);
        }
        for (Listener listener : listeners) {
            if (listener.protocol() != Listener.Protocol.TCP) {
                throw new IllegalArgumentException("listener " + listener + ": protocol " + listener.protocol()
                        + " is not supported by the Netty transport for now");
            }
        }
        state = State.STARTED;
        loops = EventLoops.create(ioThreadCount, forceNio);
        LOG.info("Netty transport: {}, {} I/O threads", loops.description(), ioThreadCount);
        List<BoundListener> bound = new ArrayList<>(listeners.size());
        try {
            for (Listener listener : listeners) {
                bound.add(bind(listener, acceptor, settings));
            }
        } catch (IOException | RuntimeException e) {
            releaseAll();
            throw e;
        }
        return List.copyOf(bound);
    }

    private BoundListener bind(Listener listener, ConnectionAcceptor acceptor, TransportSettings settings)
            throws IOException {
        InetSocketAddress requested = new InetSocketAddress(listener.host(), listener.port());
        if (requested.isUnresolved()) {
            throw new IOException("cannot bind listener " + listener.name() + ": unknown host " + listener.host());
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.boss(), loops.workers())
                .channel(loops.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(WRITE_BUFFER_LOW_WATER_MARK, WRITE_BUFFER_HIGH_WATER_MARK))
                .childHandler(new MqttChannelInitializer(acceptor, TransportInfo.plain(listener.name()),
                        settings.maximumPacketSize(), openChannels));
        ChannelFuture binding = bootstrap.bind(requested);
        if (!binding.awaitUninterruptibly(BIND_TIMEOUT_MILLIS)) {
            binding.channel().close();
            throw new IOException("binding listener " + listener.name() + " to " + requested + " timed out");
        }
        if (!binding.isSuccess()) {
            Throwable cause = binding.cause();
            throw new IOException("cannot bind listener " + listener.name() + " to " + requested + ": "
                    + cause.getMessage(), cause);
        }
        Channel server = binding.channel();
        serverChannels.add(server);
        return new BoundListener(listener, (InetSocketAddress) server.localAddress());
    }

    @Override
    public synchronized void stopAccepting() {
        closeServerChannels();
    }

    @Override
    public synchronized void stop() {
        if (state == State.STOPPED) {
            return;
        }
        boolean started = state == State.STARTED;
        state = State.STOPPED;
        if (started) {
            releaseAll();
        }
    }

    /** Closes the listening sockets and every connection, then ends the event loops. */
    private void releaseAll() {
        state = State.STOPPED;
        closeServerChannels();
        closeConnections();
        if (loops != null) {
            loops.shutdown(SHUTDOWN_TIMEOUT_MILLIS);
        }
    }

    private void closeServerChannels() {
        boolean mayWait = loops != null && !loops.isEventLoopThread();
        for (Channel server : serverChannels) {
            ChannelFuture closed = server.close();
            if (mayWait) {
                closed.awaitUninterruptibly(CLOSE_TIMEOUT_MILLIS);
            }
        }
        serverChannels.clear();
    }

    private void closeConnections() {
        List<ChannelFuture> closing = new ArrayList<>(openChannels.size());
        for (Channel channel : openChannels) {
            closing.add(channel.close());
        }
        if (loops.isEventLoopThread()) {
            return; // waiting here would block the very loop that has to do the closing
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_TIMEOUT_MILLIS);
        for (ChannelFuture future : closing) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0 || !future.awaitUninterruptibly(left)) {
                LOG.warn("{} connections did not close within {} ms", openChannels.size(), CLOSE_TIMEOUT_MILLIS);
                return;
            }
        }
    }

    /** The event loop threads started so far, for tests. */
    synchronized List<Thread> threads() {
        return loops == null ? List.of() : loops.threads();
    }

    /** The open connections, for tests. */
    int openConnectionCount() {
        return openChannels.size();
    }
}
