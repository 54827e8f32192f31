package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectTest extends EngineTestSupport {

    @Test
    void acceptsMqtt311WithoutProperties() {
        TestClient client = client("c1");
        ConnAck connAck = client.connect(MQTT_3_1_1, true);
        assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
        assertFalse(connAck.sessionPresent());
        assertTrue(connAck.properties().isEmpty());
        events.await("connected c1 present=false");
    }

    @Test
    void acceptsMqtt31() {
        assertEquals(ReasonCode.SUCCESS, client("c31").connect(MQTT_3_1, true).reasonCode());
    }

    @Test
    void announcesLimitsToMqtt5Clients() {
        settings.maxPacketSize(4096).receiveMaximum(10).topicAliasMaximum(5).maximumQos(QoS.AT_LEAST_ONCE)
                .retainAvailable(false);
        ConnAck connAck = client("c5").connect(MQTT_5, true);
        Properties properties = connAck.properties();
        assertEquals(4096, properties.getLong(Property.MAXIMUM_PACKET_SIZE, -1));
        assertEquals(10, properties.getInt(Property.RECEIVE_MAXIMUM, -1));
        assertEquals(5, properties.getInt(Property.TOPIC_ALIAS_MAXIMUM, -1));
        assertEquals(1, properties.getInt(Property.MAXIMUM_QOS, -1));
        assertEquals(0, properties.getInt(Property.RETAIN_AVAILABLE, -1));
    }

    @Test
    void assignsClientIdentifierToMqtt5ClientWithEmptyOne() {
        TestClient client = client("");
        ConnAck connAck = client.connect(MQTT_5, false);
        assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
        String assigned = connAck.properties().getString(Property.ASSIGNED_CLIENT_IDENTIFIER);
        assertNotNull(assigned);
        assertTrue(engine().client(assigned).isPresent());
    }

    @Test
    void acceptsEmptyClientIdentifierWithCleanSessionInMqtt311() {
        ConnAck connAck = client("").connect(MQTT_3_1_1, true);
        assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
        assertEquals(1, engine().connectedClientCount());
    }

    @Test
    void refusesEmptyClientIdentifierWithoutCleanSessionInMqtt311() {
        TestClient client = client("");
        ConnAck connAck = client.connect(MQTT_3_1_1, false);
        assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, connAck.reasonCode());
        client.awaitClosed();
    }

    @Test
    void refusesEmptyClientIdentifierInMqtt31() {
        TestClient client = client("");
        assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, client.connect(MQTT_3_1, true).reasonCode());
        client.awaitClosed();
    }

    @Test
    void unsupportedProtocolLevelGetsReturnCode1AndClose() {
        TestClient client = client("old");
        client.connection.loop.execute(() -> client.handler.onDecodeError(new DecodeResult.Error(
                ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, "level 6", PacketType.CONNECT), null));
        assertEquals(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, client.expect(ConnAck.class).reasonCode());
        client.awaitClosed();
    }

    @Test
    void malformedMqtt5ConnectGetsConnAckWithReasonCode() {
        TestClient client = client("bad");
        client.connection.loop.execute(() -> client.handler.onDecodeError(new DecodeResult.Error(
                ReasonCode.MALFORMED_PACKET, "bad", PacketType.CONNECT), MQTT_5));
        assertEquals(ReasonCode.MALFORMED_PACKET, client.expect(ConnAck.class).reasonCode());
        client.awaitClosed();
    }

    @Test
    void firstPacketOtherThanConnectClosesWithoutAnswer() {
        TestClient client = client("early");
        client.connection.loop.execute(() -> client.handler.onDecodeError(new DecodeResult.Error(
                ReasonCode.PROTOCOL_ERROR, "first packet must be CONNECT", PacketType.PUBLISH), null));
        client.awaitClosed();
        assertEquals(0, client.connection.received.size());
    }

    @Test
    void closesConnectionsThatNeverSendConnect() {
        settings.connectTimeout(Duration.ofMillis(200));
        TestClient client = client("silent");
        client.awaitClosed();
        assertEquals(0, client.connection.received.size());
    }

    @Test
    void refusesConnectionsBeyondTheLimit() {
        settings.maxConnections(1);
        client("first").connect(MQTT_5, true);
        TestClient second = client("second");
        assertEquals(ReasonCode.SERVER_BUSY, second.connect(MQTT_5, true).reasonCode());
        second.awaitClosed();
        TestClient third = client("third");
        assertEquals(ReasonCode.SERVER_UNAVAILABLE, third.connect(MQTT_3_1_1, true).reasonCode(),
                "3.1.1 has no Server Busy: return code 3");
    }

    @Test
    void freesTheConnectionSlotWhenAClientLeaves() {
        settings.maxConnections(1);
        TestClient first = client("first");
        first.connect(MQTT_5, true);
        first.send(Disconnect.NORMAL);
        first.awaitClosed();
        events.await("disconnected first");
        assertEquals(ReasonCode.SUCCESS, client("second").connect(MQTT_5, true).reasonCode());
    }

    @Test
    void mqtt5ClientAskingForTooLongKeepAliveIsToldTheMaximum() {
        settings.maxKeepAlive(30);
        TestClient client = client("ka");
        ConnAck connAck = client.connect(TestClient.connect(MQTT_5, "ka", true, 600, Properties.EMPTY, null));
        assertEquals(30, connAck.properties().getInt(Property.SERVER_KEEP_ALIVE, -1));
    }

    @Test
    void sessionPresentOnlyWhenResumingAStoredSession() {
        TestClient first = client("p");
        assertFalse(first.connect(MQTT_3_1_1, false).sessionPresent());
        first.send(Disconnect.NORMAL);
        first.awaitClosed();

        TestClient second = client("p");
        assertTrue(second.connect(MQTT_3_1_1, false).sessionPresent());
        second.send(Disconnect.NORMAL);
        second.awaitClosed();

        TestClient third = client("p");
        assertFalse(third.connect(MQTT_3_1_1, true).sessionPresent(), "clean session discards the old one");
    }

    @Test
    void mqtt5SessionExpiryAboveMaximumIsCappedAndAnnounced() {
        settings.maxSessionExpiryInterval(100);
        ConnAck connAck = client("exp").connect(TestClient.connect(MQTT_5, "exp", true, 60,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 5000L).build(), null));
        assertEquals(100, connAck.properties().getLong(Property.SESSION_EXPIRY_INTERVAL, -1));
    }

    @Test
    void enhancedAuthenticationWithoutProviderIsRefused() {
        TestClient client = client("scram");
        ConnAck connAck = client.connect(TestClient.connect(MQTT_5, "scram", true, 60,
                Properties.builder().put(Property.AUTHENTICATION_METHOD, "SCRAM-SHA-256").build(), null));
        assertEquals(ReasonCode.BAD_AUTHENTICATION_METHOD, connAck.reasonCode());
        client.awaitClosed();
    }
}
