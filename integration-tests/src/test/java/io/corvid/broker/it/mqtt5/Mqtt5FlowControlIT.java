package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import io.corvid.broker.DropReason;
import io.corvid.broker.it.Await;
import io.corvid.broker.it.HiveMqV5Client;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.Library;
import io.corvid.broker.it.MqttTestClient;
import io.corvid.broker.it.PahoV5Client;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.RecordingListener;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 flow control in both directions: Receive Maximum (the broker never has more QoS 1/2
 * messages in flight to a client than it allows; a client that has more unreleased QoS 2
 * messages in flight to the broker than the broker allows gets DISCONNECT 0x93) and Maximum
 * Packet Size (the broker's is announced and enforced with 0x95; messages larger than a
 * client's are not sent to that client). FlowControlIT covers Paho's Receive Maximum and
 * Maximum Packet Size towards the client.
 */
class Mqtt5FlowControlIT {
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(b -> b.receiveMaximum(2).maxPacketSize(2048));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    // ------------------------------------------------------------ the client's Receive Maximum

    @Test
    void rawClientAnnouncingReceiveMaximum3GetsExactly3UntilItAcknowledges() {
        String clientId = Ids.next("raw-rm3");
        String topic = Ids.next("rm3");
        try (RawClient raw = V5.connected(broker, clientId, V5.props(Property.RECEIVE_MAXIMUM, 3));
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            V5.subscribe(raw, topic, QoS.AT_LEAST_ONCE);
            for (int i = 0; i < 10; i++) {
                publisher.publish(topic, "m" + i, 1, false);
            }
            Await.until("3 in flight, 7 queued", () -> inflightAndQueued(clientId, 3, 7));
            Await.until("3 PUBLISH received", () -> raw.pending().size() >= 3);
            List<Publish> first = V5.drainPublishes(raw);
            assertEquals(3, first.size(), "exactly the Receive Maximum: " + first);

            List<String> texts = new ArrayList<>();
            first.forEach(p -> texts.add(V5.text(p)));
            raw.send(new PubAck(first.get(0).packetId()));
            Publish fourth = raw.expect(Publish.class);
            texts.add(V5.text(fourth));
            Await.until("3 in flight, 6 queued", () -> inflightAndQueued(clientId, 3, 6));
            assertTrue(raw.pending().isEmpty(), "one acknowledgement lets one more through");

            List<Publish> unacknowledged = new ArrayList<>(first.subList(1, 3));
            unacknowledged.add(fourth);
            while (texts.size() < 10) {
                raw.send(new PubAck(unacknowledged.remove(0).packetId()));
                Publish next = raw.expect(Publish.class);
                texts.add(V5.text(next));
                unacknowledged.add(next);
            }
            unacknowledged.forEach(p -> raw.send(new PubAck(p.packetId())));
            Await.until("all acknowledged", () -> inflightAndQueued(clientId, 0, 0));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add("m" + i);
            }
            assertEquals(expected, texts, "in order");
        }
    }

    @Test
    void rawQos2MessagesCountAgainstTheReceiveMaximumUntilPubComp() {
        String clientId = Ids.next("raw-rm2");
        String topic = Ids.next("rm2");
        try (RawClient raw = V5.connected(broker, clientId, V5.props(Property.RECEIVE_MAXIMUM, 2));
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            V5.subscribe(raw, topic, QoS.EXACTLY_ONCE);
            for (int i = 0; i < 3; i++) {
                publisher.publish(topic, "q" + i, 2, false);
            }
            Await.until("2 in flight, 1 queued", () -> inflightAndQueued(clientId, 2, 1));
            Publish q0 = raw.expect(Publish.class);
            Publish q1 = raw.expect(Publish.class);
            raw.send(new PubRec(q0.packetId()));
            assertEquals(q0.packetId(), raw.expect(PubRel.class).packetId());
            Await.until("still 2 in flight after PUBREC", () -> inflightAndQueued(clientId, 2, 1));
            assertTrue(raw.pending().isEmpty(), "PUBREC does not free a slot");
            raw.send(new PubComp(q0.packetId()));
            Publish q2 = raw.expect(Publish.class);
            assertEquals(List.of("q0", "q1", "q2"), List.of(V5.text(q0), V5.text(q1), V5.text(q2)));
            for (Publish p : List.of(q1, q2)) {
                raw.send(new PubRec(p.packetId()));
                raw.expect(PubRel.class);
                raw.send(new PubComp(p.packetId()));
            }
            Await.until("all complete", () -> inflightAndQueued(clientId, 0, 0));
        }
    }

    // ------------------------------------------------------------ the broker's Receive Maximum

    @Test
    void hiveMqKeepsToTheBrokersReceiveMaximum() {
        String topic = Ids.next("broker-rm");
        // (Paho v5 also reads it, but refuses a publish beyond the window with 32202 instead of
        // queueing it, and counts its flows asynchronously, so whether it refuses is a race.)
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b);
             MqttTestClient subscriber = Library.HIVEMQ_V5.connect(broker, Ids.next("sub"))) {
            assertEquals(2, hive.connAck().getRestrictions().getReceiveMaximum(), "CONNACK Receive Maximum");
            subscriber.subscribe(topic, 2);
            // HiveMQ queues what does not fit in the broker's window and sends it as flows complete.
            List<CompletableFuture<Mqtt5PublishResult>> hiveFlows = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                hiveFlows.add(hive.client.publishWith().topic(topic).payload(("h" + i).getBytes(UTF_8))
                        .qos(MqttQos.EXACTLY_ONCE).send());
            }
            for (CompletableFuture<Mqtt5PublishResult> flow : hiveFlows) {
                assertTrue(Await.result("HiveMQ QoS 2 flow", flow).getError().isEmpty());
            }
            Set<String> got = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                got.add(subscriber.next().text());
            }
            assertEquals(20, got.size());
            assertTrue(hive.isConnected(), "HiveMQ did not exceed the broker's Receive Maximum");
        }
    }

    @Test
    void rawClientExceedingTheBrokersReceiveMaximumGets0x93() {
        String clientId = Ids.next("raw-greedy");
        try (RawClient raw = V5.connected(broker, clientId, Properties.EMPTY)) {
            // QoS 1 is acknowledged at once: it never counts.
            for (int i = 1; i <= 5; i++) {
                V5.publishQos1(raw, Ids.next("greedy"), "q1", Properties.EMPTY);
            }
            for (int id = 1; id <= 2; id++) {
                raw.send(new Publish(Ids.next("greedy"), QoS.EXACTLY_ONCE, false, false, id, "x".getBytes(UTF_8),
                        Properties.EMPTY));
                assertEquals(id, raw.expect(PubRec.class).packetId());
            }
            raw.send(new Publish(Ids.next("greedy"), QoS.EXACTLY_ONCE, false, false, 3, "x".getBytes(UTF_8),
                    Properties.EMPTY));
            V5.expectDisconnect(raw, ReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
        }
        assertEquals(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, broker.events.awaitDisconnect(clientId).reason().reasonCode());
    }

    @Test
    void rawClientReleasingItsQos2MessagesStaysWithinTheBrokersReceiveMaximum() {
        try (RawClient raw = V5.connected(broker, Ids.next("raw-polite"), Properties.EMPTY)) {
            for (int id = 1; id <= 6; id++) {
                raw.send(new Publish(Ids.next("polite"), QoS.EXACTLY_ONCE, false, false, id, "x".getBytes(UTF_8),
                        Properties.EMPTY));
                assertEquals(id, raw.expect(PubRec.class).packetId());
                raw.send(new PubRel(id));
                assertEquals(id, raw.expect(PubComp.class).packetId());
            }
        }
    }

    // ------------------------------------------------------------ Maximum Packet Size

    @Test
    void brokersMaximumPacketSizeIsAnnouncedAndEnforced() throws Exception {
        String topic = Ids.next("broker-mps");
        // HiveMQ 1.3.7 keeps the topic alias it gave a PUBLISH its encoder then refused, and sends
        // the next PUBLISH on that topic with the alias alone (which the broker rightly refuses
        // with 0x82): this client uses no aliases.
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive"),
                b -> b.restrictions().sendTopicAliasMaximum(0).applyRestrictions());
             MqttTestClient subscriber = Library.PAHO_V5.connect(broker, Ids.next("sub"))) {
            assertEquals(2048, hive.connAck().getRestrictions().getMaximumPacketSize(), "CONNACK Maximum Packet Size");
            try (PahoV5Client another = PahoV5Client.create(broker, Ids.next("paho2"))) {
                IMqttToken connect = another.tryConnect(options -> { });
                assertEquals(2048L, connect.getResponseProperties().getMaximumPacketSize());
            }
            subscriber.subscribe(topic, 1);
            // HiveMQ does not send what the broker announced it would refuse.
            Throwable failure = hive.publishExpectingFailure(topic, new byte[3000], 1);
            assertTrue(failure.getMessage().contains("maximum packet size"), failure.toString());
            assertTrue(hive.isConnected());
            hive.publish(topic, "fits", 1, false);
            assertEquals("fits", subscriber.next().text());
        }
        String clientId = Ids.next("raw-big");
        try (RawClient raw = V5.connected(broker, clientId, Properties.EMPTY)) {
            raw.send(new Publish(topic, QoS.AT_LEAST_ONCE, false, false, 1, new byte[3000], Properties.EMPTY));
            V5.expectDisconnect(raw, ReasonCode.PACKET_TOO_LARGE);
        }
        assertEquals(ReasonCode.PACKET_TOO_LARGE, broker.events.awaitDisconnect(clientId).reason().reasonCode());
    }

    @Test
    void messagesTooLargeForAClientAreDroppedForThatClientOnly() {
        String topic = Ids.next("client-mps");
        String smallId = Ids.next("hive-small");
        try (HiveMqV5Client small = HiveMqV5Client.connect(broker, smallId,
                b -> b.restrictions().maximumPacketSize(500).applyRestrictions());
             MqttTestClient large = Library.PAHO_V5.connect(broker, Ids.next("large"));
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            small.subscribe(topic, 1);
            large.subscribe(topic, 1);
            publisher.publish(topic, new byte[1000], 1, false);
            publisher.publish(topic, "fits", 1, false);
            assertEquals(1000, large.next().payload().length, "delivered to the client that can take it");
            assertEquals("fits", large.next().text());
            assertEquals("fits", small.next().text(), "the large message was skipped for the small client");
            broker.events.await("PACKET_TOO_LARGE drop", 1, RecordingListener.Dropped.class,
                    e -> e.clientId().equals(smallId) && e.reason() == DropReason.PACKET_TOO_LARGE);
            assertTrue(small.isConnected());
        }
    }

    @Test
    void rawPropertiesCountTowardsTheClientsMaximumPacketSize() {
        // 60 bytes: a PUBLISH with a short topic and payload fits; with a long user property it does not.
        String topic = Ids.next("mps");
        try (RawClient raw = V5.connected(broker, Ids.next("raw-small"), V5.props(Property.MAXIMUM_PACKET_SIZE, 60L));
             HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("pub"), b -> b)) {
            V5.subscribe(raw, topic, QoS.AT_MOST_ONCE);
            Await.result("with a long user property", publisher.client.publishWith().topic(topic)
                    .payload("x".getBytes(UTF_8)).userProperties().add("long", "a".repeat(60)).applyUserProperties().send());
            publisher.publish(topic, "short", 0, false);
            Publish received = raw.expect(Publish.class);
            assertEquals("short", V5.text(received), "the message with the long property was not sent");
        }
    }

    @Test
    void rawDisconnectLeavesItsReasonStringOutWhenItWouldExceedTheClientsMaximum() {
        try (RawClient roomy = V5.connected(broker, Ids.next("raw-roomy"), Properties.EMPTY)) {
            roomy.send(new Publish(Ids.next("mps"), QoS.AT_MOST_ONCE, false, false, 0, "x".getBytes(UTF_8),
                    V5.props(Property.TOPIC_ALIAS, 99)));
            Disconnect disconnect = V5.expectDisconnect(roomy, ReasonCode.TOPIC_ALIAS_INVALID);
            assertTrue(disconnect.properties().contains(Property.REASON_STRING), "a reason string when it fits");
        }
        try (RawClient tight = V5.connected(broker, Ids.next("raw-tight"), V5.props(Property.MAXIMUM_PACKET_SIZE, 20L))) {
            tight.send(new Publish(Ids.next("mps"), QoS.AT_MOST_ONCE, false, false, 0, "x".getBytes(UTF_8),
                    V5.props(Property.TOPIC_ALIAS, 99)));
            MqttPacket packet = tight.next();
            Disconnect disconnect = assertInstanceOf(Disconnect.class, packet);
            assertEquals(ReasonCode.TOPIC_ALIAS_INVALID, disconnect.reasonCode());
            assertFalse(disconnect.properties().contains(Property.REASON_STRING), "no reason string beyond 20 bytes");
        }
    }

    private static boolean inflightAndQueued(String clientId, int inflight, int queued) {
        return broker.broker.session(clientId)
                .map(s -> s.inflightMessages() == inflight && s.queuedMessages() == queued).orElse(false);
    }
}
