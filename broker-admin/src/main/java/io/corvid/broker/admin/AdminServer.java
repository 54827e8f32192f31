package io.corvid.broker.admin;

import io.corvid.broker.Broker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API and dashboard of a running {@link Broker}, on a listener of its own:
 * <pre>{@code
 * AdminServer admin = AdminServer.builder(broker).port(8081).token(System.getenv("CORVID_ADMIN_TOKEN")).build().start();
 * ...
 * admin.stop();
 * }</pre>
 * It answers JSON under {@code /api/v1} (clients, sessions, retained messages, publishing,
 * configuration, counters), the Prometheus text exposition on {@code /metrics} when one is
 * supplied, {@code /health} and {@code /ready}, and the dashboard page on {@code /}.
 *
 * <p>Access: with a {@linkplain Builder#token token}, every {@code /api/**} and {@code /metrics}
 * request must carry {@code Authorization: Bearer <token>}; without one, only requests from the
 * loopback address are served, and {@link #start()} refuses to bind a non-loopback address.
 * {@code /health}, {@code /ready} and the dashboard's static files are open to anyone who can
 * reach the port.
 *
 * <p>The server runs on one event loop thread of its own, apart from the broker's I/O threads.
 * {@link #start()} and {@link #stop()} are thread safe; a stopped server cannot be restarted.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Idle connections are closed after this long, so that forgotten browser tabs hold nothing. */
    private static final int IDLE_TIMEOUT_SECONDS = 60;

    private enum State { NEW, RUNNING, STOPPED }

    private final String host;
    private final int requestedPort;
    private final boolean hasToken;
    private final int maxRequestBytes;
    private final AdminHttpHandler handler;
    private State state = State.NEW;
    private EventLoopGroup group;
    private Channel serverChannel;
    private InetSocketAddress boundAddress;

    private AdminServer(Builder builder) {
        this.host = builder.host;
        this.requestedPort = builder.port;
        this.hasToken = builder.token != null;
        this.maxRequestBytes = builder.maxRequestBytes;
        Broker broker = builder.broker;
        Supplier<? extends Map<String, ?>> configuration = builder.configuration != null ? builder.configuration
                : () -> ConfigEndpoint.describe(broker.config());
        this.handler = new AdminHttpHandler(new AccessPolicy(builder.token),
                routes(broker, builder.prometheus, configuration));
    }

    /** A builder for an admin server of {@code broker}. */
    public static Builder builder(Broker broker) {
        return new Builder(broker);
    }

    private static Routes routes(Broker broker, Supplier<String> prometheus,
                                 Supplier<? extends Map<String, ?>> configuration) {
        HealthEndpoints health = new HealthEndpoints(broker);
        BrokerEndpoints brokerEndpoints = new BrokerEndpoints(broker, prometheus);
        ClientEndpoints clients = new ClientEndpoints(broker);
        SessionEndpoints sessions = new SessionEndpoints(broker);
        RetainedEndpoints retained = new RetainedEndpoints(broker);
        PublishEndpoint publish = new PublishEndpoint(broker);
        ConfigEndpoint config = new ConfigEndpoint(configuration);
        DashboardFiles dashboard = new DashboardFiles();
        return new Routes()
                .add(HttpMethod.GET, "/health", health::health)
                .add(HttpMethod.GET, "/ready", health::ready)
                .add(HttpMethod.GET, "/metrics", brokerEndpoints::prometheus)
                .add(HttpMethod.GET, "/api/v1/broker", brokerEndpoints::broker)
                .add(HttpMethod.GET, "/api/v1/metrics", brokerEndpoints::metrics)
                .add(HttpMethod.GET, "/api/v1/config", config::config)
                .add(HttpMethod.GET, "/api/v1/clients", clients::list)
                .add(HttpMethod.GET, "/api/v1/clients/{id}", clients::get)
                .add(HttpMethod.DELETE, "/api/v1/clients/{id}", clients::disconnect)
                .add(HttpMethod.GET, "/api/v1/clients/{id}/subscriptions", clients::subscriptions)
                .add(HttpMethod.GET, "/api/v1/sessions", sessions::list)
                .add(HttpMethod.GET, "/api/v1/sessions/{id}", sessions::get)
                .add(HttpMethod.GET, "/api/v1/retained", retained::list)
                .add(HttpMethod.GET, "/api/v1/retained/{topic...}", retained::get)
                .add(HttpMethod.DELETE, "/api/v1/retained/{topic...}", retained::delete)
                .add(HttpMethod.POST, "/api/v1/publish", publish::publish)
                .add(HttpMethod.GET, "/", dashboard::index)
                .add(HttpMethod.GET, "/dashboard/{file}", dashboard::file);
    }

    /**
     * Binds the listener and starts serving. Returns this server.
     *
     * @throws IllegalStateException if the address is not a loopback one and no token is
     *                               configured, or the server was stopped
     * @throws UncheckedIOException  if the address cannot be resolved or bound
     */
    public synchronized AdminServer start() {
        if (state == State.RUNNING) {
            return this;
        }
        if (state == State.STOPPED) {
            throw new IllegalStateException("a stopped admin server cannot be restarted; build a new one");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException("cannot resolve the admin host '" + host + "'", e);
        }
        AccessPolicy.checkBinding(address, hasToken);
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("corvid-admin", true),
                NioIoHandler.newFactory());
        ChannelFuture bind = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast(new ReadTimeoutHandler(IDLE_TIMEOUT_SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerKeepAliveHandler())
                                // Answers 413 to a larger body before buffering it.
                                .addLast(new HttpObjectAggregator(maxRequestBytes))
                                .addLast(handler);
                    }
                })
                .bind(new InetSocketAddress(address, requestedPort)).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            state = State.STOPPED;
            Throwable cause = bind.cause();
            throw new UncheckedIOException("cannot bind the admin API to " + host + ":" + requestedPort + ": "
                    + cause.getMessage(), cause instanceof IOException io ? io : new IOException(cause));
        }
        serverChannel = bind.channel();
        boundAddress = (InetSocketAddress) serverChannel.localAddress();
        state = State.RUNNING;
        LOG.info("Admin API and dashboard on {}{}", url(),
                hasToken ? " (bearer token required)" : " (no token: loopback clients only)");
        return this;
    }

    /** Stops serving and releases the thread. Idempotent. */
    public synchronized void stop() {
        State previous = state;
        state = State.STOPPED;
        if (previous != State.RUNNING) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        LOG.info("Admin API stopped");
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** Whether the API requires a bearer token (else it serves loopback clients only). */
    public boolean requiresToken() {
        return hasToken;
    }

    /** The bound port (the real one when built with port 0). */
    public synchronized int port() {
        requireRunning();
        return boundAddress.getPort();
    }

    /**
     * The server's base URL, such as {@code http://127.0.0.1:8081/}: the host as configured (so a
     * wildcard address reads as given) with the bound port. It never contains the token.
     */
    public synchronized String url() {
        requireRunning();
        String name = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return "http://" + name + ":" + boundAddress.getPort() + "/";
    }

    private void requireRunning() {
        if (state != State.RUNNING) {
            throw new IllegalStateException("the admin server is not running");
        }
    }

    /** Builds an {@link AdminServer}; every setting but the broker has a default. */
    public static final class Builder {
        /** The largest request body accepted by default (a publish's payload and its JSON). */
        public static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

        private final Broker broker;
        private String host = "127.0.0.1";
        private int port = 8081;
        private String token;
        private Supplier<String> prometheus;
        private Supplier<? extends Map<String, ?>> configuration;
        private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;

        private Builder(Broker broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
        }

        /**
         * The address to bind. Default 127.0.0.1. Any address that is not a loopback one needs a
         * {@link #token}.
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port; 0 picks a free one, readable from {@link AdminServer#port()}. Default 8081. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The bearer token every {@code /api/**} and {@code /metrics} request must carry.
         * Default: none, so that only loopback clients are served. Leading and trailing white
         * space is ignored (a token read from a file ends with a line break).
         *
         * @throws IllegalArgumentException for a blank token, or one with characters that cannot
         *                                  travel in an HTTP header
         */
        public Builder token(String token) {
            if (token == null) {
                this.token = null;
                return this;
            }
            String stripped = token.strip();
            if (stripped.isEmpty()) {
                throw new IllegalArgumentException("the admin token must not be blank");
            }
            if (!stripped.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
                throw new IllegalArgumentException("the admin token must be printable ASCII without spaces");
            }
            this.token = stripped;
            return this;
        }

        /**
         * What {@code GET /metrics} answers: the Prometheus text exposition (format 0.0.4), for
         * example a Micrometer {@code PrometheusMeterRegistry::scrape}. Default: none, and
         * {@code /metrics} answers 404.
         */
        public Builder prometheusMetrics(Supplier<String> exposition) {
            this.prometheus = Objects.requireNonNull(exposition, "exposition");
            return this;
        }

        /**
         * What {@code GET /api/v1/config} shows: the configuration in effect, by name. The caller
         * should mask secrets; values under keys that name one (password, token, secret, ...) are
         * masked again here. Default: the broker's own {@code BrokerConfig}.
         */
        public Builder configuration(Supplier<? extends Map<String, ?>> configuration) {
            this.configuration = Objects.requireNonNull(configuration, "configuration");
            return this;
        }

        /** The largest request, headers aside, accepted (larger ones get 413). Default 1 MiB. */
        public Builder maxRequestBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxRequestBytes must be at least 1024: " + bytes);
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /** Builds the server; nothing is bound until {@link AdminServer#start()}. */
        public AdminServer build() {
            return new AdminServer(this);
        }
    }
}
