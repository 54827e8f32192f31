package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.corvid.broker.Authentication;
import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.auth.ScramAuthenticationProvider;
import io.corvid.broker.auth.ScramCredentials;
import io.corvid.broker.auth.ScramMechanism;
import io.corvid.broker.it.Await;
import io.corvid.broker.it.HiveMqV5Client;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.Auth;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 enhanced authentication with SCRAM-SHA-256 ({@link ScramAuthenticationProvider}):
 * the full AUTH exchange and re-authentication from the HiveMQ client's enhanced auth API
 * ({@link HiveMqScramMechanism}, SCRAM written from RFC 5802 in {@link ScramSha256Client}),
 * a wrong password refused with 0x86, a failed re-authentication ending the connection, and
 * the raw-packet edge cases: an unknown method (0x8C), AUTH with another method or out of turn
 * (0x82).
 *
 * <p>Users: "user" / "pencil" and "o=dd,name" / "secret" (a name that needs SCRAM's escaping).
 * Clients without enhanced authentication are let in by the plain authentication only with
 * user name "plain".
 */
class EnhancedAuthIT {
    private static final String METHOD = "SCRAM-SHA-256";
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        Map<String, ScramCredentials> users = Map.of(
                "user", ScramCredentials.fromPassword(ScramMechanism.SHA_256, "pencil", salt("user"), 4096),
                "o=dd,name", ScramCredentials.fromPassword(ScramMechanism.SHA_256, "secret", salt("odd"), 4096));
        Authentication plain = request -> "plain".equals(request.username())
                ? AuthenticationResult.allow() : AuthenticationResult.notAuthorized();
        broker = TestBroker.start(b -> b.authentication(plain)
                .enhancedAuthentication(new ScramAuthenticationProvider(ScramMechanism.SHA_256, users::get)));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static byte[] salt(String seed) {
        return ("salt-of-" + seed).getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------ HiveMQ client

    @Test
    void hiveMqAuthenticatesWithScramAndReauthenticates() {
        HiveMqScramMechanism scram = new HiveMqScramMechanism("user", "pencil");
        String topic = Ids.next("scram");
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive-scram"), b -> b.enhancedAuth(scram))) {
            Mqtt5ConnAck connAck = hive.connAck();
            assertEquals(Mqtt5ConnAckReasonCode.SUCCESS, connAck.getReasonCode());
            assertEquals(METHOD, connAck.getEnhancedAuth().orElseThrow().getMethod().toString());
            assertTrue(scram.serverVerified, "the client checked the broker's signature: " + scram.steps);
            assertEquals(java.util.List.of("auth", "continue", "success"), scram.steps);

            hive.subscribe(topic, 1);
            Await.result("re-authentication", hive.client.reauth());
            assertEquals(java.util.List.of("auth", "continue", "success", "reauth", "continue", "reauth success"),
                    scram.steps);
            Await.result("second re-authentication", hive.client.reauth());
            assertTrue(scram.serverVerified);

            hive.publish(topic, "still connected", 1, false);
            assertEquals("still connected", hive.next().text(), "the connection carries on after re-authentication");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; steps " + scram.steps, e);
        }
    }

    @Test
    void hiveMqUserNameThatNeedsEscaping() {
        HiveMqScramMechanism scram = new HiveMqScramMechanism("o=dd,name", "secret");
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive-odd"), b -> b.enhancedAuth(scram))) {
            assertTrue(hive.isConnected() && scram.serverVerified);
        }
    }

    @Test
    void hiveMqWithAWrongPasswordIsRefusedWith0x86() {
        for (HiveMqScramMechanism scram : new HiveMqScramMechanism[] {
                new HiveMqScramMechanism("user", "wrong"), new HiveMqScramMechanism("nobody", "pencil")}) {
            HiveMqV5Client hive = HiveMqV5Client.unconnected(broker, Ids.next("hive-wrong"));
            Throwable refused = Await.failure("CONNECT with a wrong password",
                    hive.client.connectWith().enhancedAuth(scram).send());
            Mqtt5ConnAck connAck = assertInstanceOf(Mqtt5ConnAckException.class, refused).getMqttMessage();
            assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, connAck.getReasonCode(), scram.steps.toString());
            assertTrue(scram.steps.contains("rejected BAD_USER_NAME_OR_PASSWORD"), scram.steps.toString());
            assertTrue(scram.steps.contains("continue"), "refused at the proof, after the full exchange: " + scram.steps);
        }
    }

    @Test
    void hiveMqFailedReauthenticationEndsTheConnection() {
        HiveMqScramMechanism scram = new HiveMqScramMechanism("user", "pencil");
        String clientId = Ids.next("hive-reauth-fail");
        HiveMqV5Client hive = HiveMqV5Client.connect(broker, clientId, b -> b.enhancedAuth(scram));
        scram.password("changed");
        Await.failure("re-authentication with a wrong password", hive.client.reauth());
        Throwable cause = Await.result("the broker's DISCONNECT", hive.disconnected);
        assertEquals(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED,
                assertInstanceOf(Mqtt5DisconnectException.class, cause).getMqttMessage().getReasonCode(),
                "0x86 does not exist in DISCONNECT: 0x87");
        assertEquals(ReasonCode.NOT_AUTHORIZED, broker.events.awaitDisconnect(clientId).reason().reasonCode());
        hive.close();
    }

    // ------------------------------------------------------------ raw packets

    @Test
    void rawFullExchangeReauthenticationAndPacketsMeanwhile() {
        ScramSha256Client scram = new ScramSha256Client("user", "pencil");
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            raw.send(V5.connect(Ids.next("raw-scram"), true, methodAndData(scram.clientFirst())));
            Auth challenge = raw.expect(Auth.class);
            assertEquals(ReasonCode.CONTINUE_AUTHENTICATION, challenge.reasonCode());
            assertEquals(METHOD, challenge.properties().getString(Property.AUTHENTICATION_METHOD));
            raw.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                    methodAndData(scram.clientFinal(challenge.properties().getBinary(Property.AUTHENTICATION_DATA)))));
            ConnAck connAck = raw.expect(ConnAck.class);
            assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
            assertEquals(METHOD, connAck.properties().getString(Property.AUTHENTICATION_METHOD));
            assertTrue(scram.serverFinalIsValid(connAck.properties().getBinary(Property.AUTHENTICATION_DATA)));

            // Re-authentication; other packets flow meanwhile.
            ScramSha256Client again = new ScramSha256Client("user", "pencil");
            raw.send(new Auth(ReasonCode.RE_AUTHENTICATE, methodAndData(again.clientFirst())));
            Auth reChallenge = raw.expect(Auth.class);
            assertEquals(ReasonCode.CONTINUE_AUTHENTICATION, reChallenge.reasonCode());
            raw.send(PingReq.INSTANCE);
            raw.expect(PingResp.class);
            assertEquals(ReasonCode.NO_MATCHING_SUBSCRIBERS,
                    V5.publishQos1(raw, Ids.next("during"), "x", Properties.EMPTY).reasonCode());
            raw.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                    methodAndData(again.clientFinal(reChallenge.properties().getBinary(Property.AUTHENTICATION_DATA)))));
            Auth done = raw.expect(Auth.class);
            assertEquals(ReasonCode.SUCCESS, done.reasonCode());
            assertEquals(METHOD, done.properties().getString(Property.AUTHENTICATION_METHOD));
            assertTrue(again.serverFinalIsValid(done.properties().getBinary(Property.AUTHENTICATION_DATA)));
            raw.send(PingReq.INSTANCE);
            raw.expect(PingResp.class);
        }
    }

    @Test
    void rawUnknownMethodGets0x8C() {
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            ConnAck connAck = V5.expectRefused(raw, V5.connect(Ids.next("raw"), true,
                    V5.props(Property.AUTHENTICATION_METHOD, "KERBEROS-9", Property.AUTHENTICATION_DATA, new byte[] {1})),
                    ReasonCode.BAD_AUTHENTICATION_METHOD);
            assertNotNull(connAck.properties().getString(Property.REASON_STRING));
        }
    }

    @Test
    void rawAuthWithAnotherMethodDuringReauthenticationGets0x82() {
        try (RawClient raw = scramConnected()) {
            raw.send(new Auth(ReasonCode.RE_AUTHENTICATE, V5.props(Property.AUTHENTICATION_METHOD, "SCRAM-SHA-512",
                    Property.AUTHENTICATION_DATA, new ScramSha256Client("user", "pencil").clientFirst())));
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
        try (RawClient raw = scramConnected()) {
            ScramSha256Client again = new ScramSha256Client("user", "pencil");
            raw.send(new Auth(ReasonCode.RE_AUTHENTICATE, methodAndData(again.clientFirst())));
            Auth challenge = raw.expect(Auth.class);
            raw.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, V5.props(Property.AUTHENTICATION_METHOD, "PLAIN",
                    Property.AUTHENTICATION_DATA,
                    again.clientFinal(challenge.properties().getBinary(Property.AUTHENTICATION_DATA)))));
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void rawAuthOutOfTurnGets0x82() {
        // Re-authentication requested while one is under way.
        try (RawClient raw = scramConnected()) {
            raw.send(new Auth(ReasonCode.RE_AUTHENTICATE, methodAndData(new ScramSha256Client("user", "pencil").clientFirst())));
            raw.expect(Auth.class);
            raw.send(new Auth(ReasonCode.RE_AUTHENTICATE, methodAndData(new ScramSha256Client("user", "pencil").clientFirst())));
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
        // AUTH 0x18 with no exchange under way.
        try (RawClient raw = scramConnected()) {
            raw.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, methodAndData("c=biws".getBytes(UTF_8))));
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
        // AUTH 0x00 from a client.
        try (RawClient raw = scramConnected()) {
            raw.send(new Auth(ReasonCode.SUCCESS, V5.props(Property.AUTHENTICATION_METHOD, METHOD)));
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
        // AUTH on a connection that did not use enhanced authentication.
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            assertEquals(ReasonCode.SUCCESS, raw.connect(new Connect(ProtocolVersion.MQTT_5, Ids.next("raw-plain"), true,
                    60, "plain", null, null, Properties.EMPTY)).reasonCode());
            raw.send(new Auth(ReasonCode.RE_AUTHENTICATE, methodAndData(new ScramSha256Client("user", "pencil").clientFirst())));
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
        // During CONNECT, an AUTH naming another method is refused in CONNACK.
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            ScramSha256Client scram = new ScramSha256Client("user", "pencil");
            raw.send(V5.connect(Ids.next("raw"), true, methodAndData(scram.clientFirst())));
            Auth challenge = raw.expect(Auth.class);
            raw.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, V5.props(Property.AUTHENTICATION_METHOD, "PLAIN",
                    Property.AUTHENTICATION_DATA, scram.clientFinal(challenge.properties().getBinary(Property.AUTHENTICATION_DATA)))));
            assertEquals(ReasonCode.PROTOCOL_ERROR, raw.expect(ConnAck.class).reasonCode());
            raw.awaitClosedByBroker(Await.TIMEOUT);
        }
    }

    @Test
    void rawWrongProofGets0x86AndNoDataGets0x87() {
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            ScramSha256Client scram = new ScramSha256Client("user", "eraser");
            raw.send(V5.connect(Ids.next("raw"), true, methodAndData(scram.clientFirst())));
            Auth challenge = raw.expect(Auth.class);
            raw.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                    methodAndData(scram.clientFinal(challenge.properties().getBinary(Property.AUTHENTICATION_DATA)))));
            assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, raw.expect(ConnAck.class).reasonCode());
            raw.awaitClosedByBroker(Await.TIMEOUT);
        }
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            V5.expectRefused(raw, V5.connect(Ids.next("raw"), true, V5.props(Property.AUTHENTICATION_METHOD, METHOD)),
                    ReasonCode.NOT_AUTHORIZED);
        }
    }

    private static RawClient scramConnected() {
        ScramSha256Client scram = new ScramSha256Client("user", "pencil");
        RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5);
        raw.send(V5.connect(Ids.next("raw-scram"), true, methodAndData(scram.clientFirst())));
        Auth challenge = raw.expect(Auth.class);
        raw.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                methodAndData(scram.clientFinal(challenge.properties().getBinary(Property.AUTHENTICATION_DATA)))));
        assertEquals(ReasonCode.SUCCESS, raw.expect(ConnAck.class).reasonCode());
        return raw;
    }

    private static Properties methodAndData(byte[] data) {
        return V5.props(Property.AUTHENTICATION_METHOD, METHOD, Property.AUTHENTICATION_DATA, data);
    }
}
