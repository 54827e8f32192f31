package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.corvid.broker.it.Await;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.RetainHandling;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.Will;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Small helpers for the MQTT 5.0 integration tests: raw MQTT 5.0 packets built with Corvid's
 * own packet model (for what no well-behaved client library sends) and conversions.
 */
final class V5 {
    private static final AtomicInteger PACKET_IDS = new AtomicInteger();

    private V5() {
    }

    /** Properties from (property, value) pairs; user properties as {@code USER_PROPERTY, "name=value"}. */
    static Properties props(Object... pairs) {
        Properties.Builder builder = Properties.builder();
        for (int i = 0; i < pairs.length; i += 2) {
            Property property = (Property) pairs[i];
            Object value = pairs[i + 1];
            if (property == Property.USER_PROPERTY) {
                String[] pair = ((String) value).split("=", 2);
                builder.userProperty(pair[0], pair[1]);
            } else {
                builder.put(property, value);
            }
        }
        return builder.build();
    }

    /** An MQTT 5.0 CONNECT without credentials or will, keep alive 60 s. */
    static Connect connect(String clientId, boolean cleanStart, Properties properties) {
        return new Connect(ProtocolVersion.MQTT_5, clientId, cleanStart, 60, null, null, null, properties);
    }

    /** An MQTT 5.0 CONNECT with a will. */
    static Connect connect(String clientId, boolean cleanStart, Will will, Properties properties) {
        return new Connect(ProtocolVersion.MQTT_5, clientId, cleanStart, 60, null, null, will, properties);
    }

    /** Opens a raw MQTT 5.0 connection, sends CONNECT and fails unless the CONNACK is a success. */
    static RawClient connected(TestBroker broker, Connect connect) {
        RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5);
        ConnAck connAck = raw.connect(connect);
        assertEquals(ReasonCode.SUCCESS, connAck.reasonCode(), "CONNACK " + connAck);
        return raw;
    }

    /** Opens a raw MQTT 5.0 connection with clean start, no session expiry and the given CONNECT properties. */
    static RawClient connected(TestBroker broker, String clientId, Properties properties) {
        return connected(broker, connect(clientId, true, properties));
    }

    /** Subscribes and returns the SUBACK. */
    static SubAck subscribe(RawClient raw, Properties properties, Subscription... subscriptions) {
        int packetId = nextPacketId();
        raw.send(new Subscribe(packetId, List.of(subscriptions), properties));
        SubAck subAck = raw.expect(SubAck.class);
        assertEquals(packetId, subAck.packetId());
        return subAck;
    }

    /** Subscribes to one filter at a QoS and fails unless it is granted. */
    static void subscribe(RawClient raw, String filter, QoS qos) {
        SubAck subAck = subscribe(raw, Properties.EMPTY, new Subscription(filter, qos));
        assertEquals(ReasonCode.granted(qos), subAck.reasonCodes().get(0), "SUBACK for " + filter);
    }

    static Subscription subscription(String filter, QoS qos, boolean noLocal, boolean retainAsPublished,
                                     RetainHandling retainHandling) {
        return new Subscription(filter, qos, noLocal, retainAsPublished, retainHandling);
    }

    /** A QoS 1 PUBLISH from a raw client; returns its PUBACK. */
    static PubAck publishQos1(RawClient raw, String topic, String payload, Properties properties) {
        int packetId = nextPacketId();
        raw.send(new Publish(topic, QoS.AT_LEAST_ONCE, false, false, packetId, payload.getBytes(UTF_8), properties));
        PubAck pubAck = raw.expect(PubAck.class);
        assertEquals(packetId, pubAck.packetId());
        return pubAck;
    }

    /** Waits for the broker's DISCONNECT, checks its reason code, and waits for the close that follows. */
    static Disconnect expectDisconnect(RawClient raw, ReasonCode expected) {
        MqttPacket packet = raw.next();
        Disconnect disconnect = assertInstanceOf(Disconnect.class, packet, "expected DISCONNECT " + expected);
        assertEquals(expected, disconnect.reasonCode(), "DISCONNECT " + disconnect);
        raw.awaitClosedByBroker(Await.TIMEOUT);
        return disconnect;
    }

    /** Waits for a CONNACK refusal with the given code and the close that follows. */
    static ConnAck expectRefused(RawClient raw, Connect connect, ReasonCode expected) {
        ConnAck connAck = raw.connect(connect);
        assertEquals(expected, connAck.reasonCode(), "CONNACK " + connAck);
        raw.awaitClosedByBroker(Await.TIMEOUT);
        return connAck;
    }

    /** Collects the PUBLISH packets among what a raw client received so far (the others are dropped). */
    static List<Publish> drainPublishes(RawClient raw) {
        List<Publish> publishes = new ArrayList<>();
        MqttPacket packet;
        while ((packet = raw.pending().poll()) != null) {
            if (packet instanceof Publish publish) {
                publishes.add(publish);
            }
        }
        return publishes;
    }

    static String text(Publish publish) {
        return new String(publish.payload(), UTF_8);
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    static int nextPacketId() {
        return PACKET_IDS.updateAndGet(id -> id >= 0xFFFF ? 1 : id + 1);
    }
}
