package io.corvid.broker.benchmarks.load;

import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscription;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishers and subscribers on {@link NettyMqttConnection}: the generator's own client.
 * Publishers and subscribers run on separate event loops, so that publishers that always have
 * something to send cannot starve the subscribers' reads (which would measure the generator).
 */
public final class NettyDriver implements ClientDriver {
    private final NettyClients publisherLoops;
    private final NettyClients subscriberLoops;
    private final InetSocketAddress broker;
    private final ProtocolVersion version;
    private final int window;
    private final int keepAlive;
    private final boolean persistentSubscribers;
    private final RunControl control;
    private final List<NettyMqttConnection> connections = new ArrayList<>();

    /**
     * @param threads event loop threads, 0 for one per core
     * @param window  most QoS 1/2 messages in flight per publisher (lowered to the broker's Receive Maximum)
     */
    public NettyDriver(InetSocketAddress broker, ProtocolVersion version, int threads, int window, int keepAlive,
                       RunControl control) {
        this(broker, version, threads, window, keepAlive, false, control);
    }

    /**
     * @param threads               event loop threads, 0 for one per core
     * @param window                most QoS 1/2 messages in flight per publisher (lowered to the broker's
     *                              Receive Maximum)
     * @param persistentSubscribers subscribers connect with persistent sessions (publishers stay clean)
     */
    public NettyDriver(InetSocketAddress broker, ProtocolVersion version, int threads, int window, int keepAlive,
                       boolean persistentSubscribers, RunControl control) {
        this.persistentSubscribers = persistentSubscribers;
        this.publisherLoops = new NettyClients(threads);
        this.subscriberLoops = new NettyClients(threads);
        this.broker = broker;
        this.version = version;
        this.window = window;
        this.keepAlive = keepAlive;
        this.control = control;
    }

    @Override
    public String name() {
        return "netty";
    }

    /** "epoll" or "nio". */
    public String transport() {
        return subscriberLoops.transport();
    }

    @Override
    public String description() {
        return "Corvid codec on Netty " + publisherLoops.transport() + ", " + publisherLoops.threads()
                + " publisher and " + subscriberLoops.threads() + " subscriber event loops";
    }

    @Override
    public CompletableFuture<Void> subscriber(String clientId, String filter, QoS qos, Receiver receiver) {
        return subscriber(clientId, filter, qos, receiver, ReadPolicy.NORMAL).thenApply(connection -> null);
    }

    /**
     * A subscriber as {@link #subscriber(String, String, QoS, Receiver)} that reads as
     * {@code policy} says; completes with its connection (to resume held reads).
     */
    public CompletableFuture<NettyMqttConnection> subscriber(String clientId, String filter, QoS qos,
                                                             Receiver receiver, ReadPolicy policy) {
        NettyMqttConnection connection = new NettyMqttConnection(
                NettyMqttConnection.connectPacket(version, clientId, keepAlive, persistentSubscribers), window, true,
                new NettyMqttConnection.Events() {
                    @Override
                    public void message(Publish publish, long nowNanos) {
                        receiver.onMessage(publish.payload(), nowNanos);
                        policy.spend();
                    }

                    @Override
                    public void lost(String reason) {
                        if (!policy.lossIsResult()) {
                            control.error("subscriber " + clientId + " lost its connection: " + reason);
                        }
                        receiver.connectionLost(reason);
                    }
                });
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        open(subscriberLoops, clientId, connection, subscribed,
                () -> subscribe(connection, clientId, filter, qos, policy.holdAfterSubAck(), subscribed));
        return subscribed.thenApply(done -> connection);
    }

    private void subscribe(NettyMqttConnection connection, String clientId, String filter, QoS qos,
                           boolean holdReads, CompletableFuture<Void> ready) {
        connection.subscribe(List.of(new Subscription(filter, qos))).addListener((Future<SubAck> f) -> {
            if (holdReads) {
                connection.holdReads(true); // on the event loop, inside the SUBACK's read: nothing more is read
            }
            if (!f.isSuccess()) {
                ready.completeExceptionally(f.cause());
                return;
            }
            ReasonCode granted = f.getNow().reasonCodes().get(0);
            if (granted.value() != qos.value()) {
                ready.completeExceptionally(new IllegalStateException(
                        clientId + ": SUBSCRIBE " + filter + " at QoS " + qos.value() + " answered " + granted));
            } else {
                ready.complete(null);
            }
        });
    }

