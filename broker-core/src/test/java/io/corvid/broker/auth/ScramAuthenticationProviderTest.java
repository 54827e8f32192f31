package io.corvid.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.AuthenticationExchange;
import io.corvid.broker.AuthenticationRequest;
import io.corvid.broker.AuthenticationStep;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ScramAuthenticationProviderTest {
    private static final AuthenticationRequest REQUEST = new AuthenticationRequest(
            new Connect(ProtocolVersion.MQTT_5, "c", true, 60, null, null, null, Properties.EMPTY), null, "test", List.of());

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** RFC 7677 section 3: the SCRAM-SHA-256 example exchange, byte for byte. */
    @Test
    void reproducesTheRfc7677Example() {
        ScramCredentials pencil = ScramCredentials.fromPassword(ScramMechanism.SHA_256, "pencil",
                Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        ScramAuthenticationProvider provider = new ScramAuthenticationProvider(ScramMechanism.SHA_256,
                name -> name.equals("user") ? pencil : null, () -> "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
        assertEquals("SCRAM-SHA-256", provider.method());
        AuthenticationExchange exchange = provider.start(REQUEST);

        AuthenticationStep first = exchange.respond(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        assertEquals(AuthenticationStep.Kind.CHALLENGE, first.kind());
        assertEquals("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                text(first.data()));

        AuthenticationStep last = exchange.respond(bytes("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
        assertEquals(AuthenticationStep.Kind.SUCCESS, last.kind());
        assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", text(last.data()));
    }

    private static ScramAuthenticationProvider provider(ScramMechanism mechanism, Map<String, String> passwords) {
        byte[] salt = bytes("0123456789abcdef");
        return new ScramAuthenticationProvider(mechanism, name -> passwords.containsKey(name)
                ? ScramCredentials.fromPassword(mechanism, passwords.get(name), salt, 4096) : null);
    }

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void aClientThatKnowsThePasswordAuthenticatesBothWays(ScramMechanism mechanism) {
        AuthenticationExchange exchange = provider(mechanism, Map.of("alice", "wonderland")).start(REQUEST);
        ScramClient client = new ScramClient(mechanism, "alice", "wonderland", "fyko+d2lbbFgONRv9qkxdawL");
        AuthenticationStep challenge = exchange.respond(client.clientFirst());
        AuthenticationStep result = exchange.respond(client.clientFinal(challenge.data()));
        assertEquals(AuthenticationStep.Kind.SUCCESS, result.kind());
        assertTrue(client.verifyServerFinal(result.data()), "the server proves it holds the user's keys");
    }

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void aWrongPasswordFailsAtTheProof(ScramMechanism mechanism) {
        AuthenticationExchange exchange = provider(mechanism, Map.of("alice", "wonderland")).start(REQUEST);
        ScramClient client = new ScramClient(mechanism, "alice", "looking-glass", "nonce1");
        AuthenticationStep challenge = exchange.respond(client.clientFirst());
        AuthenticationStep result = exchange.respond(client.clientFinal(challenge.data()));
        assertEquals(AuthenticationStep.Kind.FAILURE, result.kind());
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, result.reasonCode());
    }

    @Test
    void anUnknownUserLooksLikeAKnownOneUntilTheProof() {
        ScramAuthenticationProvider provider = provider(ScramMechanism.SHA_256, Map.of("alice", "x"));
        ScramClient client = new ScramClient(ScramMechanism.SHA_256, "mallory", "guess", "nonce2");
        AuthenticationExchange exchange = provider.start(REQUEST);
        AuthenticationStep challenge = exchange.respond(client.clientFirst());
        assertEquals(AuthenticationStep.Kind.CHALLENGE, challenge.kind());
        String again = text(provider.start(REQUEST).respond(client.clientFirst()).data());
        assertEquals(text(challenge.data()).replaceAll("r=[^,]*", ""), again.replaceAll("r=[^,]*", ""),
                "the same made-up salt each time");
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                exchange.respond(client.clientFinal(challenge.data())).reasonCode());
    }

    @Test
    void aReplayedFinalMessageWithAnotherNonceFails() {
        ScramAuthenticationProvider provider = provider(ScramMechanism.SHA_256, Map.of("alice", "wonderland"));
        ScramClient client = new ScramClient(ScramMechanism.SHA_256, "alice", "wonderland", "nonce3");
        AuthenticationExchange first = provider.start(REQUEST);
        byte[] proof = client.clientFinal(first.respond(client.clientFirst()).data());
        AuthenticationExchange second = provider.start(REQUEST);
        second.respond(client.clientFirst());
        AuthenticationStep replay = second.respond(proof);
        assertEquals(AuthenticationStep.Kind.FAILURE, replay.kind());
    }

    @Test
    void malformedAndUnsupportedMessagesAreRefused() {
        ScramAuthenticationProvider provider = provider(ScramMechanism.SHA_256, Map.of("alice", "x"));
        for (String bad : List.of("", "n,", "x,,n=alice,r=abc", "n,,r=abc", "n,,n=alice", "n,,n=alice,r=",
                "p=tls-unique,,n=alice,r=abc", "n,a=bob,n=alice,r=abc", "n,,n=alice,r=abc,m=ext", "n,,n=a=ZZ,r=abc")) {
            AuthenticationStep step = provider.start(REQUEST).respond(bytes(bad));
            assertEquals(AuthenticationStep.Kind.FAILURE, step.kind(), bad);
        }
        AuthenticationExchange exchange = provider.start(REQUEST);
        exchange.respond(bytes("n,,n=alice,r=abc"));
        assertEquals(AuthenticationStep.Kind.FAILURE, exchange.respond(bytes("c=biws,r=abc")).kind(), "no proof");
        assertEquals(AuthenticationStep.Kind.FAILURE, exchange.respond(bytes("anything")).kind(), "exchange is over");
        assertEquals(AuthenticationStep.Kind.FAILURE, provider.start(REQUEST).respond(null).kind());
    }

    @Test
    void userNamesUnescapeCommasAndEquals() {
        assertEquals("a,b=c", ScramExchange.decodeName("a=2Cb=3Dc"));
        assertThrows(IllegalArgumentException.class, () -> ScramExchange.decodeName("a=2"));
    }

    @Test
    void credentialsNeverPrintKeys() {
        ScramCredentials credentials = ScramCredentials.fromPassword(ScramMechanism.SHA_512, "pw", new byte[16], 4096);
        assertEquals("ScramCredentials[SHA_512, iterations=4096]", credentials.toString());
        assertNotEquals(credentials, ScramCredentials.fromPassword(ScramMechanism.SHA_512, "other", new byte[16], 4096));
    }
}
