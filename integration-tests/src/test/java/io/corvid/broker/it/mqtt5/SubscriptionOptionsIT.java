package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import io.corvid.broker.it.Await;
import io.corvid.broker.it.HiveMqV5Client;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.Library;
import io.corvid.broker.it.MqttTestClient;
import io.corvid.broker.it.PahoV5Client;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.Received;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.RetainHandling;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 subscription options: No Local (HiveMQ, Paho, raw), Retain As Published and Retain
 * Handling 0/1/2 (Paho and raw; RetainedIT covers them with the HiveMQ client), and the
 * options' protocol errors.
 */
class SubscriptionOptionsIT {
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void noLocalKeepsAClientsOwnMessagesFromIt() throws Exception {
        String topic = Ids.next("no-local");
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b);
             PahoV5Client paho = PahoV5Client.create(broker, Ids.next("paho")).connect(options -> { });
             MqttTestClient other = Library.PAHO_V3.connect(broker, Ids.next("other"))) {
            Await.result("HiveMQ No Local SUBACK", hive.client.subscribeWith().topicFilter(topic)
                    .qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send());
            MqttSubscription pahoSubscription = new MqttSubscription(topic, 1);
            pahoSubscription.setNoLocal(true);
            paho.client.subscribe(new MqttSubscription[] {pahoSubscription}).waitForCompletion(Await.TIMEOUT.toMillis());
            other.subscribe(topic, 1);

            hive.publish(topic, "from hive", 1, false);
            paho.publish(topic, "from paho", 1, false);
            other.publish(topic, "from other", 1, false);

            assertEquals("from paho", hive.next().text(), "HiveMQ did not get its own message");
            assertEquals("from other", hive.next().text());
            assertEquals("from hive", paho.next().text(), "Paho did not get its own message");
            assertEquals("from other", paho.next().text());
            assertEquals("from hive", other.next().text(), "without No Local every message arrives");
            assertEquals("from paho", other.next().text());
            assertEquals("from other", other.next().text());
        }
    }

    @Test
    void pahoRetainHandlingAndRetainAsPublished() throws Exception {
        String topic = Ids.next("paho-rh");
        try (MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"));
             PahoV5Client paho = PahoV5Client.create(broker, Ids.next("paho")).connect(options -> { })) {
            publisher.publish(topic, "kept", 1, true);

            // Retain Handling 1 on a new subscription: the retained message is sent.
            subscribe(paho, topic, 1, false);
            Received first = paho.next();
            assertEquals("kept", first.text());
            assertTrue(first.retain());
            // Retain Handling 1 again: the subscription exists, nothing is sent.
            subscribe(paho, topic, 1, false);
            // Retain Handling 2: never.
            subscribe(paho, topic, 2, false);
            publisher.publish(topic, "live", 1, false);
            assertEquals("live", paho.next().text(), "Retain Handling 1 (existing) and 2 send nothing");
            // Retain Handling 0: on every subscribe.
            subscribe(paho, topic, 0, false);
            assertEquals("kept", paho.next().text());

            // Retain As Published off: a live retained message loses its flag; on: it keeps it.
            publisher.publish(topic, "kept 2", 1, true);
            Received cleared = paho.next();
            assertEquals("kept 2", cleared.text());
            assertFalse(cleared.retain(), "Retain As Published 0: RETAIN cleared on live delivery");
            subscribe(paho, topic, 2, true);
            publisher.publish(topic, "kept 3", 1, true);
            Received kept = paho.next();
            assertEquals("kept 3", kept.text());
            assertTrue(kept.retain(), "Retain As Published 1: RETAIN kept");
            publisher.publish(topic, "", 1, true);
        }
    }

    @Test
    void rawRetainHandlingAndRetainAsPublished() {
        String topic = Ids.next("raw-rh");
        try (MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"));
             RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY)) {
            publisher.publish(topic, "kept", 1, true);
            V5.subscribe(raw, Properties.EMPTY, V5.subscription(topic, QoS.AT_LEAST_ONCE, false, false,
                    RetainHandling.SEND_IF_NEW_SUBSCRIPTION));
            Publish retained = raw.expect(Publish.class);
            assertEquals("kept", V5.text(retained));
            assertTrue(retained.retain(), "sent on subscribe: RETAIN set whatever Retain As Published says");
            raw.send(new PubAck(retained.packetId()));
            V5.subscribe(raw, Properties.EMPTY, V5.subscription(topic, QoS.AT_LEAST_ONCE, false, false,
                    RetainHandling.SEND_IF_NEW_SUBSCRIPTION));
            V5.subscribe(raw, Properties.EMPTY, V5.subscription(topic, QoS.AT_LEAST_ONCE, false, false,
                    RetainHandling.DO_NOT_SEND));
            publisher.publish(topic, "live retained", 1, true);
            Publish live = raw.expect(Publish.class);
            assertEquals("live retained", V5.text(live), "nothing was sent on the last two subscribes");
            assertFalse(live.retain());
            raw.send(new PubAck(live.packetId()));
            V5.subscribe(raw, Properties.EMPTY, V5.subscription(topic, QoS.AT_LEAST_ONCE, false, true,
                    RetainHandling.DO_NOT_SEND));
            publisher.publish(topic, "published retained", 1, true);
            Publish asPublished = raw.expect(Publish.class);
            assertEquals("published retained", V5.text(asPublished));
            assertTrue(asPublished.retain());
            raw.send(new PubAck(asPublished.packetId()));
            publisher.publish(topic, "", 1, true);
        }
    }

    @Test
    void rawNoLocalOnASharedSubscriptionIsAProtocolError() {
        try (RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY)) {
            raw.send(new io.corvid.broker.packet.Subscribe(1, java.util.List.of(V5.subscription(
                    "$share/g/" + Ids.next("no-local"), QoS.AT_LEAST_ONCE, true, false, RetainHandling.SEND_ON_SUBSCRIBE)),
                    Properties.EMPTY));
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void rawRetainHandling3AndReservedOptionBitsAreRefused() {
        // Hand-written SUBSCRIBE (packet id 1, no properties, filter "a"): options 0x30 is Retain
        // Handling 3, a Protocol Error; 0x40 sets a reserved bit, a Malformed Packet.
        try (RawClient raw = V5.connected(broker, Ids.next("raw-rh3"), Properties.EMPTY)) {
            raw.sendBytes(new byte[] {(byte) 0x82, 7, 0, 1, 0, 0, 1, 'a', 0x31});
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
        try (RawClient raw = V5.connected(broker, Ids.next("raw-bits"), Properties.EMPTY)) {
            raw.sendBytes(new byte[] {(byte) 0x82, 7, 0, 1, 0, 0, 1, 'a', 0x41});
            V5.expectDisconnect(raw, ReasonCode.MALFORMED_PACKET);
        }
    }

    @Test
    void rawNoLocal() {
        String topic = Ids.next("raw-no-local");
        try (RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY)) {
            V5.subscribe(raw, Properties.EMPTY, V5.subscription(topic, QoS.AT_LEAST_ONCE, true, false,
                    RetainHandling.SEND_ON_SUBSCRIBE));
            V5.publishQos1(raw, topic, "own", Properties.EMPTY);
            try (MqttTestClient other = Library.HIVEMQ_V5.connect(broker, Ids.next("other"))) {
                other.publish(topic, "theirs", 1, false);
            }
            Publish first = raw.expect(Publish.class);
            assertEquals("theirs", new String(first.payload(), UTF_8), "its own message was not sent back");
        }
    }

    @Test
    void rawNoLocalSubscriptionDoesNotHideAnOverlappingOneWithout() {
        String root = Ids.next("raw-no-local-overlap");
        try (RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY)) {
            V5.subscribe(raw, Properties.EMPTY, V5.subscription(root + "/x", QoS.AT_LEAST_ONCE, true, false,
                    RetainHandling.SEND_ON_SUBSCRIBE));
            V5.subscribe(raw, Properties.EMPTY, V5.subscription(root + "/#", QoS.AT_MOST_ONCE, false, false,
                    RetainHandling.SEND_ON_SUBSCRIBE));
            V5.publishQos1(raw, root + "/x", "own", Properties.EMPTY);
            Publish own = raw.expect(Publish.class);
            assertEquals("own", V5.text(own), "delivered through the subscription without No Local");
            assertEquals(QoS.AT_MOST_ONCE, own.qos(), "at that subscription's QoS only");
            V5.publishQos1(raw, root + "/y", "marker", Properties.EMPTY);
            assertEquals("marker", V5.text(raw.expect(Publish.class)), "once");
        }
    }

    private static void subscribe(PahoV5Client paho, String topic, int retainHandling, boolean retainAsPublished)
            throws Exception {
        MqttSubscription subscription = new MqttSubscription(topic, 1);
        subscription.setRetainHandling(retainHandling);
        subscription.setRetainAsPublished(retainAsPublished);
        paho.client.subscribe(new MqttSubscription[] {subscription}).waitForCompletion(Await.TIMEOUT.toMillis());
    }
}
