package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.corvid.broker.it.Await;
import io.corvid.broker.it.HiveMqV5Client;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.Library;
import io.corvid.broker.it.MqttTestClient;
import io.corvid.broker.it.PahoV5Client;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.Received;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.Will;
import java.util.List;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a broker that does less than everything tells MQTT 5.0 clients in CONNACK (Maximum
 * QoS, Retain Available, Wildcard / Subscription Identifier / Shared Subscription Available),
 * how the HiveMQ client and Paho read it, and how the broker enforces it against a client that
 * ignores it: PUBLISH above Maximum QoS 0x9B, RETAIN when unavailable 0x9A, SUBACK 0xA2 / 0x9E
 * per filter, DISCONNECT 0xA1 for a Subscription Identifier, and a will that asks too much
 * refused in CONNACK.
 */
class CapabilitiesIT {
    private static TestBroker limited;

    @BeforeAll
    static void startBroker() {
        limited = TestBroker.start(b -> b.maximumQos(QoS.AT_LEAST_ONCE).retainAvailable(false)
                .wildcardSubscriptionsAvailable(false).subscriptionIdentifiersAvailable(false)
                .sharedSubscriptionsAvailable(false));
    }

    @AfterAll
    static void stopBroker() {
        limited.close();
    }

    @Test
    void defaultBrokerAnnouncesEverythingAvailable() {
        try (TestBroker full = TestBroker.start();
             HiveMqV5Client hive = HiveMqV5Client.connect(full, Ids.next("hive"), b -> b);
             RawClient raw = RawClient.open(full, ProtocolVersion.MQTT_5)) {
            Mqtt5ConnAckRestrictions restrictions = hive.connAck().getRestrictions();
            assertEquals(MqttQos.EXACTLY_ONCE, restrictions.getMaximumQos());
            assertTrue(restrictions.isRetainAvailable());
            assertTrue(restrictions.isWildcardSubscriptionAvailable());
            assertTrue(restrictions.areSubscriptionIdentifiersAvailable());
            assertTrue(restrictions.isSharedSubscriptionAvailable());
            ConnAck connAck = raw.connect(V5.connect(Ids.next("raw"), true, Properties.EMPTY));
            for (Property absent : List.of(Property.MAXIMUM_QOS, Property.RETAIN_AVAILABLE,
                    Property.WILDCARD_SUBSCRIPTION_AVAILABLE, Property.SUBSCRIPTION_IDENTIFIER_AVAILABLE,
                    Property.SHARED_SUBSCRIPTION_AVAILABLE)) {
                assertFalse(connAck.properties().contains(absent), absent + " left at its default: " + connAck);
            }
        }
    }

    @Test
    void clientsReadTheLimitsFromConnAck() throws Exception {
        try (HiveMqV5Client hive = HiveMqV5Client.connect(limited, Ids.next("hive"), b -> b)) {
            Mqtt5ConnAckRestrictions restrictions = hive.connAck().getRestrictions();
            assertEquals(MqttQos.AT_LEAST_ONCE, restrictions.getMaximumQos());
            assertFalse(restrictions.isRetainAvailable());
            assertFalse(restrictions.isWildcardSubscriptionAvailable());
            assertFalse(restrictions.areSubscriptionIdentifiersAvailable());
            assertFalse(restrictions.isSharedSubscriptionAvailable());
        }
        try (PahoV5Client paho = PahoV5Client.create(limited, Ids.next("paho"))) {
            IMqttToken token = paho.tryConnect(options -> { });
            MqttProperties properties = token.getResponseProperties();
            assertEquals(1, properties.getMaximumQoS());
            assertFalse(properties.isRetainAvailable());
            assertFalse(properties.isWildcardSubscriptionsAvailable());
            assertFalse(properties.isSubscriptionIdentifiersAvailable());
            assertFalse(properties.isSharedSubscriptionAvailable());
        }
        try (RawClient raw = RawClient.open(limited, ProtocolVersion.MQTT_5)) {
            Properties properties = raw.connect(V5.connect(Ids.next("raw"), true, Properties.EMPTY)).properties();
            assertEquals(1, properties.getInt(Property.MAXIMUM_QOS, -1));
            assertEquals(0, properties.getInt(Property.RETAIN_AVAILABLE, -1));
            assertEquals(0, properties.getInt(Property.WILDCARD_SUBSCRIPTION_AVAILABLE, -1));
            assertEquals(0, properties.getInt(Property.SUBSCRIPTION_IDENTIFIER_AVAILABLE, -1));
            assertEquals(0, properties.getInt(Property.SHARED_SUBSCRIPTION_AVAILABLE, -1));
        }
    }

    @Test
    void hiveMqWithinTheLimits() {
        String topic = Ids.next("limited");
        try (HiveMqV5Client hive = HiveMqV5Client.connect(limited, Ids.next("hive"), b -> b);
             MqttTestClient paho = Library.PAHO_V5.connect(limited, Ids.next("paho"))) {
            assertEquals(0xA2, hive.trySubscribe(topic + "/+", 1), "SUBACK Wildcard Subscriptions not supported");
            assertEquals(0x9E, hive.trySubscribe("$share/g/" + topic, 1), "SUBACK Shared Subscriptions not supported");
            assertEquals(1, hive.trySubscribe(topic, 2), "QoS 2 asked, the maximum granted");
            paho.subscribe(topic, 1);
            hive.publish(topic, "q1", 1, false);
            Received received = paho.next();
            assertEquals("q1", received.text());
            assertEquals(1, received.qos());
        }
    }

