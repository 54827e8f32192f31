package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Authorization;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WillTest extends EngineTestSupport {

    private static Will will(String topic, QoS qos, boolean retain, Properties properties) {
        return new Will(topic, "gone".getBytes(StandardCharsets.UTF_8), qos, retain, properties);
    }

    private TestClient watcher(String filter) {
        TestClient watcher = client("watcher");
        watcher.connect(MQTT_5, true);
        watcher.subscribe(filter, QoS.EXACTLY_ONCE);
        return watcher;
    }

    private TestClient connectWithWill(String clientId, ProtocolVersion version, Will will, Properties properties) {
        TestClient client = client(clientId);
        assertEquals(ReasonCode.SUCCESS,
                client.connect(TestClient.connect(version, clientId, true, 60, properties, will)).reasonCode());
        return client;
    }

    @Test
    void willIsPublishedWhenTheConnectionDiesWithItsQos() {
        TestClient watcher = watcher("wills/#");
        TestClient dying = connectWithWill("dying", MQTT_3_1_1, will("wills/dying", QoS.AT_LEAST_ONCE, false, Properties.EMPTY),
                Properties.EMPTY);
        dying.dropNetwork();
        Publish will = watcher.receive();
        assertEquals("wills/dying", will.topic());
        assertEquals(QoS.AT_LEAST_ONCE, will.qos());
        assertEquals("gone", new String(will.payload(), StandardCharsets.UTF_8));
    }

    @Test
    void willIsNotPublishedAfterANormalDisconnect() {
        TestClient watcher = watcher("wills/#");
        TestClient polite = connectWithWill("polite", MQTT_3_1_1, will("wills/polite", QoS.AT_MOST_ONCE, false,
                Properties.EMPTY), Properties.EMPTY);
        polite.send(Disconnect.NORMAL);
        polite.awaitClosed();
        events.await("disconnected polite CLIENT");
        watcher.expectNothing();
    }

    @Test
    void mqtt5DisconnectWithWillMessagePublishesIt() {
        TestClient watcher = watcher("wills/#");
        TestClient client = connectWithWill("w5", MQTT_5, will("wills/w5", QoS.AT_MOST_ONCE, false, Properties.EMPTY),
                Properties.EMPTY);
        client.send(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE));
        assertEquals("wills/w5", watcher.receive().topic());
    }

    @Test
    void retainedWillIsStored() {
        TestClient client = connectWithWill("ret", MQTT_3_1_1, will("wills/ret", QoS.AT_MOST_ONCE, true, Properties.EMPTY),
                Properties.EMPTY);
        client.dropNetwork();
        events.await("published <application> wills/ret");
        TestClient late = client("late");
        late.connect(MQTT_3_1_1, true);
        late.subscribe("wills/ret", QoS.AT_MOST_ONCE);
        Publish retained = late.receive();
        assertTrue(retained.retain());
    }

    @Test
    void willIsPublishedWhenTheBrokerClosesTheConnectionForAProtocolError() {
        TestClient watcher = watcher("wills/#");
        TestClient client = connectWithWill("bad", MQTT_5, will("wills/bad", QoS.AT_MOST_ONCE, false, Properties.EMPTY),
                Properties.EMPTY);
        client.send(new Publish("x", QoS.AT_MOST_ONCE, false, false, 0, new byte[0],
                Properties.builder().put(Property.TOPIC_ALIAS, 1000).build()));
        assertEquals(ReasonCode.TOPIC_ALIAS_INVALID, client.expect(Disconnect.class).reasonCode());
        assertEquals("wills/bad", watcher.receive().topic());
    }

    @Test
    void willIsPublishedOnTakeover() {
        TestClient watcher = watcher("wills/#");
        connectWithWill("taken", MQTT_3_1_1, will("wills/taken", QoS.AT_MOST_ONCE, false, Properties.EMPTY),
                Properties.EMPTY);
        client("taken").connect(MQTT_3_1_1, true);
        assertEquals("wills/taken", watcher.receive().topic());
    }

    @Test
    void delayedWillIsSuppressedWhenTheClientComesBackInTime() {
        TestClient watcher = watcher("wills/#");
        Properties sessionKept = Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 600L).build();
        TestClient client = client("delay");
        client.connect(TestClient.connect(MQTT_5, "delay", true, 60, sessionKept,
                will("wills/delay", QoS.AT_MOST_ONCE, false,
                        Properties.builder().put(Property.WILL_DELAY_INTERVAL, 60L).build())));
        client.dropNetwork();
        events.await("disconnected delay");
        TestClient back = client("delay");
        assertTrue(back.connect(TestClient.connect(MQTT_5, "delay", false, 60, sessionKept, null)).sessionPresent());
        watcher.expectNothing();
    }

    @Test
    void delayedWillIsPublishedWhenTheSessionEndsFirst() {
        TestClient watcher = watcher("wills/#");
        TestClient client = client("ends");
        client.connect(TestClient.connect(MQTT_5, "ends", true, 60,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 1L).build(),
                will("wills/ends", QoS.AT_MOST_ONCE, false,
                        Properties.builder().put(Property.WILL_DELAY_INTERVAL, 3600L).build())));
        client.dropNetwork();
        Publish will = watcher.receive();
        assertEquals("wills/ends", will.topic());
        assertTrue(will.properties().isEmpty() || !will.properties().contains(Property.WILL_DELAY_INTERVAL));
    }

    @Test
    void willPropertiesAreForwarded() {
        TestClient watcher = watcher("wills/#");
        Properties willProperties = Properties.builder()
                .put(Property.CONTENT_TYPE, "text/plain")
                .put(Property.PAYLOAD_FORMAT_INDICATOR, 1)
                .userProperty("reason", "crash")
                .build();
        connectWithWill("props", MQTT_5, will("wills/props", QoS.AT_MOST_ONCE, false, willProperties), Properties.EMPTY)
                .dropNetwork();
        assertEquals(willProperties, watcher.receive().properties());
    }

    @Test
    void refusedConnectWithWillPublishesNothing() {
        authorization = new Authorization() {
            @Override
            public boolean canPublish(ClientInfo client, String topic, QoS qos, boolean retain) {
                return !topic.startsWith("forbidden");
            }
        };
        TestClient watcher = watcher("#");
        TestClient client = client("sneaky");
        ConnAck connAck = client.connect(TestClient.connect(MQTT_3_1_1, "sneaky", true, 60, Properties.EMPTY,
                will("forbidden/will", QoS.AT_MOST_ONCE, false, Properties.EMPTY)));
        assertEquals(ReasonCode.NOT_AUTHORIZED, connAck.reasonCode());
        client.awaitClosed();
        watcher.expectNothing();
        events.await("refused sneaky NOT_AUTHORIZED");
    }
}
