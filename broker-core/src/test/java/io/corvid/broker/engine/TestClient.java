package io.corvid.broker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.Will;
import io.corvid.broker.transport.ConnectionHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Drives the engine like a client would, through a {@link TestConnection}. */
final class TestClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final TestConnection connection;
    final ConnectionHandler handler;
    final String clientId;
    ProtocolVersion version = ProtocolVersion.MQTT_3_1_1;
    private int nextPacketId = 1;

    TestClient(BrokerEngine engine, String clientId) {
        this.clientId = clientId;
        this.connection = new TestConnection(clientId.isEmpty() ? "anonymous" : clientId);
        this.handler = CompletableFuture.supplyAsync(() -> engine.accept(connection), connection.loop).join();
        this.connection.handler = handler;
    }

    static Connect connect(ProtocolVersion version, String clientId, boolean cleanStart, int keepAlive,
                           Properties properties, Will will) {
        return new Connect(version, clientId, cleanStart, keepAlive, null, null, will, properties);
    }

    /** CONNECT and wait for CONNACK. */
    ConnAck connect(ProtocolVersion protocolVersion, boolean cleanStart) {
        return connect(connect(protocolVersion, clientId, cleanStart, 60, Properties.EMPTY, null));
    }

    ConnAck connect(Connect connect) {
        this.version = connect.protocolVersion();
        send(connect);
        return expect(ConnAck.class);
    }

    void send(MqttPacket packet) {
        connection.loop.execute(() -> handler.onPacket(packet));
    }

    int nextId() {
        int id = nextPacketId;
        nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
        return id;
    }

    SubAck subscribe(String filter, QoS qos) {
        return subscribe(new Subscription(filter, qos));
    }

    SubAck subscribe(Subscription... subscriptions) {
        return subscribe(Properties.EMPTY, subscriptions);
    }

    SubAck subscribe(Properties properties, Subscription... subscriptions) {
        int id = nextId();
        send(new Subscribe(id, List.of(subscriptions), properties));
        SubAck subAck = expect(SubAck.class);
        assertEquals(id, subAck.packetId());
        return subAck;
    }

    /** Publishes and completes the QoS flow (PUBACK, or PUBREC/PUBREL/PUBCOMP). */
    void publish(String topic, String payload, QoS qos, boolean retain) {
        publish(new Publish(topic, qos, retain, false, qos == QoS.AT_MOST_ONCE ? 0 : nextId(),
                payload.getBytes(StandardCharsets.UTF_8), Properties.EMPTY));
    }

    void publish(Publish publish) {
        send(publish);
        switch (publish.qos()) {
            case AT_LEAST_ONCE -> assertEquals(publish.packetId(), expect(PubAck.class).packetId());
            case EXACTLY_ONCE -> {
                assertEquals(publish.packetId(), expect(PubRec.class).packetId());
                send(new PubRel(publish.packetId()));
                assertEquals(publish.packetId(), expect(PubComp.class).packetId());
            }
            default -> {
            }
        }
    }

    /** Waits for the next PUBLISH and acknowledges it as a client would. */
    Publish receive() {
        Publish publish = expect(Publish.class);
        acknowledge(publish);
        return publish;
    }

    void acknowledge(Publish publish) {
        switch (publish.qos()) {
            case AT_LEAST_ONCE -> send(new PubAck(publish.packetId()));
            case EXACTLY_ONCE -> {
                send(new PubRec(publish.packetId()));
                assertEquals(publish.packetId(), expect(PubRel.class).packetId());
                send(new PubComp(publish.packetId()));
            }
            default -> {
            }
        }
    }

    /**
     * The next packet of the given type. Packets of other types that arrive first are kept,
     * in order, for later calls: the broker may interleave, say, a PUBLISH between a PUBREC
     * and the PUBREL, as a real client would see.
     */
    <T extends MqttPacket> T expect(Class<T> type) {
        for (java.util.Iterator<MqttPacket> it = stash.iterator(); it.hasNext(); ) {
            MqttPacket packet = it.next();
            if (type.isInstance(packet)) {
                it.remove();
                return type.cast(packet);
            }
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            MqttPacket packet = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (packet == null) {
                fail(clientId + ": no " + type.getSimpleName() + " within " + TIMEOUT + "; other packets: " + stash);
            }
            if (type.isInstance(packet)) {
                return type.cast(packet);
            }
            stash.add(packet);
        }
    }

    private final java.util.List<MqttPacket> stash = new java.util.ArrayList<>();

    MqttPacket next(Duration timeout) {
        try {
            return connection.received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Asserts that nothing arrives for a short while. Absence can only be observed by
     * waiting; the wait is bounded and kept short.
     */
    void expectNothing() {
        assertTrue(stash.isEmpty(), clientId + ": unexpected packets " + stash);
        assertNull(next(Duration.ofMillis(300)), clientId + ": unexpected packet");
    }

    void awaitClosed() {
        try {
            assertTrue(connection.closed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), clientId + " was not closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The client's network connection dies without DISCONNECT. */
    void dropNetwork() {
        connection.dropFromNetwork();
        awaitClosed();
    }

    @Override
    public void close() {
        if (!connection.isClosed()) {
            connection.dropFromNetwork();
        }
        connection.loop.execute(connection::shutdown);
    }
}
