package io.corvid.broker.it.mqtt5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.it.Await;
import io.corvid.broker.it.HiveMqV5Client;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.PahoV5Client;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What MQTT 5.0 CONNACK and DISCONNECT tell a client about the connection: Server Keep Alive,
 * Assigned Client Identifier, Response Information (only when requested), and Server
 * Reference with Use Another Server / Server Moved, both from the authentication plug-in
 * ({@link AuthenticationResult#useAnotherServer}, {@link AuthenticationResult#serverMoved}) and
 * for a connected client ({@code Broker.redirect}).
 *
 * <p>The broker: keep alive at most 30 s, Response Information "responses/{client id}", user
 * "elsewhere" sent to another server for now, user "moved" for good.
 */
class ConnectionPropertiesIT {
    private static final String OTHER_SERVER = "mqtt2.example.com:1883";

    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(b -> b.maxKeepAlive(30)
                .responseInformation(client -> "responses/" + client.clientId())
                .authentication(request -> {
                    if ("elsewhere".equals(request.username())) {
                        return AuthenticationResult.useAnotherServer(OTHER_SERVER);
                    }
                    if ("moved".equals(request.username())) {
                        return AuthenticationResult.serverMoved(OTHER_SERVER);
                    }
                    return AuthenticationResult.allow();
                }));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    // ------------------------------------------------------------ Server Keep Alive

    @Test
    void serverKeepAliveCapsOrFillsInTheKeepAlive() throws Exception {
        try (HiveMqV5Client tooLong = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b.keepAlive(600));
             HiveMqV5Client none = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b.noKeepAlive());
             HiveMqV5Client fine = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b.keepAlive(10))) {
            assertEquals(OptionalInt.of(30), tooLong.connAck().getServerKeepAlive(), "more than the maximum: capped");
            assertEquals(OptionalInt.of(30), none.connAck().getServerKeepAlive(), "none while a maximum is set: the maximum");
            assertEquals(OptionalInt.empty(), fine.connAck().getServerKeepAlive(), "within the maximum: as asked");
        }
        try (PahoV5Client paho = PahoV5Client.create(broker, Ids.next("paho"))) {
            IMqttToken token = paho.tryConnect(options -> options.setKeepAliveInterval(120));
            assertEquals(30, token.getResponseProperties().getServerKeepAlive());
        }
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            ConnAck connAck = raw.connect(new Connect(ProtocolVersion.MQTT_5, Ids.next("raw"), true, 0, null, null, null,
                    Properties.EMPTY));
            assertEquals(30, connAck.properties().getInt(Property.SERVER_KEEP_ALIVE, -1));
        }
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1_1)) {
            ConnAck connAck = raw.connect(new Connect(ProtocolVersion.MQTT_3_1_1, Ids.next("raw3"), true, 600, null, null,
                    null, Properties.EMPTY));
            assertEquals(ReasonCode.SUCCESS, connAck.reasonCode(), "MQTT 3.1.1 cannot be told: its keep alive stands");
        }
    }

    @Test
    void rawInvalidConnectPropertiesAreRefused() {
        List<Properties> protocolErrors = List.of(
                V5.props(Property.RECEIVE_MAXIMUM, 0),
                V5.props(Property.MAXIMUM_PACKET_SIZE, 0L),
                V5.props(Property.REQUEST_PROBLEM_INFORMATION, 2),
                V5.props(Property.REQUEST_RESPONSE_INFORMATION, 2));
        for (Properties properties : protocolErrors) {
            try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
                ConnAck connAck = raw.connect(V5.connect(Ids.next("raw-bad"), true, properties));
                assertEquals(ReasonCode.PROTOCOL_ERROR, connAck.reasonCode(), properties.toString());
                raw.awaitClosedByBroker(Await.TIMEOUT);
            }
        }
    }

    // ------------------------------------------------------------ Assigned Client Identifier

    @Test
    void emptyClientIdentifierIsAssignedOne() throws Exception {
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, "", b -> b)) {
            String assigned = hive.connAck().getAssignedClientIdentifier().orElseThrow().toString();
            assertFalse(assigned.isEmpty());
            assertTrue(broker.broker.client(assigned).isPresent(), "the broker knows the client by it");
            assertEquals(Optional.of(assigned), hive.client.getConfig().getClientIdentifier().map(Object::toString),
                    "and so does the HiveMQ client");
        }
        try (PahoV5Client paho = PahoV5Client.create(broker, "")) {
            IMqttToken token = paho.tryConnect(options -> { });
            String assigned = token.getResponseProperties().getAssignedClientIdentifier();
            assertTrue(assigned != null && !assigned.isEmpty());
            assertTrue(broker.broker.client(assigned).isPresent());
        }
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            ConnAck connAck = raw.connect(V5.connect("", false, V5.props(Property.SESSION_EXPIRY_INTERVAL, 60L)));
            assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
            String assigned = connAck.properties().getString(Property.ASSIGNED_CLIENT_IDENTIFIER);
            assertTrue(assigned != null && !assigned.isEmpty(), "MQTT 5.0: also without clean start: " + connAck);
        }
        try (HiveMqV5Client named = HiveMqV5Client.connect(broker, Ids.next("named"), b -> b)) {
            assertEquals(Optional.empty(), named.connAck().getAssignedClientIdentifier(), "only for an empty identifier");
        }
    }

    // ------------------------------------------------------------ Response Information

    @Test
    void responseInformationIsGivenOnlyWhenRequested() throws Exception {
        String hiveId = Ids.next("hive-ri");
        try (HiveMqV5Client asking = HiveMqV5Client.connect(broker, hiveId,
                b -> b.restrictions().requestResponseInformation(true).applyRestrictions());
             HiveMqV5Client silent = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b)) {
            assertEquals("responses/" + hiveId, asking.connAck().getResponseInformation().orElseThrow().toString());
            assertEquals(Optional.empty(), silent.connAck().getResponseInformation());
        }
        String pahoId = Ids.next("paho-ri");
        try (PahoV5Client paho = PahoV5Client.create(broker, pahoId)) {
            IMqttToken token = paho.tryConnect(options -> options.setRequestResponseInfo(true));
            assertEquals("responses/" + pahoId, token.getResponseProperties().getResponseInfo());
        }
        try (TestBroker without = TestBroker.start();
             HiveMqV5Client asking = HiveMqV5Client.connect(without, Ids.next("hive"),
                     b -> b.restrictions().requestResponseInformation(true).applyRestrictions())) {
            assertEquals(Optional.empty(), asking.connAck().getResponseInformation(), "none configured: none given");
        }
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            String rawId = Ids.next("raw-ri");
            ConnAck connAck = raw.connect(V5.connect(rawId, true, V5.props(Property.REQUEST_RESPONSE_INFORMATION, 1)));
            assertEquals("responses/" + rawId, connAck.properties().getString(Property.RESPONSE_INFORMATION));
        }
    }

    // ------------------------------------------------------------ Server Reference

    @Test
    void authenticationSendsClientsToAnotherServer() {
        HiveMqV5Client elsewhere = HiveMqV5Client.unconnected(broker, Ids.next("hive-elsewhere"));
        Throwable refused = Await.failure("CONNECT of a user sent elsewhere", elsewhere.client.connectWith()
                .simpleAuth().username("elsewhere").applySimpleAuth().send());
        Mqtt5ConnAck connAck = assertInstanceOf(Mqtt5ConnAckException.class, refused).getMqttMessage();
        assertEquals(Mqtt5ConnAckReasonCode.USE_ANOTHER_SERVER, connAck.getReasonCode());
        assertEquals(OTHER_SERVER, connAck.getServerReference().orElseThrow().toString());

        HiveMqV5Client moved = HiveMqV5Client.unconnected(broker, Ids.next("hive-moved"));
        connAck = assertInstanceOf(Mqtt5ConnAckException.class, Await.failure("CONNECT of a moved user",
                moved.client.connectWith().simpleAuth().username("moved").applySimpleAuth().send())).getMqttMessage();
        assertEquals(Mqtt5ConnAckReasonCode.SERVER_MOVED, connAck.getReasonCode());
        assertEquals(OTHER_SERVER, connAck.getServerReference().orElseThrow().toString());

        try (PahoV5Client paho = PahoV5Client.create(broker, Ids.next("paho-moved"))) {
            MqttException pahoRefused = assertThrows(MqttException.class,
                    () -> paho.tryConnect(options -> options.setUserName("moved")));
            assertEquals(0x9D, pahoRefused.getReasonCode());
        }
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            ConnAck rawConnAck = V5.expectRefused(raw, new Connect(ProtocolVersion.MQTT_5, Ids.next("raw"), true, 60,
                    "elsewhere", null, null, Properties.EMPTY), ReasonCode.USE_ANOTHER_SERVER);
            assertEquals(OTHER_SERVER, rawConnAck.properties().getString(Property.SERVER_REFERENCE));
        }
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1_1)) {
            ConnAck v3 = V5.expectRefused(raw, new Connect(ProtocolVersion.MQTT_3_1_1, Ids.next("raw3"), true, 60,
                    "elsewhere", null, null, Properties.EMPTY), ReasonCode.SERVER_UNAVAILABLE);
            assertTrue(v3.properties().isEmpty(), "MQTT 3.1.1: return code 3, Server unavailable");
        }
    }

    @Test
    void applicationRedirectsConnectedClients() {
        String hiveId = Ids.next("hive-redirect");
        HiveMqV5Client hive = HiveMqV5Client.connect(broker, hiveId, b -> b);
        assertTrue(broker.broker.redirect(hiveId, OTHER_SERVER, false));
        Mqtt5Disconnect disconnect = assertInstanceOf(Mqtt5DisconnectException.class,
                Await.result("HiveMQ told to use another server", hive.disconnected)).getMqttMessage();
        assertEquals(Mqtt5DisconnectReasonCode.USE_ANOTHER_SERVER, disconnect.getReasonCode());
        assertEquals(OTHER_SERVER, disconnect.getServerReference().orElseThrow().toString());
        assertEquals(ReasonCode.USE_ANOTHER_SERVER, broker.events.awaitDisconnect(hiveId).reason().reasonCode());

        String pahoId = Ids.next("paho-redirect");
        try (PahoV5Client paho = PahoV5Client.create(broker, pahoId).connect(options -> { })) {
            assertTrue(broker.broker.redirect(pahoId, OTHER_SERVER, true));
            MqttDisconnectResponse response = Await.result("Paho told the server moved", paho.disconnected);
            assertEquals(0x9D, response.getReturnCode());
            assertEquals(OTHER_SERVER, response.getServerReference());
        }

        String rawId = Ids.next("raw3-redirect");
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1_1)) {
            raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_3_1_1, rawId, true, 60, null, 0));
            broker.awaitConnected(rawId);
            assertTrue(broker.broker.redirect(rawId, OTHER_SERVER, false));
            raw.awaitClosedByBroker(Await.TIMEOUT);
            assertTrue(raw.pending().isEmpty(), "MQTT 3.1.1: closed without a packet");
        }
        String rawV5Id = Ids.next("raw-redirect");
        try (RawClient raw = V5.connected(broker, rawV5Id, Properties.EMPTY)) {
            broker.awaitConnected(rawV5Id);
            assertTrue(broker.broker.redirect(rawV5Id, OTHER_SERVER, true));
            Disconnect rawDisconnect = V5.expectDisconnect(raw, ReasonCode.SERVER_MOVED);
            assertEquals(OTHER_SERVER, rawDisconnect.properties().getString(Property.SERVER_REFERENCE));
        }
        assertFalse(broker.broker.redirect(Ids.next("nobody"), OTHER_SERVER, false), "nobody to redirect");
        hive.close();
    }
}
