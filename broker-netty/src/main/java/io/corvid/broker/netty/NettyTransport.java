package io.corvid.broker.netty;

import io.corvid.broker.Listener;
import io.corvid.broker.TlsConfig;
import io.corvid.broker.transport.BoundListener;
import io.corvid.broker.transport.ConnectionAcceptor;
import io.corvid.broker.transport.Transport;
import io.corvid.broker.transport.TransportSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty {@link Transport}: MQTT over TCP, TLS, WebSocket, secure WebSocket and Unix domain
 * sockets, any number of listeners at once, on native epoll where it is available and NIO
 * elsewhere (io_uring on request).
 *
 * <p>One boss thread ({@code corvid-boss-1}) accepts connections for every listener; the I/O
 * threads ({@code corvid-io-N}, by default one per processor) each own a share of the
 * connections and run the engine's work for them. {@link #stop()} releases every thread.
 *
 * <p>The broker's {@link TransportSettings} choose the number of I/O threads, NIO or native,
 * the write buffer water marks and the global connection limit. Three system properties
 * override them for a whole JVM: {@value #FORCE_NIO_PROPERTY}{@code =true} forces NIO,
 * {@value #IO_URING_PROPERTY}{@code =true} prefers io_uring to epoll, and
 * {@value #FORCE_JDK_TLS_PROPERTY}{@code =true} uses the JDK's TLS engine where OpenSSL would
 * load.
 *
 * <p>A transport serves one {@link #start} only; a stopped transport cannot start again.
 */
public final class NettyTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    /** System property that makes every transport use NIO. */
    public static final String FORCE_NIO_PROPERTY = "corvid.netty.forceNio";
    /** System property that makes transports use io_uring instead of epoll where it works. */
    public static final String IO_URING_PROPERTY = "corvid.netty.ioUring";
    /** System property that makes transports use the JDK's TLS engine instead of OpenSSL. */
    public static final String FORCE_JDK_TLS_PROPERTY = "corvid.netty.forceJdkTls";

    private static final long BIND_TIMEOUT_MILLIS = 10_000;
    /**
     * Socket reads per connection per event-loop turn. With reads of up to 64 KiB, a client
     * flooding at full speed hands at most 256 KiB of packets to its loop before the loop's
     * other connections get their turn (Netty's default of 16 reads lets it take 1 MiB).
     */
    static final int MAX_READS_PER_TURN = 4;
    private static final long CLOSE_TIMEOUT_MILLIS = 2_000;
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 2_000;

    private enum State { NEW, STARTED, STOPPED }

    private final int ioThreadCount;
    private final EventLoops.Choice loopChoice;
    private final boolean forceJdkTls;
    private final Set<Channel> openChannels = ConcurrentHashMap.newKeySet();
    private final List<Channel> serverChannels = new ArrayList<>();
    private final List<Path> socketFiles = new ArrayList<>();
    private final List<ConnectionLimits.Listener> listenerLimits = new ArrayList<>();
    private final List<AcceptPacer> acceptPacers = new ArrayList<>();
    private State state = State.NEW;
    private EventLoops loops;
    private TlsContexts.Engine tlsEngine;
    private volatile ConnectionLimits limits = new ConnectionLimits(Integer.MAX_VALUE);

    /**
     * A transport that takes its I/O threads and NIO-or-native choice from the broker's
     * {@link TransportSettings}, within what the system properties allow.
     */
    public NettyTransport() {
        this(0, false);
    }

    /**
     * @param ioThreadCount the number of I/O threads; 0 takes the broker's setting (by default one
     *                      per processor)
     * @param forceNio      use NIO even where a native transport is available
     */
    public NettyTransport(int ioThreadCount, boolean forceNio) {
        this(ioThreadCount, forceNio ? EventLoops.Choice.NIO : null, Boolean.getBoolean(FORCE_JDK_TLS_PROPERTY));
    }

    /**
     * @param loopChoice  the I/O mechanism, or {@code null} for the settings and system properties to decide
     * @param forceJdkTls use the JDK's TLS engine even where OpenSSL loads
     */
    NettyTransport(int ioThreadCount, EventLoops.Choice loopChoice, boolean forceJdkTls) {
        if (ioThreadCount < 0) {
            throw new IllegalArgumentException("ioThreadCount must not be negative: " + ioThreadCount);
        }
        this.ioThreadCount = ioThreadCount;
        this.loopChoice = loopChoice;
        this.forceJdkTls = forceJdkTls;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the transport was already started
     * @throws IOException           if a listener cannot be bound, or its TLS key or certificates cannot
     *                               be read; the listener is in the message, and nothing stays bound
     */
    @Override
    public synchronized List<BoundListener> start(List<Listener> listeners, ConnectionAcceptor acceptor,
                                                  TransportSettings settings) throws IOException {
        Objects.requireNonNull(acceptor, "acceptor");
        Objects.requireNonNull(settings, "settings");
        if (state != State.NEW) {
            throw new IllegalStateException("a Netty transport can be started only once; it is " + state);
        }
        // TLS contexts first: a bad key store fails the start before any thread or socket exists.
        Map<Listener, SslContext> sslContexts = sslContexts(listeners);
        state = State.STARTED;
        int threads = ioThreadCount > 0 ? ioThreadCount
                : settings.ioThreads() > 0 ? settings.ioThreads() : Runtime.getRuntime().availableProcessors();
        loops = EventLoops.create(threads, choice(settings));
        limits = new ConnectionLimits(settings.maxConnections());
        LOG.info("Netty transport: {}, {} I/O threads", loops.description(), threads);
        List<BoundListener> bound = new ArrayList<>(listeners.size());
        try {
            for (Listener listener : listeners) {
                bound.add(bind(listener, acceptor, settings, sslContexts.get(listener)));
            }
        } catch (IOException | RuntimeException e) {
            releaseAll();
            throw e;
        }
        return List.copyOf(bound);
    }

    private EventLoops.Choice choice(TransportSettings settings) {
        if (loopChoice != null) {
            return loopChoice;
        }
        if (settings.nativeTransport() == TransportSettings.NativeTransport.NIO || Boolean.getBoolean(FORCE_NIO_PROPERTY)) {
            return EventLoops.Choice.NIO;
        }
        return Boolean.getBoolean(IO_URING_PROPERTY) ? EventLoops.Choice.IO_URING_PREFERRED : EventLoops.Choice.AUTO;
    }

    private Map<Listener, SslContext> sslContexts(List<Listener> listeners) throws IOException {
        Map<Listener, SslContext> contexts = new LinkedHashMap<>();
        for (Listener listener : listeners) {
            if (listener.tls() == null) {
                continue;
            }
            if (tlsEngine == null) {
                tlsEngine = TlsContexts.Engine.choose(forceJdkTls);
                LOG.info("TLS engine: {}", tlsEngine.description());
            }
            TlsConfig tls = listener.tls();
            if (tls.useIdentityAsUsername() && tls.clientAuth() == TlsConfig.ClientAuth.NONE) {
                LOG.warn("Listener {}: useIdentityAsUsername has no effect without client certificates "
                        + "(client auth is NONE)", listener.name());
            }
            contexts.put(listener, TlsContexts.forListener(listener, tlsEngine));
        }
        return contexts;
    }

    private BoundListener bind(Listener listener, ConnectionAcceptor acceptor, TransportSettings settings,
                               SslContext sslContext) throws IOException {
        ConnectionLimits.Listener listenerLimit = limits.forListener(listener.name(), listener.maxConnections());
        listenerLimits.add(listenerLimit);
        boolean unix = listener.protocol() == Listener.Protocol.UNIX;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.boss(), loops.workers())
                .channel(unix ? loops.domainServerChannelClass() : loops.serverChannelClass())
                .childOption(ChannelOption.RCVBUF_ALLOCATOR,
                        new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(MAX_READS_PER_TURN))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(settings.writeBufferLowWaterMark(), settings.writeBufferHighWaterMark()))
                .childHandler(new MqttChannelInitializer(acceptor, listener, settings.maximumPacketSize(), sslContext,
                        listenerLimit, openChannels));
        if (settings.pacesConnections()) {
            AcceptPacer pacer = new AcceptPacer(listener.name(), settings.maxConnectionRate(),
                    settings.connectionRateBurst());
            acceptPacers.add(pacer);
            bootstrap.handler(pacer);
        }
        if (!unix) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true);
        }
        SocketAddress requested = unix ? loops.domainSocketAddress(listener.socketPath()) : inetAddress(listener);
        if (unix) {
            prepareSocketPath(listener);
        }
        Channel server = bindOrFail(bootstrap, listener, requested);
        serverChannels.add(server);
        if (unix) {
            socketFiles.add(listener.socketPath());
            LOG.info("Listener {}: MQTT on Unix domain socket {}", listener.name(), listener.socketPath());
            return new BoundListener(listener, null);
        }
        InetSocketAddress local = (InetSocketAddress) server.localAddress();
        LOG.info("Listener {}: {} on {}{}{}", listener.name(), describe(listener), local,
                listener.webSocketPath() != null ? " path " + listener.webSocketPath() : "",
                listener.proxyProtocol() ? ", PROXY protocol expected" : "");
        if (settings.pacesConnections()) {
            LOG.info("Listener {}: accepting at most {} new connections/s after a burst of {}", listener.name(),
                    settings.maxConnectionRate(), settings.connectionRateBurst());
        }
        return new BoundListener(listener, local);
    }

    private static String describe(Listener listener) {
        return switch (listener.protocol()) {
            case TCP -> "MQTT over TCP";
            case TLS -> "MQTT over TLS (client certificates: " + listener.tls().clientAuth() + ")";
            case WEBSOCKET -> "MQTT over WebSocket";
            case SECURE_WEBSOCKET -> "MQTT over secure WebSocket (client certificates: "
                    + listener.tls().clientAuth() + ")";
            case UNIX -> "MQTT over a Unix domain socket";
        };
    }

    private static InetSocketAddress inetAddress(Listener listener) throws IOException {
        InetSocketAddress requested = new InetSocketAddress(listener.host(), listener.port());
        if (requested.isUnresolved()) {
            throw new IOException("cannot bind listener " + listener.name() + ": unknown host " + listener.host());
        }
        return requested;
    }

    private static Channel bindOrFail(ServerBootstrap bootstrap, Listener listener, SocketAddress requested)
            throws IOException {
        ChannelFuture binding = bootstrap.bind(requested);
        String where = listener.socketPath() != null ? listener.socketPath().toString() : requested.toString();
        if (!binding.awaitUninterruptibly(BIND_TIMEOUT_MILLIS)) {
            binding.channel().close();
            throw new IOException("binding listener " + listener.name() + " to " + where + " timed out");
        }
        if (!binding.isSuccess()) {
            Throwable cause = binding.cause();
            throw new IOException("cannot bind listener " + listener.name() + " to " + where + ": "
                    + cause.getMessage(), cause);
        }
        return binding.channel();
    }

    /**
     * Prepares the path of a Unix domain socket listener. A socket file left behind by a
     * process that ended without cleaning up (one that nobody accepts connections on) is
     * deleted. A live socket, or a file that is not a socket, fails the start: the native
     * transports would otherwise unlink whatever is there and take the path over.
     */
    private static void prepareSocketPath(Listener listener) throws IOException {
        Path path = listener.socketPath();
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        String cannot = "cannot bind listener " + listener.name() + " to " + path + ": ";
        if (!isSocket(path)) {
            throw new IOException(cannot + "the path exists and is not a socket");
        }
        boolean alive;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            alive = true;
        } catch (IOException refused) {
            alive = false; // nobody listens: a leftover
        }
        if (alive) {
            throw new IOException(cannot + "another process accepts connections on it");
        }
        LOG.info("Listener {}: removing the stale socket file {}", listener.name(), path);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new IOException(cannot + "the stale socket file cannot be removed: " + e, e);
        }
    }

    private static boolean isSocket(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer bits && (bits & 0xF000) == 0xC000; // S_IFSOCK
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
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
        for (Path socketFile : socketFiles) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                LOG.warn("Could not delete the socket file {}: {}", socketFile, e.toString());
            }
        }
        socketFiles.clear();
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

    /** Network connections open now, over all listeners. */
    public int openConnections() {
        return limits.open();
    }

    /** Connections refused so far because a listener's or the broker's connection limit was reached. */
    public long refusedConnections() {
        return limits.refused();
    }

    @Override
    public long connectionsRefusedAtLimit() {
        return refusedConnections();
    }

    /**
     * Connections the listeners of this name refused so far because their own or the broker's
     * limit was reached (0 for an unknown name).
     */
    public synchronized long refusedConnections(String listenerName) {
        long refused = 0;
        for (ConnectionLimits.Listener listener : listenerLimits) {
            if (listener.name().equals(listenerName)) {
                refused += listener.refused();
            }
        }
        return refused;
    }

    /**
     * Times a listener stopped accepting for a while because new connections came faster than
     * {@link TransportSettings#maxConnectionRate()}, over all listeners (0 without pacing).
     */
    @Override
    public synchronized long acceptPauses() {
        return acceptPacers.stream().mapToLong(AcceptPacer::pauses).sum();
    }

    /** Times the listeners of this name paused accepting (0 for an unknown name or without pacing). */
    public synchronized long acceptPauses(String listenerName) {
        return acceptPacers.stream().filter(pacer -> pacer.listenerName().equals(listenerName))
                .mapToLong(AcceptPacer::pauses).sum();
    }

    /** The I/O mechanism in use ("native epoll", "NIO (forced)" ...), or {@code null} before start. */
    public synchronized String ioDescription() {
        return loops == null ? null : loops.description();
    }

    /** The TLS engine in use, or {@code null} when no listener uses TLS. */
    public synchronized String tlsEngineDescription() {
        return tlsEngine == null ? null : tlsEngine.description();
    }

    /** The event loop threads started so far, for tests. */
    synchronized List<Thread> threads() {
        return loops == null ? List.of() : loops.threads();
    }

    /** The I/O mechanism, for tests. */
    synchronized EventLoops.Kind ioKind() {
        return loops == null ? null : loops.kind();
    }

    /** The open connections, for tests. */
    int openConnectionCount() {
        return openChannels.size();
    }
}
