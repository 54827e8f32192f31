package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.packet.Auth;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.RetainHandling;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the engine does when a connected client breaks the rules. */
class ProtocolViolationTest extends EngineTestSupport {

    private TestClient connected(String clientId) {
        TestClient client = client(clientId);
        client.connect(MQTT_5, true);
        return client;
    }

    private void assertDisconnectedWith(TestClient client, ReasonCode code) {
        assertEquals(code, client.expect(Disconnect.class).reasonCode());
        client.awaitClosed();
    }

    @Test
    void malformedPacketAfterConnectGetsDisconnect0x81AfterEarlierPacketsAreHandled() {
        TestClient subscriber = connected("watch");
        subscriber.subscribe("before", QoS.AT_MOST_ONCE);
        TestClient client = connected("sloppy");
        client.connection.loop.execute(() -> {
            client.handler.onPacket(Publish.atMostOnce("before", new byte[] {1}, false));
            client.handler.onDecodeError(new DecodeResult.Error(ReasonCode.MALFORMED_PACKET, "QoS 3",
                    PacketType.PUBLISH), MQTT_5);
        });
        assertDisconnectedWith(client, ReasonCode.MALFORMED_PACKET);
        assertEquals("before", subscriber.receive().topic());
        assertEquals(1, engine().metrics().malformedPackets());
    }

    @Test
    void mqtt311ClientIsClosedWithoutDisconnectOnMalformedInput() {
        TestClient client = client("v3");
        client.connect(MQTT_3_1_1, true);
        client.connection.loop.execute(() -> client.handler.onDecodeError(new DecodeResult.Error(
                ReasonCode.MALFORMED_PACKET, "garbage", null), MQTT_3_1_1));
        client.awaitClosed();
        assertTrue(client.connection.received.isEmpty());
    }

    @Test
    void packetTooLargeGetsDisconnect0x95() {
        TestClient client = connected("big");
        client.connection.loop.execute(() -> client.handler.onDecodeError(new DecodeResult.Error(
                ReasonCode.PACKET_TOO_LARGE, "too large", PacketType.PUBLISH), MQTT_5));
        assertDisconnectedWith(client, ReasonCode.PACKET_TOO_LARGE);
    }

    @Test
    void qosAboveTheMaximumGetsDisconnect0x9B() {
        settings.maximumQos(QoS.AT_LEAST_ONCE);
        TestClient client = connected("greedy");
        client.send(new Publish("t", QoS.EXACTLY_ONCE, false, false, 1, new byte[0], Properties.EMPTY));
        assertDisconnectedWith(client, ReasonCode.QOS_NOT_SUPPORTED);
    }

    @Test
    void retainWhenUnavailableGetsDisconnect0x9A() {
        settings.retainAvailable(false);
        TestClient client = connected("keeper");
        client.send(Publish.atMostOnce("t", new byte[0], true));
        assertDisconnectedWith(client, ReasonCode.RETAIN_NOT_SUPPORTED);
    }

    @Test
    void topicAliasesAreResolvedAndBadOnesRefused() {
        settings.topicAliasMaximum(2);
        TestClient subscriber = connected("sub");
        subscriber.subscribe("long/topic/name", QoS.AT_MOST_ONCE);
        TestClient client = connected("alias");
        client.send(new Publish("long/topic/name", QoS.AT_MOST_ONCE, false, false, 0, new byte[] {1},
                Properties.builder().put(Property.TOPIC_ALIAS, 2).build()));
        client.send(new Publish("", QoS.AT_MOST_ONCE, false, false, 0, new byte[] {2},
                Properties.builder().put(Property.TOPIC_ALIAS, 2).build()));
        assertEquals(1, subscriber.receive().payload()[0]);
        Publish viaAlias = subscriber.receive();
        assertEquals("long/topic/name", viaAlias.topic());
        assertEquals(2, viaAlias.payload()[0]);
        assertTrue(!viaAlias.properties().contains(Property.TOPIC_ALIAS), "the inbound alias is not forwarded");

        client.send(new Publish("", QoS.AT_MOST_ONCE, false, false, 0, new byte[0],
                Properties.builder().put(Property.TOPIC_ALIAS, 1).build()));
        assertDisconnectedWith(client, ReasonCode.PROTOCOL_ERROR);

        TestClient over = connected("over");
        over.send(new Publish("x", QoS.AT_MOST_ONCE, false, false, 0, new byte[0],
                Properties.builder().put(Property.TOPIC_ALIAS, 3).build()));
        assertDisconnectedWith(over, ReasonCode.TOPIC_ALIAS_INVALID);
    }

    @Test
    void sessionExpiryOnDisconnectAfterZeroAtConnectIsAProtocolError() {
        TestClient client = connected("late-expiry");
        client.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 60L).build()));
        assertDisconnectedWith(client, ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    void tooManyUnreleasedQos2MessagesGetDisconnect0x93() {
        settings.receiveMaximum(2);
        TestClient client = connected("flood");
        for (int id = 1; id <= 3; id++) {
            client.send(new Publish("q", QoS.EXACTLY_ONCE, false, false, id, new byte[0], Properties.EMPTY));
        }
        assertDisconnectedWith(client, ReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
    }

    @Test
    void noLocalOnASharedSubscriptionIsAProtocolError() {
        TestClient client = connected("shared");
        client.send(new Subscribe(1, List.of(new Subscription("$share/g/t", QoS.AT_MOST_ONCE, true, false,
                RetainHandling.SEND_ON_SUBSCRIBE)), Properties.EMPTY));
        assertDisconnectedWith(client, ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    void unknownPubRelIsAnsweredWithPacketIdentifierNotFound() {
        TestClient client = connected("stray");
        client.send(new PubRel(77));
        assertEquals(ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, client.expect(PubComp.class).reasonCode());
    }

    @Test
    void authWithoutEnhancedAuthenticationIsAProtocolError() {
        TestClient client = connected("auth");
        client.send(new Auth(ReasonCode.RE_AUTHENTICATE, Properties.EMPTY));
        assertDisconnectedWith(client, ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    void invalidUtf8PayloadIsRefusedWhenValidationIsOn() {
        settings.validatePayloadFormat(true);
        TestClient client = connected("utf");
        client.send(new Publish("t", QoS.AT_LEAST_ONCE, false, false, 1, new byte[] {(byte) 0xC0, (byte) 0x80},
                Properties.builder().put(Property.PAYLOAD_FORMAT_INDICATOR, 1).build()));
        assertEquals(ReasonCode.PAYLOAD_FORMAT_INVALID,
                client.expect(io.corvid.broker.packet.PubAck.class).reasonCode());
    }
}
