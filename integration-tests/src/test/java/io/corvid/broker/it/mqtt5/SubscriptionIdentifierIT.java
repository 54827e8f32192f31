package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.it.Await;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.Library;
import io.corvid.broker.it.MqttTestClient;
import io.corvid.broker.it.PahoV5Client;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscription;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 Subscription Identifiers: echoed on every delivery through the subscription (live,
 * retained on subscribe, queued while offline), and when several subscriptions of a client
 * match, one copy carries all their identifiers. Paho v5 reads them (the HiveMQ client does
 * not show them to its application); raw clients check the wire form.
 */
class SubscriptionIdentifierIT {
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
    void pahoReceivesTheIdentifiersOfEveryMatchingSubscriptionOnOneCopy() throws Exception {
        String root = Ids.next("subid");
        try (PahoV5Client paho = PahoV5Client.create(broker, Ids.next("paho")).connect(options -> { });
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            subscribe(paho, root + "/a", 101);
            subscribe(paho, root + "/+", 102);
            subscribe(paho, root + "/#", 103);
            publisher.publish(root + "/a", "a", 1, false);
            publisher.publish(root + "/b", "b", 1, false);
            publisher.publish(root + "/c/d", "c/d", 1, false);
            assertIdentifiers(paho, "a", 101, 102, 103);
            assertIdentifiers(paho, "b", 102, 103);
            assertIdentifiers(paho, "c/d", 103);
            publisher.publish(root + "/end", "end", 1, false);
            assertIdentifiers(paho, "end", 102, 103); // nothing else came in between: one copy each
        }
    }

    @Test
    void retainedAndQueuedMessagesCarryTheIdentifierToo() throws Exception {
        String topic = Ids.next("subid-kept");
        String clientId = Ids.next("paho-kept");
        try (MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            publisher.publish(topic, "retained", 1, true);
            try (PahoV5Client paho = PahoV5Client.create(broker, clientId).connect(options -> {
                options.setCleanStart(true);
                options.setSessionExpiryInterval(300L);
            })) {
                subscribe(paho, topic, 7);
                assertIdentifiers(paho, "retained", 7);
                paho.disconnect();
            }
            broker.awaitNotConnected(clientId);
            publisher.publish(topic, "queued", 1, false);
            try (PahoV5Client paho = PahoV5Client.create(broker, clientId).connect(options -> {
                options.setCleanStart(false);
                options.setSessionExpiryInterval(0L);
            })) {
                assertTrue(paho.sessionPresent());
                assertIdentifiers(paho, "queued", 7);
            }
            publisher.publish(topic, "", 1, true);
        }
    }

    @Test
    void rawWireFormAndTheIdentifierOfAReplacedSubscription() {
        String root = Ids.next("subid-raw");
        try (RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY);
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            SubAck first = V5.subscribe(raw, V5.props(Property.SUBSCRIPTION_IDENTIFIER, 1),
                    new Subscription(root + "/x", QoS.AT_LEAST_ONCE), new Subscription(root + "/y", QoS.AT_LEAST_ONCE));
            assertEquals(List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_1), first.reasonCodes());
            V5.subscribe(raw, V5.props(Property.SUBSCRIPTION_IDENTIFIER, 268_435_455),
                    new Subscription(root + "/+", QoS.AT_MOST_ONCE));

            publisher.publish(root + "/x", "x", 1, false);
            Publish x = raw.expect(Publish.class);
            assertEquals(QoS.AT_LEAST_ONCE, x.qos(), "one copy at the highest QoS of the matching subscriptions");
            assertEquals(Set.of(1, 268_435_455), set(x.properties().subscriptionIdentifiers()),
                    "both identifiers, the largest one allowed included");
            raw.send(new PubAck(x.packetId()));

            // Subscribing again to the same filter replaces the subscription and its identifier.
            V5.subscribe(raw, V5.props(Property.SUBSCRIPTION_IDENTIFIER, 5), new Subscription(root + "/y", QoS.AT_LEAST_ONCE));
            publisher.publish(root + "/y", "y", 1, false);
            Publish y = raw.expect(Publish.class);
            assertEquals(Set.of(5, 268_435_455), set(y.properties().subscriptionIdentifiers()));
            raw.send(new PubAck(y.packetId()));

            // ... and without an identifier the replaced subscription has none.
            V5.subscribe(raw, Properties.EMPTY, new Subscription(root + "/+", QoS.AT_MOST_ONCE));
            publisher.publish(root + "/z", "z", 0, false);
            Publish z = raw.expect(Publish.class);
            assertEquals(0, z.properties().subscriptionIdentifierCount(), "no identifier: " + z);
        }
    }

    @Test
    void rawSubscriptionIdentifierZeroIsAProtocolError() {
        // Subscription Identifier 0 cannot be encoded through the packet model (1..268,435,455 only),
        // so the SUBSCRIBE is written by hand: packet id 1, properties [0x0B, 0x00], filter "a", QoS 0.
        byte[] subscribe = {(byte) 0x82, 9, 0, 1, 2, 0x0B, 0x00, 0, 1, 'a', 0};
        try (RawClient raw = V5.connected(broker, Ids.next("raw-zero"), Properties.EMPTY)) {
            raw.sendBytes(subscribe);
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void rawPublishCarryingASubscriptionIdentifierIsAProtocolError() {
        // Hand-written QoS 0 PUBLISH to "t" with properties [0x0B, 0x01]: only the server may send those.
        try (RawClient raw = V5.connected(broker, Ids.next("raw-pub-id"), Properties.EMPTY)) {
            raw.sendBytes(new byte[] {0x30, 7, 0, 1, 't', 2, 0x0B, 0x01, 'x'});
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
    }

    private static void subscribe(PahoV5Client paho, String filter, int identifier) throws Exception {
        MqttProperties properties = new MqttProperties();
        properties.setSubscriptionIdentifier(identifier);
        paho.client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)}, null, null, properties)
                .waitForCompletion(Await.TIMEOUT.toMillis());
    }

    private static void assertIdentifiers(PahoV5Client paho, String payloadSuffix, Integer... expected) {
        MqttMessage message = Await.next("a message for Paho", paho.messages());
        String payload = new String(message.getPayload(), UTF_8);
        assertTrue(payload.endsWith(payloadSuffix), "expected the message '" + payloadSuffix + "', got '" + payload + "'");
        assertEquals(new TreeSet<>(Arrays.asList(expected)), new TreeSet<>(message.getProperties().getSubscriptionIdentifiers()),
                "subscription identifiers of '" + payload + "'");
    }

    private static Set<Integer> set(int[] values) {
        Set<Integer> set = new TreeSet<>();
        for (int value : values) {
            set.add(value);
        }
        return set;
    }
}
