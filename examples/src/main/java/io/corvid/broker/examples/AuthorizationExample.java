package io.corvid.broker.examples;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.corvid.broker.Authorization;
import io.corvid.broker.Broker;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker where every user has a home, {@code users/<name>/#}, and may publish and subscribe
 * there only. Alice subscribes to her home (granted) and to Bob's (refused, 0x87); Bob
 * publishes into Alice's home (refused, 0x87, never delivered); Alice publishes a note to
 * herself, which is the only message she receives. Runs once and exits.
 *
 * <p>Run: {@code AuthorizationExample [port]} (default 1883).
 */
public final class AuthorizationExample {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizationExample.class);

    private AuthorizationExample() {
    }

    /**
     * Lets each user publish and subscribe under {@code users/<user name>/} only. The user name
     * is the one checked by authentication, so this is only as good as the {@code Authentication}
     * that comes with it.
     */
    public static final class OwnTopicsOnly implements Authorization {
        @Override
        public boolean canPublish(ClientInfo client, String topic, QoS qos, boolean retain) {
            return isHome(client, topic);
        }

        @Override
        public boolean canSubscribe(ClientInfo client, String topicFilter, QoS qos) {
            return isHome(client, topicFilter);
        }

        private static boolean isHome(ClientInfo client, String topic) {
            String user = client.username();
            // A user named "+" would otherwise own users/+/#, which is everyone's home.
            if (user == null || user.isEmpty() || user.contains("/") || user.contains("+") || user.contains("#")) {
                return false;
            }
            String home = "users/" + user;
            return topic.equals(home) || topic.startsWith(home + "/");
        }
    }

    /** Starts a broker on 127.0.0.1:{@code port} (0 picks a free port) for {@code users} (name to password). */
    public static Broker start(int port, Map<String, String> users) {
        return new Broker.Builder()
                .host("127.0.0.1").port(port)
                .authentication(AuthenticationExample.passwords(users))
                .authorization(new OwnTopicsOnly())
                .build()
                .start();
    }

    /**
     * What happened in the demo.
     *
     * @param aliceReceived      every message Alice received, in order
     * @param subscriptionToOwn  the SUBACK code for Alice's subscription to her own home
     * @param subscriptionToBobs the SUBACK code for Alice's subscription to Bob's home
     * @param bobsPublishToAlice the PUBACK code for Bob's message into Alice's home
     */
    public record Outcome(List<ReceivedMessage> aliceReceived, Mqtt5SubAckReasonCode subscriptionToOwn,
                          Mqtt5SubAckReasonCode subscriptionToBobs, Mqtt5PubAckReasonCode bobsPublishToAlice) {
    }

    /** Runs the demo on {@code port} (0 picks a free one) and stops the broker. */
    public static Outcome run(int port) throws InterruptedException {
        try (Broker broker = start(port, Map.of("alice", "alice-secret", "bob", "bob-secret"))) {
            Mqtt5BlockingClient alice = connect(broker, "alice", "alice-secret");
            Mqtt5BlockingClient bob = connect(broker, "bob", "bob-secret");
            try (Mqtt5BlockingClient.Mqtt5Publishes inbox = alice.publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
                Mqtt5SubAckReasonCode own = DemoClients.subscribe(alice, "users/alice/#");
                Mqtt5SubAckReasonCode others = DemoClients.subscribe(alice, "users/bob/#");
                Mqtt5PubAckReasonCode intrusion = DemoClients.publishAtLeastOnce(bob, "users/alice/inbox", bytes("let me in"));
                alice.publishWith().topic("users/alice/notes").payload(bytes("note to self"))
                        .qos(MqttQos.AT_LEAST_ONCE).send();
                Outcome outcome = new Outcome(
                        DemoClients.receiveUntil(inbox, message -> message.topic().equals("users/alice/notes")),
                        own, others, intrusion);
                LOG.info("Alice's subscriptions: her home {}, Bob's {}; Bob's publication into her home: {}; "
                        + "Alice received {}", own, others, intrusion, outcome.aliceReceived());
                return outcome;
            } finally {
                alice.disconnect();
                bob.disconnect();
            }
        }
    }

    private static Mqtt5BlockingClient connect(Broker broker, String user, String password) {
        Mqtt5BlockingClient client = DemoClients.aimedAt(broker, user).buildBlocking();
        client.connectWith().simpleAuth().username(user).password(bytes(password)).applySimpleAuth().send();
        return client;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws InterruptedException {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 1883);
    }
}
