package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import org.junit.jupiter.api.Test;

/** Events, administrative disconnects and shutdown. */
class LifecycleTest extends EngineTestSupport {

    private void assertExactlyOneDisconnectEvent(String clientId) {
        events.await("disconnected " + clientId);
        TestClient probe = client("probe-" + clientId);
        probe.connect(MQTT_3_1_1, true);
        probe.send(Disconnect.NORMAL);
        probe.awaitClosed();
        events.await("disconnected probe-" + clientId);
        assertEquals(1, events.count(e -> e.startsWith("disconnected " + clientId + " ")), events.events().toString());
    }

    @Test
    void oneDisconnectEventForAClientDisconnect() {
        TestClient client = client("a");
        client.connect(MQTT_5, true);
        client.send(Disconnect.NORMAL);
        client.awaitClosed();
        client.dropNetwork();
        assertExactlyOneDisconnectEvent("a");
        assertTrue(events.events().contains("disconnected a CLIENT NORMAL_DISCONNECTION"));
    }

    @Test
    void oneDisconnectEventForANetworkFailure() {
        TestClient client = client("b");
        client.connect(MQTT_5, true);
        client.dropNetwork();
        assertExactlyOneDisconnectEvent("b");
        assertTrue(events.events().stream().anyMatch(e -> e.startsWith("disconnected b NETWORK")));
    }

    @Test
    void oneDisconnectEventWhenTheServerCloses() {
        TestClient client = client("c");
        client.connect(MQTT_5, true);
        client.send(new Publish("", QoS.AT_MOST_ONCE, false, false, 0, new byte[0],
                Properties.builder().put(Property.TOPIC_ALIAS, 1).build()));
        client.awaitClosed();
        client.dropNetwork();
        assertExactlyOneDisconnectEvent("c");
    }

    @Test
    void noDisconnectEventWithoutConnect() {
        TestClient client = client("never");
        client.dropNetwork();
        TestClient probe = client("probe");
        probe.connect(MQTT_3_1_1, true);
        probe.send(Disconnect.NORMAL);
        events.await("disconnected probe");
        assertEquals(0, events.count(e -> e.contains("never")));
    }

    @Test
    void applicationCanDisconnectAClient() {
        TestClient client = client("kicked");
        client.connect(MQTT_5, true);
        assertTrue(engine().disconnect("kicked"));
        assertEquals(ReasonCode.ADMINISTRATIVE_ACTION, client.expect(Disconnect.class).reasonCode());
        client.awaitClosed();
        assertExactlyOneDisconnectEvent("kicked");
        assertFalse(engine().disconnect("kicked"));
    }

    @Test
    void shutdownSaysGoodbyePublishesWillsAndWaits() {
        TestClient watcher = client("watcher");
        watcher.connect(MQTT_3_1_1, false);
        watcher.subscribe("wills/#", QoS.AT_LEAST_ONCE);
        TestClient v5 = client("v5");
        v5.connect(TestClient.connect(MQTT_5, "v5", true, 60, Properties.EMPTY,
                new Will("wills/v5", new byte[] {1}, QoS.AT_LEAST_ONCE, true, Properties.EMPTY)));
        engine().disconnectAll(5000);
        assertEquals(ReasonCode.SERVER_SHUTTING_DOWN, v5.expect(Disconnect.class).reasonCode());
        v5.awaitClosed();
        watcher.awaitClosed();
        assertEquals(0, engine().connectedClientCount());
        events.await("published <application> wills/v5");
        assertEquals(1, engine().retainedMessageCount(), "the retained will was stored");
    }

    @Test
    void listsClientsAndSessions() {
        TestClient client = client("listed");
        client.connect(TestClient.connect(MQTT_3_1_1, "listed", false, 60, Properties.EMPTY, null));
        client.subscribe("l/#", QoS.AT_LEAST_ONCE);
        assertEquals("listed", engine().clients().get(0).clientId());
        assertEquals(MQTT_3_1_1, engine().client("listed").orElseThrow().protocolVersion());
        var session = engine().session("listed").orElseThrow();
        assertTrue(session.connected());
        assertEquals("l/#", session.subscriptions().get(0).topicFilter());
        assertEquals(-1, session.expiryIntervalSeconds(), "3.1.1 persistent sessions never expire by default");
    }

    @Test
    void aThrowingListenerDoesNotHurtTheBroker() {
        listeners.add(0, new io.corvid.broker.BrokerListener() {
            @Override
            public void onClientConnected(io.corvid.broker.ClientInfo client, boolean sessionPresent) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onMessagePublished(io.corvid.broker.ClientInfo publisher, Publish message) {
                throw new IllegalStateException("listener bug");
            }
        });
        TestClient client = client("robust");
        client.connect(MQTT_5, true);
        events.await("connected robust");
        client.subscribe("x", QoS.AT_MOST_ONCE);
        assertEquals(1, engine().publishFromApplication(Publish.atMostOnce("x", new byte[0], false)));
    }
}
