package io.corvid.broker.benchmarks.load;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishers and subscribers on the HiveMQ MQTT client (asynchronous API, MQTT 3.1.1 or 5.0),
 * a published client to cross-check the generator's own. The client acknowledges what it
 * receives itself; the {@link Sender}s run on a few executor threads of their own and keep at
 * most {@code window} QoS 1/2 messages in flight per publisher (QoS 0 too: its futures complete
 * once the message is written, which bounds what the client buffers).
 */
public final class HiveMqDriver implements ClientDriver {
    private final InetSocketAddress broker;
    private final ProtocolVersion version;
    private final int window;
    private final int keepAlive;
    private final boolean persistentSubscribers;
    private final RunControl control;
    private final int threads;
    private final MqttClientExecutorConfig executorConfig;
    private final DefaultEventExecutorGroup senderThreads;
    private final List<Client> clients = new ArrayList<>();

    /** What the two protocol versions' clients have in common here. */
    private interface Client {
        CompletableFuture<Void> subscribe(String filter, QoS qos, Receiver receiver);

        /** Completes with whether the broker accepted the message. */
        CompletableFuture<Boolean> publish(MqttTopic topic, MqttQos qos, byte[] payload);

        CompletableFuture<Void> disconnect();
    }

    /**
     * @param threads               Netty threads of the client, and sender threads; 0 for one per core
     * @param persistentSubscribers subscribers connect with persistent sessions (publishers stay clean)
     */
    public HiveMqDriver(InetSocketAddress broker, ProtocolVersion version, int threads, int window, int keepAlive,
                        boolean persistentSubscribers, RunControl control) {
        this.persistentSubscribers = persistentSubscribers;
        this.broker = broker;
        this.version = version;
        this.window = Math.max(1, window);
        this.keepAlive = keepAlive;
        this.control = control;
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        // One configuration object for all clients, so that they share one set of event loops.
        this.executorConfig = MqttClientExecutorConfig.builder().nettyThreads(this.threads).build();
        this.senderThreads = new DefaultEventExecutorGroup(this.threads);
    }

    @Override
    public String name() {
        return "hivemq";
    }

    @Override
    public String description() {
        String version = MqttClient.class.getPackage().getImplementationVersion();
        return "HiveMQ MQTT client" + (version == null ? "" : " " + version) + ", " + threads + " Netty threads";
    }

    @Override
    public CompletableFuture<Void> subscriber(String clientId, String filter, QoS qos, Receiver receiver) {
        return connect(clientId, receiver::connectionLost, persistentSubscribers)
                .thenCompose(client -> client.subscribe(filter, qos, receiver));
    }

    @Override
    public CompletableFuture<Void> publisher(String clientId, String topic, QoS qos, int payloadSize, Sender sender) {
        return connect(clientId, null, false).thenAccept(client -> {
            EventExecutor executor = senderThreads.next();
            AtomicInteger inflight = new AtomicInteger();
            MqttTopic mqttTopic = MqttTopic.of(topic);
            MqttQos mqttQos = qos(qos);
            sender.attach(new Sender.Link() {
                @Override
                public EventExecutor executor() {
                    return executor;
                }

                @Override
                public int windowFree() {
                    return window - inflight.get();
                }

                @Override
                public int inflight() {
                    return inflight.get();
                }

                @Override
                public boolean writable() {
                    return true;
                }

                @Override
                public void send(int publisher, int sequence, long sendNanos, boolean measured) {
                    inflight.incrementAndGet();
                    byte[] payload = Payload.create(payloadSize, publisher, sequence, sendNanos, measured);
                    client.publish(mqttTopic, mqttQos, payload).whenComplete((accepted, failure) -> {
                        inflight.decrementAndGet();
                        if (failure != null || !accepted) {
                            control.error("publisher " + clientId + ": "
                                    + (failure != null ? failure.toString() : "the broker refused a message"));
                        }
                        sender.requestPump();
                    });
                }

                @Override
                public void flush() {
                    // The client flushes by itself.
                }
            });
        });
    }

    @Override
    public CompletableFuture<Void> discardSession(String clientId) {
        return connect(clientId, null, false).thenCompose(client -> {
            synchronized (clients) {
                clients.remove(client);
            }
            return client.disconnect();
        });
    }

