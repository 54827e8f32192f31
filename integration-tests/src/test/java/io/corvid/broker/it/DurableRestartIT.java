package io.corvid.broker.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
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
import io.corvid.broker.store.mvstore.Durability;
import io.corvid.broker.store.mvstore.MvStoreSessionStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts of a broker on the MVStore store, through the public API and real sockets: what a
 * persistent session holds, in every state of the QoS 1 and QoS 2 flows, survives them.
 */
class DurableRestartIT {
    private static final ProtocolVersion V5 = ProtocolVersion.MQTT_5;

    @TempDir
    Path dataDir;

    private TestBroker start() {
        return TestBroker.start(b -> b.sessionStore(MvStoreSessionStore.open(dataDir, Durability.OS)));
    }

    private static RawClient connect(TestBroker broker, String clientId, boolean cleanStart, boolean expectPresent) {
        RawClient client = RawClient.open(broker, V5);
        assertEquals(expectPresent, client.connect(RawClient.connectPacket(V5, clientId, cleanStart, 60, null, 3600))
                .sessionPresent(), "session present for " + clientId);
        return client;
    }

    private static void subscribe(RawClient client, String filter, QoS qos, int identifier) {
        Properties properties = identifier == 0 ? Properties.EMPTY
                : Properties.builder().subscriptionIdentifier(identifier).build();
        client.send(new Subscribe(1, List.of(new Subscription(filter, qos)), properties));
        client.expect(SubAck.class);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void queuedQos1MessagesSubscriptionsAndRetainedMessagesSurviveARestart() {
        try (TestBroker broker = start()) {
            try (RawClient subscriber = connect(broker, "keeper", true, false)) {
                subscribe(subscriber, "orders/+", QoS.AT_LEAST_ONCE, 42);
                subscriber.send(Disconnect.NORMAL);
            }
            try (RawClient publisher = connect(broker, "pub", true, false)) {
                for (int i = 1; i <= 50; i++) {
                    publisher.send(new Publish("orders/" + i, QoS.AT_LEAST_ONCE, false, false, i, bytes("o" + i),
                            Properties.EMPTY));
                    assertEquals(i, publisher.expect(PubAck.class).packetId());
                }
                publisher.send(new Publish("config/site", QoS.AT_LEAST_ONCE, true, false, 99, bytes("retained"),
                        Properties.EMPTY));
                publisher.expect(PubAck.class);
            }
        }
        try (TestBroker broker = start(); RawClient subscriber = connect(broker, "keeper", false, true)) {
            for (int i = 1; i <= 50; i++) {
                Publish publish = subscriber.expect(Publish.class);
                assertEquals("orders/" + i, publish.topic(), "in order");
                assertEquals(42, publish.properties().subscriptionIdentifier(0), "the identifier came back too");
                subscriber.send(new PubAck(publish.packetId()));
            }
            try (RawClient late = connect(broker, "late", true, false)) {
                subscribe(late, "config/#", QoS.AT_LEAST_ONCE, 0);
                Publish retained = late.expect(Publish.class);
                assertTrue(retained.retain());
                assertArrayEquals(bytes("retained"), retained.payload());
            }
        }
    }

    @Test
    void anInboundQos2MessageAcknowledgedWithPubRecIsDeliveredExactlyOnceAcrossARestart() {
        try (TestBroker broker = start()) {
            try (RawClient subscriber = connect(broker, "q2-sub", true, false)) {
                subscribe(subscriber, "once", QoS.EXACTLY_ONCE, 0);
                subscriber.send(Disconnect.NORMAL);
            }
            try (RawClient publisher = connect(broker, "q2-pub", true, false)) {
                publisher.send(new Publish("once", QoS.EXACTLY_ONCE, false, false, 7, bytes("exactly"), Properties.EMPTY));
                assertEquals(7, publisher.expect(PubRec.class).packetId());
                publisher.kill(); // gone before PUBREL
            }
        }
        try (TestBroker broker = start()) {
            try (RawClient publisher = connect(broker, "q2-pub", false, true)) {
                // The client resends the PUBLISH it has no PUBCOMP for, then releases it.
                publisher.send(new Publish("once", QoS.EXACTLY_ONCE, false, true, 7, bytes("exactly"), Properties.EMPTY));
                assertEquals(7, publisher.expect(PubRec.class).packetId());
                publisher.send(new PubRel(7));
                assertEquals(7, publisher.expect(PubComp.class).packetId());
            }
            try (RawClient subscriber = connect(broker, "q2-sub", false, true)) {
                Publish delivered = subscriber.expect(Publish.class);
                assertArrayEquals(bytes("exactly"), delivered.payload());
                subscriber.send(new PubRec(delivered.packetId()));
                subscriber.expect(PubRel.class);
                subscriber.send(new PubComp(delivered.packetId()));
                subscriber.send(new io.corvid.broker.packet.PingReq());
                MqttPacket next = subscriber.next();
                assertFalse(next instanceof Publish, "delivered once, not twice: " + next);
            }
        }
    }

    @Test
    void anOutboundQos2FlowResumesWithPubRelAfterARestart() {
        try (TestBroker broker = start()) {
            try (RawClient subscriber = connect(broker, "q2-out", true, false)) {
                subscribe(subscriber, "flow", QoS.EXACTLY_ONCE, 0);
                broker.broker.publish("flow", bytes("one"), QoS.EXACTLY_ONCE, false);
                Publish publish = subscriber.expect(Publish.class);
                subscriber.send(new PubRec(publish.packetId()));
                assertEquals(publish.packetId(), subscriber.expect(PubRel.class).packetId());
                subscriber.kill(); // no PUBCOMP
            }
            broker.awaitNotConnected("q2-out");
        }
        try (TestBroker broker = start(); RawClient subscriber = connect(broker, "q2-out", false, true)) {
            MqttPacket first = subscriber.next();
            assertTrue(first instanceof PubRel, "the broker releases what the client already has: " + first);
            subscriber.send(new PubComp(((PubRel) first).packetId()));
            subscriber.send(new io.corvid.broker.packet.PingReq());
            MqttPacket next = subscriber.next();
            assertFalse(next instanceof Publish, "not delivered again: " + next);
        }
    }

    @Test
    void aWillWithADelaySurvivesARestart() {
        try (TestBroker broker = start()) {
            try (RawClient watcher = connect(broker, "watcher", true, false)) {
                subscribe(watcher, "wills/#", QoS.AT_LEAST_ONCE, 0);
                watcher.send(Disconnect.NORMAL);
            }
            RawClient dying = RawClient.open(broker, V5);
            io.corvid.broker.packet.Will will = new io.corvid.broker.packet.Will("wills/dying", bytes("gone"),
                    QoS.AT_LEAST_ONCE, false, Properties.builder().put(Property.WILL_DELAY_INTERVAL, 1L).build());
            dying.connect(RawClient.connectPacket(V5, "dying", true, 60, will, 3600));
            dying.kill(); // without DISCONNECT: the will waits for its delay
            broker.awaitNotConnected("dying");
        }
        try (TestBroker broker = start(); RawClient watcher = connect(broker, "watcher", false, true)) {
            Publish published = watcher.expect(Publish.class);
            assertEquals("wills/dying", published.topic());
            assertArrayEquals(bytes("gone"), published.payload());
        }
    }
}
