package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.auth.ScramAuthenticationProvider;
import io.corvid.broker.auth.ScramClient;
import io.corvid.broker.auth.ScramCredentials;
import io.corvid.broker.auth.ScramMechanism;
import io.corvid.broker.packet.Auth;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 enhanced authentication through the engine, with SCRAM-SHA-256. */
class EnhancedAuthenticationTest extends EngineTestSupport {
    private static final String METHOD = "SCRAM-SHA-256";

    @BeforeEach
    void registerScram() {
        ScramCredentials alice = ScramCredentials.fromPassword(ScramMechanism.SHA_256, "wonderland",
                "salt-of-alice".getBytes(StandardCharsets.UTF_8), 4096);
        enhancedAuthentication.put(METHOD, new ScramAuthenticationProvider(ScramMechanism.SHA_256,
                name -> name.equals("alice") ? alice : null));
        authentication = request -> {
            throw new AssertionError("password authentication must not run for enhanced authentication");
        };
    }

    private static Properties auth(String method, byte[] data) {
        return Properties.builder().put(Property.AUTHENTICATION_METHOD, method)
                .put(Property.AUTHENTICATION_DATA, data).build();
    }

    /** CONNECT with client-first, AUTH challenge, AUTH with the proof, CONNACK. */
    private ConnAck scramConnect(TestClient client, ScramClient scram) {
        client.version = MQTT_5;
        client.send(TestClient.connect(MQTT_5, client.clientId, true, 60, auth(METHOD, scram.clientFirst()), null));
        Auth challenge = client.expect(Auth.class);
        assertEquals(ReasonCode.CONTINUE_AUTHENTICATION, challenge.reasonCode());
        assertEquals(METHOD, challenge.properties().getString(Property.AUTHENTICATION_METHOD));
        byte[] proof = scram.clientFinal(challenge.properties().getBinary(Property.AUTHENTICATION_DATA));
        client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth(METHOD, proof)));
        return client.expect(ConnAck.class);
    }

    @Test
    void fullScramExchangeAtConnect() {
        TestClient client = client("alice-device");
        ScramClient scram = new ScramClient(ScramMechanism.SHA_256, "alice", "wonderland", "abcdef123456");
        ConnAck connAck = scramConnect(client, scram);
        assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
        assertEquals(METHOD, connAck.properties().getString(Property.AUTHENTICATION_METHOD));
        assertTrue(scram.verifyServerFinal(connAck.properties().getBinary(Property.AUTHENTICATION_DATA)));
        client.subscribe("after/auth", QoS.AT_MOST_ONCE);
    }

    @Test
    void wrongPasswordIsRefusedWithBadUserNameOrPassword() {
        TestClient client = client("mallory");
        ConnAck connAck = scramConnect(client, new ScramClient(ScramMechanism.SHA_256, "alice", "guess", "n0nce"));
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, connAck.reasonCode());
        client.awaitClosed();
    }

    @Test
    void unknownMethodIsRefusedWith0x8C() {
        TestClient client = client("kerberos");
        ConnAck connAck = client.connect(TestClient.connect(MQTT_5, "kerberos", true, 60,
                auth("GSSAPI", new byte[] {1}), null));
        assertEquals(ReasonCode.BAD_AUTHENTICATION_METHOD, connAck.reasonCode());
    }

    @Test
    void packetsSentDuringTheExchangeWaitForConnAck() {
        TestClient client = client("eager");
        client.version = MQTT_5;
        ScramClient scram = new ScramClient(ScramMechanism.SHA_256, "alice", "wonderland", "eager-nonce");
        client.send(TestClient.connect(MQTT_5, "eager", true, 60, auth(METHOD, scram.clientFirst()), null));
        Auth challenge = client.expect(Auth.class);
        client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                auth(METHOD, scram.clientFinal(challenge.properties().getBinary(Property.AUTHENTICATION_DATA)))));
        client.send(PingReq.INSTANCE);
        assertEquals(ReasonCode.SUCCESS, client.expect(ConnAck.class).reasonCode());
        client.expect(PingResp.class);
    }

    @Test
    void reauthenticationRunsWhileConnected() {
        TestClient client = client("reauth");
        assertEquals(ReasonCode.SUCCESS,
                scramConnect(client, new ScramClient(ScramMechanism.SHA_256, "alice", "wonderland", "first")).reasonCode());
        ScramClient again = new ScramClient(ScramMechanism.SHA_256, "alice", "wonderland", "second");
        client.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth(METHOD, again.clientFirst())));
        Auth challenge = client.expect(Auth.class);
        assertEquals(ReasonCode.CONTINUE_AUTHENTICATION, challenge.reasonCode());
        client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                auth(METHOD, again.clientFinal(challenge.properties().getBinary(Property.AUTHENTICATION_DATA)))));
        Auth done = client.expect(Auth.class);
        assertEquals(ReasonCode.SUCCESS, done.reasonCode());
        assertTrue(again.verifyServerFinal(done.properties().getBinary(Property.AUTHENTICATION_DATA)));
        client.send(PingReq.INSTANCE);
        client.expect(PingResp.class);
    }

    @Test
    void failedReauthenticationDisconnects() {
        TestClient client = client("fails-later");
        scramConnect(client, new ScramClient(ScramMechanism.SHA_256, "alice", "wonderland", "ok"));
        ScramClient wrong = new ScramClient(ScramMechanism.SHA_256, "alice", "forgotten", "bad");
        client.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth(METHOD, wrong.clientFirst())));
        Auth challenge = client.expect(Auth.class);
        client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                auth(METHOD, wrong.clientFinal(challenge.properties().getBinary(Property.AUTHENTICATION_DATA)))));
        assertEquals(ReasonCode.NOT_AUTHORIZED, client.expect(Disconnect.class).reasonCode(),
                "0x86 does not exist in DISCONNECT; 0x87 stands for it");
        client.awaitClosed();
    }

    @Test
    void reauthenticationWithAnotherMethodIsAProtocolError() {
        TestClient client = client("switcher");
        scramConnect(client, new ScramClient(ScramMechanism.SHA_256, "alice", "wonderland", "ok"));
        client.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth("SCRAM-SHA-512", new byte[] {1})));
        assertEquals(ReasonCode.PROTOCOL_ERROR, client.expect(Disconnect.class).reasonCode());
    }
}
