package io.corvid.broker.examples;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.corvid.broker.Authentication;
import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.Broker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker that lets in only clients with a known user name and the right password: one
 * client connects with the right password, another is refused with 0x86 Bad User Name or
 * Password (MQTT 3.1.1: return code 4). Runs once and exits.
 *
 * <p>Run: {@code AuthenticationExample [port]} (default 1883).
 */
public final class AuthenticationExample {
    private static final Logger LOG = LoggerFactory.getLogger(AuthenticationExample.class);

    private AuthenticationExample() {
    }

    /**
     * Checks user names and passwords against a table of user name to password. (A real
     * application would keep salted password hashes instead, and compare those.)
     */
    public static Authentication passwords(Map<String, String> users) {
        return request -> {
            // Clients may send no user name: Map.of tables throw on get(null).
            String expected = request.username() == null ? null : users.get(request.username());
            byte[] given = request.password();
            // MessageDigest.isEqual takes as long whatever the first wrong byte: no timing hints.
            return expected != null && given != null
                    && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given)
                    ? AuthenticationResult.allow() : AuthenticationResult.badCredentials();
        };
    }

    /** Starts a broker on 127.0.0.1:{@code port} (0 picks a free port) that lets {@code users} in. */
    public static Broker start(int port, Map<String, String> users) {
        return new Broker.Builder()
                .host("127.0.0.1").port(port)
                .authentication(passwords(users))
                .build()
                .start();
    }

    /** What the demo's two clients were told. */
    public record Outcome(Mqtt5ConnAckReasonCode rightPassword, Mqtt5ConnAckReasonCode wrongPassword) {
    }

    /** Starts the broker for user alice, connects once with her password and once with a guess, and stops. */
    public static Outcome run(int port) {
        try (Broker broker = start(port, Map.of("alice", "wonderland"))) {
            Outcome outcome = new Outcome(connect(broker, "alice", "wonderland"), connect(broker, "alice", "guess"));
            LOG.info("Right password: {}; wrong password: {}", outcome.rightPassword(), outcome.wrongPassword());
            return outcome;
        }
    }

    /** Connects and disconnects at once; returns the CONNACK's reason code, whether it let the client in or not. */
    static Mqtt5ConnAckReasonCode connect(Broker broker, String username, String password) {
        Mqtt5BlockingClient client = DemoClients.aimedAt(broker, username + "-client").buildBlocking();
        try {
            Mqtt5ConnAckReasonCode code = client.connectWith()
                    .simpleAuth().username(username).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .send().getReasonCode();
            client.disconnect();
            return code;
        } catch (Mqtt5ConnAckException refused) {
            return refused.getMqttMessage().getReasonCode();
        }
    }

    public static void main(String[] args) {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 1883);
    }
}