    @Override
    public CompletableFuture<Void> publisher(String clientId, String topic, QoS qos, int payloadSize, Sender sender) {
        return publisherConnection(clientId, topic, qos, payloadSize, sender).thenApply(connection -> null);
    }

    /**
     * A publisher as {@link #publisher}; completes with its connection (for a PINGREQ round trip
     * after the last message).
     */
    public CompletableFuture<NettyMqttConnection> publisherConnection(String clientId, String topic, QoS qos,
                                                                      int payloadSize, Sender sender) {
        NettyMqttConnection connection = new NettyMqttConnection(
                NettyMqttConnection.connectPacket(version, clientId, keepAlive), window, false,
                new NettyMqttConnection.Events() {
                    @Override
                    public void completed(boolean success) {
                        if (!success) {
                            control.error("publisher " + clientId + ": the broker refused a message");
                        }
                    }

                    @Override
                    public void readComplete() {
                        if (qos != QoS.AT_MOST_ONCE) {
                            sender.requestPump();
                        }
                    }

                    @Override
                    public void writable() {
                        sender.requestPump();
                    }

                    @Override
                    public void lost(String reason) {
                        control.error("publisher " + clientId + " lost its connection: " + reason);
                    }
                });
        CompletableFuture<Void> ready = new CompletableFuture<>();
        open(publisherLoops, clientId, connection, ready, () -> {
            connection.publisher(topic, qos, false, payloadSize);
            sender.attach(new Sender.Link() {
                @Override
                public EventExecutor executor() {
                    return connection.channel().eventLoop();
                }

                @Override
                public int windowFree() {
                    return connection.windowFree();
                }

                @Override
                public int inflight() {
                    return connection.inflight();
                }

                @Override
                public boolean writable() {
                    return connection.writable();
                }

                @Override
                public void send(int publisher, int sequence, long sendNanos, boolean measured) {
                    connection.sendPublish(publisher, sequence, sendNanos, measured);
                }

                @Override
                public void flush() {
                    connection.flush();
                }
            });
            ready.complete(null);
        });
        return ready.thenApply(done -> connection);
    }

    /** Connects; on a successful CONNACK runs {@code then} on the event loop. */
    private void open(NettyClients clients, String clientId, NettyMqttConnection connection, CompletableFuture<Void> ready, Runnable then) {
        synchronized (connections) {
            connections.add(connection);
        }
        clients.connect(broker, null, connection).addListener(connected -> {
            if (!connected.isSuccess()) {
                ready.completeExceptionally(connected.cause());
                return;
            }
            connection.connAck().addListener((Future<ConnAck> f) -> {
                if (!f.isSuccess()) {
                    ready.completeExceptionally(f.cause());
                } else if (f.getNow().reasonCode() != ReasonCode.SUCCESS) {
                    ready.completeExceptionally(new IllegalStateException(
                            clientId + ": CONNACK " + f.getNow().reasonCode()));
                } else if (f.getNow().sessionPresent()) {
                    // A run's client identifiers are its own: a session found under one is not this run's.
                    ready.completeExceptionally(new IllegalStateException(
                            clientId + ": CONNACK with Session Present for a new client identifier"));
                } else {
                    then.run();
                }
            });
        });
    }

    @Override
    public CompletableFuture<Void> discardSession(String clientId) {
        NettyMqttConnection connection = new NettyMqttConnection(
                NettyMqttConnection.connectPacket(version, clientId, keepAlive, false), window, false,
                new NettyMqttConnection.Events() { });
        CompletableFuture<Void> connected = new CompletableFuture<>();
        open(subscriberLoops, clientId, connection, connected, () -> connected.complete(null));
        CompletableFuture<Void> done = new CompletableFuture<>();
        connected.whenComplete((ignored, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            connection.disconnect().addListener(f -> {
                synchronized (connections) {
                    connections.remove(connection);
                }
                done.complete(null);
            });
        });
        return done;
    }

    @Override
    public void disconnectAll() {
        List<Future<Void>> done = new ArrayList<>();
        synchronized (connections) {
            for (NettyMqttConnection connection : connections) {
                if (!connection.started()) {
                    continue;
                }
                if (connection.connAck().isSuccess()) {
                    done.add(connection.disconnect());
                } else {
                    connection.channel().close();
                }
            }
            connections.clear();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Future<Void> future : done) {
            future.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() {
        disconnectAll();
        publisherLoops.close();
        subscriberLoops.close();
    }
}