    /**
     * The HiveMQ client reads Maximum QoS and Retain Available (test above) but still sends what
     * its application asks for; the broker answers as the specification says.
     */
    @Test
    void hiveMqIgnoringTheLimitsIsDisconnected() {
        try (HiveMqV5Client hive = HiveMqV5Client.connect(limited, Ids.next("hive-q2"), b -> b)) {
            hive.client.publishWith().topic(Ids.next("q2")).payload("q2".getBytes(UTF_8)).qos(MqttQos.EXACTLY_ONCE).send();
            assertEquals(Mqtt5DisconnectReasonCode.QOS_NOT_SUPPORTED, serverDisconnect(hive).getReasonCode());
        }
        try (HiveMqV5Client hive = HiveMqV5Client.connect(limited, Ids.next("hive-retain"), b -> b)) {
            hive.client.publishWith().topic(Ids.next("retain")).payload("r".getBytes(UTF_8)).retain(true).send();
            assertEquals(Mqtt5DisconnectReasonCode.RETAIN_NOT_SUPPORTED, serverDisconnect(hive).getReasonCode());
        }
    }

    private static Mqtt5Disconnect serverDisconnect(HiveMqV5Client hive) {
        Throwable cause = Await.result("HiveMQ disconnected by the broker", hive.disconnected);
        Mqtt5Disconnect disconnect = assertInstanceOf(Mqtt5DisconnectException.class, cause).getMqttMessage();
        assertTrue(disconnect.getReasonString().isPresent(), "with a reason string: " + disconnect);
        return disconnect;
    }

    @Test
    void rawPublishAboveMaximumQosGets0x9B() {
        try (RawClient raw = V5.connected(limited, Ids.next("raw"), Properties.EMPTY)) {
            raw.send(new Publish(Ids.next("q2"), QoS.EXACTLY_ONCE, false, false, 1, "x".getBytes(UTF_8), Properties.EMPTY));
            V5.expectDisconnect(raw, ReasonCode.QOS_NOT_SUPPORTED);
        }
    }

    @Test
    void rawRetainWhenUnavailableGets0x9A() {
        try (RawClient raw = V5.connected(limited, Ids.next("raw"), Properties.EMPTY)) {
            raw.send(new Publish(Ids.next("retain"), QoS.AT_MOST_ONCE, true, false, 0, "x".getBytes(UTF_8), Properties.EMPTY));
            V5.expectDisconnect(raw, ReasonCode.RETAIN_NOT_SUPPORTED);
        }
    }

    @Test
    void rawSubscribeIsAnsweredPerFilter() {
        String topic = Ids.next("filters");
        try (RawClient raw = V5.connected(limited, Ids.next("raw"), Properties.EMPTY)) {
            SubAck subAck = V5.subscribe(raw, Properties.EMPTY,
                    new Subscription(topic, QoS.EXACTLY_ONCE),
                    new Subscription(topic + "/#", QoS.AT_LEAST_ONCE),
                    new Subscription(topic + "/+/x", QoS.AT_MOST_ONCE),
                    new Subscription("$share/g/" + topic, QoS.AT_LEAST_ONCE),
                    new Subscription(topic + "/plain", QoS.AT_MOST_ONCE));
            assertEquals(List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED,
                    ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED, ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED,
                    ReasonCode.GRANTED_QOS_0), subAck.reasonCodes());
        }
    }

    @Test
    void rawSubscriptionIdentifierWhenUnavailableGets0xA1() {
        try (RawClient raw = V5.connected(limited, Ids.next("raw"), Properties.EMPTY)) {
            raw.send(new io.corvid.broker.packet.Subscribe(1, List.of(new Subscription(Ids.next("subid"), QoS.AT_MOST_ONCE)),
                    V5.props(Property.SUBSCRIPTION_IDENTIFIER, 1)));
            V5.expectDisconnect(raw, ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED);
        }
    }

    @Test
    void rawWillAskingTooMuchIsRefusedInConnAck() {
        Will qos2 = new Will(Ids.next("will"), "x".getBytes(UTF_8), QoS.EXACTLY_ONCE, false, Properties.EMPTY);
        try (RawClient raw = RawClient.open(limited, ProtocolVersion.MQTT_5)) {
            V5.expectRefused(raw, V5.connect(Ids.next("raw"), true, qos2, Properties.EMPTY), ReasonCode.QOS_NOT_SUPPORTED);
        }
        Will retained = new Will(Ids.next("will"), "x".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true, Properties.EMPTY);
        try (RawClient raw = RawClient.open(limited, ProtocolVersion.MQTT_5)) {
            V5.expectRefused(raw, V5.connect(Ids.next("raw"), true, retained, Properties.EMPTY),
                    ReasonCode.RETAIN_NOT_SUPPORTED);
        }
    }
}
