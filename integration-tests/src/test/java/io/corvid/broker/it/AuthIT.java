package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import io.corvid.broker.Authentication;
import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.Authorization;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.PacketInterceptor;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttAck;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Authentication, authorization and interceptors as real clients meet them: the CONNACK codes
 * of refused connections, refused publications (MQTT 5.0: 0x87 in the acknowledgement; 3.1.1:
 * a normal acknowledgement and no delivery) and refused subscriptions (SUBACK failure codes).
 *
 * <p>Users: alice/secret may do anything; bob/builder may not publish to {@code ro/...}, may
 * not subscribe to {@code secret/...} and may not leave a will on {@code forbidden/...}.
 * Nobody may subscribe to {@code private/#}. A PUBLISH whose payload is "drop me" and a
 * SUBSCRIBE to {@code intercepted/...} are rejected by an interceptor.
 */
class AuthIT {
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        Authentication authentication = request -> {
            String password = request.password() == null ? null : new String(request.password(), UTF_8);
            if ("alice".equals(request.username()) && "secret".equals(password)
                    || "bob".equals(request.username()) && "builder".equals(password)) {
                return AuthenticationResult.allow();
            }
            if ("mallory".equals(request.username())) {
                return AuthenticationResult.notAuthorized();
            }
            return AuthenticationResult.badCredentials();
        };
        Authorization authorization = new Authorization() {
            @Override
            public boolean canPublish(ClientInfo client, String topic, QoS qos, boolean retain) {
                boolean bob = "bob".equals(client.username());
                return !(bob && (topic.startsWith("ro/") || topic.startsWith("forbidden/")));
            }

            @Override
            public boolean canSubscribe(ClientInfo client, String topicFilter, QoS qos) {
                boolean bob = "bob".equals(client.username());
                return !topicFilter.startsWith("private/") && !(bob && topicFilter.startsWith("secret/"));
            }
        };
        broker = TestBroker.start(b -> b.authentication(authentication).authorization(authorization)
                .interceptor((client, packet) -> {
                    if (packet instanceof Publish publish && "drop me".equals(new String(publish.payload(), UTF_8))) {
                        return PacketInterceptor.Decision.REJECT;
                    }
                    if (packet.type() == PacketType.SUBSCRIBE
                            && packet.toString().contains("intercepted/")) {
                        return PacketInterceptor.Decision.REJECT;
                    }
                    return PacketInterceptor.Decision.ACCEPT;
                }));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    // ------------------------------------------------------------ authentication

    @Test
    void pahoV3WithTheRightPasswordConnectsAndAWrongOneGetsReturnCode4() {
        PahoV3Client good = PahoV3Client.create(broker, Ids.next("alice")).connect(options -> credentials(options, "alice", "secret"));
        try (good) {
            assertTrue(good.isConnected());
        }
        for (int version : new int[] {MqttConnectOptions.MQTT_VERSION_3_1_1, MqttConnectOptions.MQTT_VERSION_3_1}) {
            String clientId = Ids.next("wrong");
            try (PahoV3Client bad = PahoV3Client.create(broker, clientId)) {
                MqttException refused = assertThrows(MqttException.class, () -> bad.tryConnect(options -> {
                    credentials(options, "alice", "guess");
                    options.setMqttVersion(version);
                }));
                assertEquals(MqttException.REASON_CODE_FAILED_AUTHENTICATION, refused.getReasonCode(),
                        "CONNACK return code 4, MQTT version " + version);
                assertFalse(bad.isConnected());
            }
            assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    broker.events.await("refusal", 1, RecordingListener.Refused.class,
                            e -> clientId.equals(e.client().clientId())).get(0).reasonCode());
            assertTrue(broker.events.connects(clientId).isEmpty(), "a refused client never connected");
        }
        try (PahoV3Client anonymous = PahoV3Client.create(broker, Ids.next("anon"))) {
            MqttException refused = assertThrows(MqttException.class, () -> anonymous.tryConnect(options -> { }));
            assertEquals(MqttException.REASON_CODE_FAILED_AUTHENTICATION, refused.getReasonCode());
        }
        try (PahoV3Client mallory = PahoV3Client.create(broker, Ids.next("mallory"))) {
            MqttException refused = assertThrows(MqttException.class,
                    () -> mallory.tryConnect(options -> credentials(options, "mallory", "x")));
            assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, refused.getReasonCode(), "return code 5");
        }
    }

    @Test
    void pahoV5WithAWrongPasswordGets0x86() {
        PahoV5Client good = PahoV5Client.create(broker, Ids.next("alice")).connect(options -> {
            options.setUserName("alice");
            options.setPassword("secret".getBytes(UTF_8));
        });
        try (good) {
            assertTrue(good.isConnected());
        }
        try (PahoV5Client bad = PahoV5Client.create(broker, Ids.next("wrong"))) {
            org.eclipse.paho.mqttv5.common.MqttException refused = assertThrows(
                    org.eclipse.paho.mqttv5.common.MqttException.class, () -> bad.tryConnect(options -> {
                        options.setUserName("alice");
                        options.setPassword("guess".getBytes(UTF_8));
                    }));
            assertEquals(0x86, refused.getReasonCode(), "CONNACK 0x86 Bad User Name or Password");
        }
        try (PahoV5Client mallory = PahoV5Client.create(broker, Ids.next("mallory"))) {
            org.eclipse.paho.mqttv5.common.MqttException refused = assertThrows(
                    org.eclipse.paho.mqttv5.common.MqttException.class, () -> mallory.tryConnect(options -> {
                        options.setUserName("mallory");
                        options.setPassword("x".getBytes(UTF_8));
                    }));
            assertEquals(0x87, refused.getReasonCode(), "CONNACK 0x87 Not Authorized");
        }
    }

    @Test
    void hiveMqIsRefusedWithTheRightCodes() {
        Throwable v3 = Await.failure("HiveMQ v3 refused", com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion3()
                .identifier(Ids.next("hive-bad")).serverHost("127.0.0.1").serverPort(broker.port()).buildAsync()
                .connectWith().simpleAuth().username("alice").password("guess".getBytes(UTF_8)).applySimpleAuth().send());
        assertEquals(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD,
                assertInstanceOf(Mqtt3ConnAckException.class, v3).getMqttMessage().getReturnCode());
        Throwable v5 = Await.failure("HiveMQ v5 refused", com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5()
                .identifier(Ids.next("hive-bad")).serverHost("127.0.0.1").serverPort(broker.port()).buildAsync()
                .connectWith().simpleAuth().username("alice").password("guess".getBytes(UTF_8)).applySimpleAuth().send());
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD,
                assertInstanceOf(Mqtt5ConnAckException.class, v5).getMqttMessage().getReasonCode());
        try (HiveMqV5Client good = HiveMqV5Client.connect(broker, Ids.next("hive-good"),
                b -> b.simpleAuth().username("alice").password("secret".getBytes(UTF_8)).applySimpleAuth())) {
            assertTrue(good.isConnected());
        }
    }

    @Test
    void mosquittoClientsExitWithTheConnackCode() {
        String topic = Ids.next("mosq-auth");
        Mosquitto.Result v311 = Mosquitto.pub(broker, "-i", Ids.next("mosq-bad"), "-u", "alice", "-P", "guess", "-t", topic,
                "-m", "x");
        assertEquals(4, v311.exitCode(), "mosquitto_pub exit code = CONNACK return code; stderr: " + v311.stderr());
        Mosquitto.Result v5 = Mosquitto.pub(broker, "-V", "mqttv5", "-i", Ids.next("mosq-bad"), "-u", "alice", "-P",
                "guess", "-t", topic, "-m", "x");
        assertEquals(0x86, v5.exitCode(), "mosquitto_pub exit code = CONNACK reason code; stderr: " + v5.stderr());
        try (Mosquitto.Sub sub = Mosquitto.sub(broker, "-i", "mosq-alice", "-u", "alice", "-P", "secret", "-t", topic,
                "-C", "1", "-W", "20")) {
            broker.awaitSubscription("mosq-alice", topic);
            Mosquitto.pub(broker, "-i", Ids.next("mosq-bob"), "-u", "bob", "-P", "builder", "-t", topic, "-m", "let in",
                    "-q", "1").assertSuccess("mosquitto_pub as bob");
            assertEquals("let in", sub.nextLine());
            assertEquals(0, sub.awaitExit());
        }
    }

    @Test
    void asynchronousAuthenticationAndItsTimeout() {
        Authentication slowButSure = Authentication.async(request -> CompletableFuture.supplyAsync(
                () -> "late".equals(request.username()) ? AuthenticationResult.allow() : AuthenticationResult.badCredentials(),
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)));
        try (TestBroker asyncBroker = TestBroker.start(b -> b.authentication(slowButSure))) {
            try (MqttTestClient late = HiveMqV5Client.connect(asyncBroker, Ids.next("late"),
                    b -> b.simpleAuth().username("late").applySimpleAuth())) {
                String topic = Ids.next("late");
                late.subscribe(topic, 1);
                late.publish(topic, "answered later", 1, false);
                assertEquals("answered later", late.next().text());
            }
        }
        Authentication neverAnswers = Authentication.async(request -> new CompletableFuture<>());
        try (TestBroker stuck = TestBroker.start(b -> b.authentication(neverAnswers).pluginTimeout(Duration.ofSeconds(1)))) {
            try (PahoV3Client v3 = PahoV3Client.create(stuck, Ids.next("stuck"))) {
                MqttException refused = assertThrows(MqttException.class, () -> v3.tryConnect(options -> { }));
                assertEquals(MqttException.REASON_CODE_BROKER_UNAVAILABLE, refused.getReasonCode(),
                        "return code 3: a backend that does not answer lets nobody in");
            }
            Throwable v5 = Await.failure("HiveMQ v5 refused", com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5()
                    .identifier(Ids.next("stuck")).serverHost("127.0.0.1").serverPort(stuck.port()).buildAsync()
                    .connect());
            assertEquals(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE,
                    assertInstanceOf(Mqtt5ConnAckException.class, v5).getMqttMessage().getReasonCode());
        }
    }

    // ------------------------------------------------------------ authorization of PUBLISH

    @Test
    void refusedPublishGets0x87InMqtt5AcknowledgementsAndIsNotDelivered() throws Exception {
        String topic = "ro/" + Ids.next("denied");
        try (MqttTestClient subscriber = alice(Library.HIVEMQ_V3);
             PahoV5Client bob = PahoV5Client.create(broker, Ids.next("bob")).connect(options -> {
                 options.setUserName("bob");
                 options.setPassword("builder".getBytes(UTF_8));
             });
             HiveMqV5Client bobHive = HiveMqV5Client.connect(broker, Ids.next("bob"),
                     b -> b.simpleAuth().username("bob").password("builder".getBytes(UTF_8)).applySimpleAuth())) {
            subscriber.subscribe(topic, 2);

            // QoS 1: the PUBACK with 0x87 is the token's response.
            IMqttToken token = bob.publishAsync(topic, "denied".getBytes(UTF_8), 1, false);
            token.waitForCompletion(Await.TIMEOUT.toMillis());
            assertEquals("[135]", Arrays.toString(token.getReasonCodes()), "Paho v5: 0x87 Not Authorized in the PUBACK");
            assertEquals(0x87, ((MqttAck) token.getResponse()).getReasonCodes()[0]);
            // QoS 2: Paho ends the flow at the PUBREC with 0x87 and fails the token with that code
            IMqttToken qos2 = bob.publishAsync(topic, "denied".getBytes(UTF_8), 2, false);
            org.eclipse.paho.mqttv5.common.MqttException pubRecFailure = assertThrows(
                    org.eclipse.paho.mqttv5.common.MqttException.class, () -> qos2.waitForCompletion(Await.TIMEOUT.toMillis()));
            assertEquals(0x87, pubRecFailure.getReasonCode(), "Paho v5: 0x87 Not Authorized in the PUBREC");
            // (Paho 1.2.5 then closes its own connection: it treats an error in a PUBREC as fatal.)

            Throwable error = bobHive.publishExpectingFailure(topic, "denied".getBytes(UTF_8), 1);
            assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED,
                    assertInstanceOf(Mqtt5PubAckException.class, error).getMqttMessage().getReasonCode());
            error = bobHive.publishExpectingFailure(topic, "denied".getBytes(UTF_8), 2);
            assertEquals(Mqtt5PubRecReasonCode.NOT_AUTHORIZED,
                    assertInstanceOf(Mqtt5PubRecException.class, error).getMqttMessage().getReasonCode());

            alice(Library.HIVEMQ_V5).publish(topic, "marker", 1, false);
            assertEquals("marker", subscriber.next().text(), "nothing bob published was delivered");
        }
    }

    @Test
    void refusedPublishGetsANormalMqtt311AcknowledgementAndIsNotDelivered() {
        String topic = "ro/" + Ids.next("denied-v3");
        try (MqttTestClient subscriber = alice(Library.HIVEMQ_V5);
             PahoV3Client bob = PahoV3Client.create(broker, Ids.next("bob"))
                     .connect(options -> credentials(options, "bob", "builder"));
             MqttTestClient publisherAlice = alice(Library.HIVEMQ_V3)) {
            subscriber.subscribe(topic, 2);
            for (int qos = 0; qos <= 2; qos++) {
                bob.publish(topic, "denied", qos, false); // completes normally: 3.1.1 has no way to say no
            }
            bob.publish(topic, "denied and retained", 1, true);
            assertTrue(bob.isConnected(), "3.1.1 (section 3.3.5): the client stays connected");
            Mosquitto.pub(broker, "-i", Ids.next("mosq-bob"), "-u", "bob", "-P", "builder", "-t", topic, "-m", "denied",
                    "-q", "1").assertSuccess("mosquitto_pub 3.1.1, refused silently");
            publisherAlice.publish(topic, "marker", 1, false);
            assertEquals("marker", subscriber.next().text(), "nothing bob published was delivered");
        }
        try (MqttTestClient late = alice(Library.PAHO_V3); MqttTestClient publisherAlice = alice(Library.HIVEMQ_V3)) {
            late.subscribe(topic, 1);
            publisherAlice.publish(topic, "marker", 1, false);
            assertEquals("marker", late.next().text(), "the refused retained message was not stored");
        }
    }

    @Test
    void willOnAForbiddenTopicRefusesTheConnection() {
        try (PahoV3Client v3 = PahoV3Client.create(broker, Ids.next("bob-will"))) {
            MqttException refused = assertThrows(MqttException.class, () -> v3.tryConnect(options -> {
                credentials(options, "bob", "builder");
                options.setWill("forbidden/" + Ids.next("will"), "x".getBytes(UTF_8), 1, false);
            }));
            assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, refused.getReasonCode(), "return code 5");
        }
        try (PahoV5Client v5 = PahoV5Client.create(broker, Ids.next("bob-will"))) {
            org.eclipse.paho.mqttv5.common.MqttException refused = assertThrows(
                    org.eclipse.paho.mqttv5.common.MqttException.class, () -> v5.tryConnect(options -> {
                        options.setUserName("bob");
                        options.setPassword("builder".getBytes(UTF_8));
                        options.setWill("forbidden/" + Ids.next("will"),
                                new MqttMessage("x".getBytes(UTF_8), 1, false, new MqttProperties()));
                    }));
            assertEquals(0x87, refused.getReasonCode());
        }
    }

    // ------------------------------------------------------------ authorization of SUBSCRIBE

    @Test
    void refusedSubscriptionsGetSubackFailureCodes() {
        String secret = "secret/" + Ids.next("plans");
        try (MqttTestClient pahoV3 = bob(Library.PAHO_V3);
             MqttTestClient pahoV5 = bob(Library.PAHO_V5);
             MqttTestClient hiveV3 = bob(Library.HIVEMQ_V3);
             MqttTestClient hiveV5 = bob(Library.HIVEMQ_V5);
             MqttTestClient publisher = alice(Library.HIVEMQ_V5)) {
            assertEquals(0x80, pahoV3.trySubscribe(secret, 1), "Paho v3: SUBACK 0x80");
            assertEquals(0x87, pahoV5.trySubscribe(secret, 1), "Paho v5: SUBACK 0x87");
            assertEquals(0x80, hiveV3.trySubscribe(secret, 1), "HiveMQ v3: SUBACK 0x80");
            assertEquals(0x87, hiveV5.trySubscribe(secret, 1), "HiveMQ v5: SUBACK 0x87");
            assertEquals(0x87, hiveV5.trySubscribe("private/" + Ids.next("x") + "/#", 1), "refused for everyone");
            // A subscription that was refused receives nothing.
            String open = Ids.next("open");
            for (MqttTestClient bob : new MqttTestClient[] {pahoV3, pahoV5, hiveV3, hiveV5}) {
                bob.subscribe(open, 1);
            }
            publisher.publish(secret, "classified", 1, false);
            publisher.publish(open, "marker", 1, false);
            for (MqttTestClient bob : new MqttTestClient[] {pahoV3, pahoV5, hiveV3, hiveV5}) {
                assertEquals("marker", bob.next().text(), bob.library() + " received nothing on the refused filter");
            }
        }
        assertTrue(broker.events.of(RecordingListener.Subscribed.class,
                e -> e.subscription().topicFilter().equals(secret)).stream()
                .allMatch(e -> e.result() == ReasonCode.NOT_AUTHORIZED), "the listener sees the refusals");
    }

    @Test
    void mosquittoSubRefusedSubscription() {
        String secret = "secret/" + Ids.next("mosq");
        try (Mosquitto.Sub sub = Mosquitto.sub(broker, "-V", "mqttv5", "-i", "mosq-bob-sub", "-u", "bob", "-P", "builder",
                "-t", secret, "-W", "20")) {
            broker.events.await("refused subscription", 1, RecordingListener.Subscribed.class,
                    e -> e.subscription().topicFilter().equals(secret) && e.result() == ReasonCode.NOT_AUTHORIZED);
            assertFalse(broker.hasSubscription("mosq-bob-sub", secret));
            sub.awaitExit(); // mosquitto_sub gives up when every subscription is refused
            assertTrue(sub.stderr().contains("All subscription requests were denied"), sub.stderr());
        }
    }

    // ------------------------------------------------------------ interceptors

    @Test
    void interceptorRejectsPublishAndSubscribe() {
        String topic = Ids.next("watched");
        try (MqttTestClient subscriber = alice(Library.PAHO_V3);
             HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("alice"),
                     b -> b.simpleAuth().username("alice").password("secret".getBytes(UTF_8)).applySimpleAuth())) {
            assertEquals(0x87, publisher.trySubscribe("intercepted/" + topic, 1), "MQTT 5.0 SUBACK");
            assertEquals(0x80, subscriber.trySubscribe("intercepted/" + topic, 1), "MQTT 3.1.1 SUBACK");
            subscriber.subscribe(topic, 1);
            Await.result("QoS 0", publisher.client.publishWith().topic(topic).payload("drop me".getBytes(UTF_8))
                    .qos(MqttQos.AT_MOST_ONCE).send());
            Throwable error = publisher.publishExpectingFailure(topic, "drop me".getBytes(UTF_8), 1);
            assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED,
                    assertInstanceOf(Mqtt5PubAckException.class, error).getMqttMessage().getReasonCode());
            // HiveMQ gave the topic an alias in the rejected PUBLISH and sends this one with the alias alone.
            publisher.publish(topic, "keep me", 1, false);
            assertEquals("keep me", subscriber.next().text());
            assertTrue(publisher.isConnected() && subscriber.isConnected());
        }
    }

    @Test
    void topicAliasSetByARejectedPublishIsStillSet() {
        // MQTT 5.0 3.3.2.3.4: a PUBLISH with a topic name and a Topic Alias sets the alias when it
        // is received, whatever becomes of the message. HiveMQ's client maps topics to aliases by
        // itself, so its second PUBLISH to a topic carries the alias alone.
        String topic = Ids.next("aliased");
        try (MqttTestClient subscriber = alice(Library.HIVEMQ_V3);
             RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5)) {
            subscriber.subscribe(topic, 1);
            Connect connect = new Connect(ProtocolVersion.MQTT_5, Ids.next("raw-alias"), true, 60, "alice",
                    "secret".getBytes(UTF_8), null, Properties.EMPTY);
            assertEquals(ReasonCode.SUCCESS, raw.connect(connect).reasonCode());
            Properties setAlias = Properties.builder().put(Property.TOPIC_ALIAS, 1).build();
            raw.send(new Publish(topic, QoS.AT_LEAST_ONCE, false, false, 1, "drop me".getBytes(UTF_8), setAlias));
            assertEquals(ReasonCode.NOT_AUTHORIZED, raw.expect(PubAck.class).reasonCode(), "rejected by the interceptor");
            raw.send(new Publish("", QoS.AT_LEAST_ONCE, false, false, 2, "keep me".getBytes(UTF_8), setAlias));
            MqttPacket answer = raw.next();
            assertInstanceOf(PubAck.class, answer, "the alias set by the rejected PUBLISH resolves; got " + answer);
            assertEquals("keep me", subscriber.next().text());
        }
    }

    // ------------------------------------------------------------ helpers

    private static void credentials(MqttConnectOptions options, String username, String password) {
        options.setUserName(username);
        options.setPassword(password.toCharArray());
    }

    private static MqttTestClient alice(Library library) {
        return as(library, "alice", "secret");
    }

    private static MqttTestClient bob(Library library) {
        return as(library, "bob", "builder");
    }

    private static MqttTestClient as(Library library, String username, String password) {
        String clientId = Ids.next(username);
        byte[] secret = password.getBytes(UTF_8);
        return switch (library) {
            case PAHO_V3, PAHO_V3_1 -> PahoV3Client.create(broker, clientId).connect(options -> credentials(options, username, password));
            case PAHO_V5 -> PahoV5Client.create(broker, clientId).connect(options -> {
                options.setUserName(username);
                options.setPassword(secret);
            });
            case HIVEMQ_V3 -> HiveMqV3Client.connect(broker, clientId,
                    b -> b.simpleAuth().username(username).password(secret).applySimpleAuth());
            case HIVEMQ_V5 -> HiveMqV5Client.connect(broker, clientId,
                    b -> b.simpleAuth().username(username).password(secret).applySimpleAuth());
        };
    }
}