    /** Connects; {@code persistent}: a persistent session, which must be new (no Session Present). */
    private CompletableFuture<Client> connect(String clientId, Runnable onLost, boolean persistent) {
        var builder = MqttClient.builder()
                .identifier(clientId)
                .serverHost(broker.getHostString())
                .serverPort(broker.getPort())
                .executorConfig(executorConfig)
                .addDisconnectedListener(context -> {
                    if (context.getSource() != MqttDisconnectSource.USER) {
                        control.error(clientId + " lost its connection: " + context.getCause());
                        if (onLost != null) {
                            onLost.run();
                        }
                    }
                });
        Client client = version.isV5() ? new V5(builder.useMqttVersion5().buildAsync())
                : new V3(builder.useMqttVersion3().buildAsync());
        synchronized (clients) {
            clients.add(client);
        }
        CompletableFuture<Boolean> sessionPresent = version.isV5()
                ? ((V5) client).client.connectWith().cleanStart(!persistent)
                        .sessionExpiryInterval(persistent ? NettyMqttConnection.PERSISTENT_SESSION_EXPIRY_SECONDS : 0)
                        .keepAlive(keepAlive).send().thenApply(ack -> ack.isSessionPresent())
                : ((V3) client).client.connectWith().cleanSession(!persistent).keepAlive(keepAlive).send()
                        .thenApply(ack -> ack.isSessionPresent());
        return sessionPresent.thenApply(present -> {
            if (present) {
                throw new IllegalStateException(clientId + ": CONNACK with Session Present for a new client identifier");
            }
            return client;
        });
    }

    private static MqttQos qos(QoS qos) {
        return MqttQos.fromCode(qos.value());
    }

    private static final class V5 implements Client {
        final Mqtt5AsyncClient client;

        V5(Mqtt5AsyncClient client) {
            this.client = client;
        }

        @Override
        public CompletableFuture<Void> subscribe(String filter, QoS qos, Receiver receiver) {
            Mqtt5Subscribe subscribe = Mqtt5Subscribe.builder().topicFilter(filter).qos(qos(qos)).build();
            return client.subscribe(subscribe, publish -> receiver.onMessage(publish.getPayloadAsBytes(),
                    System.nanoTime())).thenAccept(subAck -> {
                        Mqtt5SubAckReasonCode code = subAck.getReasonCodes().get(0);
                        if (code.getCode() != qos.value()) {
                            throw new IllegalStateException("SUBSCRIBE " + filter + " at QoS " + qos.value()
                                    + " answered " + code);
                        }
                    });
        }

        @Override
        public CompletableFuture<Boolean> publish(MqttTopic topic, MqttQos qos, byte[] payload) {
            return client.publish(Mqtt5Publish.builder().topic(topic).qos(qos).payload(payload).build())
                    .thenApply(result -> result.getError().isEmpty());
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return client.disconnect();
        }
    }

    private static final class V3 implements Client {
        final Mqtt3AsyncClient client;

        V3(Mqtt3AsyncClient client) {
            this.client = client;
        }

        @Override
        public CompletableFuture<Void> subscribe(String filter, QoS qos, Receiver receiver) {
            Mqtt3Subscribe subscribe = Mqtt3Subscribe.builder().topicFilter(filter).qos(qos(qos)).build();
            return client.subscribe(subscribe, publish -> receiver.onMessage(publish.getPayloadAsBytes(),
                    System.nanoTime())).thenAccept(subAck -> {
                        Mqtt3SubAckReturnCode code = subAck.getReturnCodes().get(0);
                        if (code.getCode() != qos.value()) {
                            throw new IllegalStateException("SUBSCRIBE " + filter + " at QoS " + qos.value()
                                    + " answered " + code);
                        }
                    });
        }

        @Override
        public CompletableFuture<Boolean> publish(MqttTopic topic, MqttQos qos, byte[] payload) {
            return client.publish(Mqtt3Publish.builder().topic(topic).qos(qos).payload(payload).build())
                    .thenApply(result -> true);
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return client.disconnect();
        }
    }

    @Override
    public void disconnectAll() {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (clients) {
            for (Client client : clients) {
                done.add(client.disconnect().exceptionally(failure -> null));
            }
            clients.clear();
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Best effort: the run is over.
        }
    }

    @Override
    public void close() {
        disconnectAll();
        senderThreads.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
