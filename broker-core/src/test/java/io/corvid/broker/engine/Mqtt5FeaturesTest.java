package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Mqtt5FeaturesTest extends EngineTestSupport {

    private TestClient connect5(String clientId, Properties properties) {
        TestClient client = client(clientId);
        assertEquals(ReasonCode.SUCCESS,
                client.connect(TestClient.connect(MQTT_5, clientId, true, 60, properties, null)).reasonCode());
        return client;
    }

    @Test
    void outboundTopicAliasesReplaceRepeatedTopicsUpToTheClientsMaximum() {
        TestClient client = connect5("alias", Properties.builder().put(Property.TOPIC_ALIAS_MAXIMUM, 2).build());
        client.subscribe("t/#", QoS.AT_MOST_ONCE);
        String[] topics = {"t/a", "t/a", "t/b", "t/c", "t/a", "t/c"};
        for (String topic : topics) {
            engine().publishFromApplication(Publish.atMostOnce(topic, new byte[0], false));
        }
        Map<Integer, String> aliases = new HashMap<>();
        StringBuilder wire = new StringBuilder();
        for (String expected : topics) {
            Publish publish = client.receive();
            int alias = publish.properties().getInt(Property.TOPIC_ALIAS, 0);
            assertTrue(alias >= 1 && alias <= 2, "alias within the client's maximum: " + alias);
            if (!publish.topic().isEmpty()) {
                aliases.put(alias, publish.topic());
            }
            assertEquals(expected, aliases.get(alias), "alias resolves to the topic sent");
            wire.append(publish.topic().isEmpty() ? "-" : "T");
        }
        // t/a new, t/a known, t/b new, t/c takes the least recently used alias (t/a's),
        // t/a takes t/b's, t/c known: the topic travels only when an alias is (re)assigned.
        assertEquals("T-TTT-", wire.toString());
    }

    @Test
    void outboundTopicAliasesCanBeTurnedOff() {
        settings.outboundTopicAliases(false);
        TestClient client = connect5("noalias", Properties.builder().put(Property.TOPIC_ALIAS_MAXIMUM, 5).build());
        client.subscribe("x", QoS.AT_MOST_ONCE);
        engine().publishFromApplication(Publish.atMostOnce("x", new byte[0], false));
        engine().publishFromApplication(Publish.atMostOnce("x", new byte[0], false));
        assertFalse(client.receive().properties().contains(Property.TOPIC_ALIAS));
        assertEquals("x", client.receive().topic());
    }

    @Test
    void responseInformationIsGivenOnlyWhenRequestedAndConfigured() {
        settings.responseInformation(info -> "responses/" + info.clientId());
        ConnAck asked = client("asker").connect(TestClient.connect(MQTT_5, "asker", true, 60,
                Properties.builder().put(Property.REQUEST_RESPONSE_INFORMATION, 1).build(), null));
        assertEquals("responses/asker", asked.properties().getString(Property.RESPONSE_INFORMATION));
        ConnAck silent = client("silent").connect(MQTT_5, true);
        assertNull(silent.properties().getString(Property.RESPONSE_INFORMATION));
    }

    @Test
    void requestResponseFieldsAreForwarded() {
        TestClient responder = connect5("responder", Properties.EMPTY);
        responder.subscribe("requests", QoS.AT_LEAST_ONCE);
        TestClient requester = connect5("requester", Properties.EMPTY);
        Properties request = Properties.builder()
                .put(Property.RESPONSE_TOPIC, "replies/requester")
                .put(Property.CORRELATION_DATA, new byte[] {1, 2, 3})
                .put(Property.CONTENT_TYPE, "application/json")
                .put(Property.PAYLOAD_FORMAT_INDICATOR, 1)
                .userProperty("b", "2").userProperty("a", "1").userProperty("b", "3")
                .build();
        requester.publish(new Publish("requests", QoS.AT_LEAST_ONCE, false, false, 9, "{}".getBytes(), request));
        Publish received = responder.receive();
        assertEquals(request, received.properties());
        assertEquals("b", received.properties().userProperties().get(0).name());
        assertEquals("3", received.properties().userProperties().get(2).value(), "user properties keep their order");
    }

    @Test
    void mqtt311SubscriberGetsMessagesFromMqtt5PublisherWithoutProperties() {
        TestClient v3 = client("v3");
        v3.connect(MQTT_3_1_1, true);
        v3.subscribe("mixed", QoS.AT_LEAST_ONCE);
        TestClient v5 = connect5("v5", Properties.EMPTY);
        v5.publish(new Publish("mixed", QoS.AT_LEAST_ONCE, false, false, 3, new byte[] {7},
                Properties.builder().userProperty("k", "v").put(Property.MESSAGE_EXPIRY_INTERVAL, 60L).build()));
        Publish received = v3.receive();
        assertEquals(7, received.payload()[0]);
        assertTrue(received.properties().isEmpty(), "3.1.1 has no properties on the wire");
    }

    @Test
    void authenticationCanSendClientsToAnotherServer() {
        authentication = request -> "moved".equals(request.clientId())
                ? AuthenticationResult.serverMoved("mqtt2.example.com:1883")
                : AuthenticationResult.useAnotherServer("mqtt3.example.com");
        TestClient moved = client("moved");
        ConnAck connAck = moved.connect(MQTT_5, true);
        assertEquals(ReasonCode.SERVER_MOVED, connAck.reasonCode());
        assertEquals("mqtt2.example.com:1883", connAck.properties().getString(Property.SERVER_REFERENCE));
        TestClient other = client("other");
        assertEquals(ReasonCode.USE_ANOTHER_SERVER, other.connect(MQTT_5, true).reasonCode());
        TestClient v3 = client("v3");
        assertEquals(ReasonCode.SERVER_UNAVAILABLE, v3.connect(MQTT_3_1_1, true).reasonCode());
    }

    @Test
    void applicationCanRedirectAConnectedClient() {
        TestClient client = connect5("redirected", Properties.EMPTY);
        assertTrue(engine().redirect("redirected", "mqtt-b.example.com", false));
        Disconnect disconnect = client.expect(Disconnect.class);
        assertEquals(ReasonCode.USE_ANOTHER_SERVER, disconnect.reasonCode());
        assertEquals("mqtt-b.example.com", disconnect.properties().getString(Property.SERVER_REFERENCE));
        client.awaitClosed();
    }

    @Test
    void reasonStringsAreLeftOutWhenTheClientDoesNotWantProblemInformation() {
        authorization = new io.corvid.broker.Authorization() {
            @Override
            public boolean canPublish(io.corvid.broker.ClientInfo c, String topic, QoS qos, boolean retain) {
                return false;
            }
        };
        TestClient terse = connect5("terse", Properties.builder().put(Property.REQUEST_PROBLEM_INFORMATION, 0).build());
        terse.send(new Publish("t", QoS.AT_LEAST_ONCE, false, false, 1, new byte[0], Properties.EMPTY));
        io.corvid.broker.packet.PubAck quiet = terse.expect(io.corvid.broker.packet.PubAck.class);
        assertEquals(ReasonCode.NOT_AUTHORIZED, quiet.reasonCode());
        assertFalse(quiet.properties().contains(Property.REASON_STRING));
        TestClient chatty = connect5("chatty", Properties.EMPTY);
        chatty.send(new Publish("t", QoS.AT_LEAST_ONCE, false, false, 1, new byte[0], Properties.EMPTY));
        assertTrue(chatty.expect(io.corvid.broker.packet.PubAck.class).properties().contains(Property.REASON_STRING));
    }
}
