package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Authentication;
import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.Authorization;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.PacketInterceptor;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PlugInTest extends EngineTestSupport {

    private static Connect connectWithPassword(io.corvid.broker.packet.ProtocolVersion version, String clientId,
                                               String username, String password) {
        return new Connect(version, clientId, true, 60, username, password.getBytes(StandardCharsets.UTF_8), null,
                Properties.EMPTY);
    }

    private static final Authentication PASSWORD_CHECK = request ->
            "secret".equals(request.password() == null ? null : new String(request.password(), StandardCharsets.UTF_8))
                    ? AuthenticationResult.allow() : AuthenticationResult.badCredentials();

    @Test
    void synchronousAuthenticationAllowsAndRefuses() {
        authentication = PASSWORD_CHECK;
        TestClient good = client("good");
        assertEquals(ReasonCode.SUCCESS, good.connect(connectWithPassword(MQTT_5, "good", "u", "secret")).reasonCode());
        TestClient bad = client("bad");
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                bad.connect(connectWithPassword(MQTT_5, "bad", "u", "wrong")).reasonCode());
        bad.awaitClosed();
        TestClient bad3 = client("bad3");
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                bad3.connect(connectWithPassword(MQTT_3_1_1, "bad3", "u", "wrong")).reasonCode(),
                "3.1.1 return code 4");
        events.await("refused bad BAD_USER_NAME_OR_PASSWORD");
    }

    @Test
    void asynchronousAuthenticationHoldsTheConnectionUntilItAnswers() {
        CompletableFuture<AuthenticationResult> answer = new CompletableFuture<>();
        authentication = Authentication.async(request -> answer);
        TestClient client = client("async");
        client.send(TestClient.connect(MQTT_5, "async", true, 60, Properties.EMPTY, null));
        client.send(PingReq.INSTANCE);
        Await.until("reading is paused", () -> !client.connection.readEnabled);
        client.expectNothing();
        answer.complete(AuthenticationResult.allow());
        assertEquals(ReasonCode.SUCCESS, client.expect(ConnAck.class).reasonCode());
        client.expect(PingResp.class);
        assertTrue(client.connection.readEnabled);
    }

    @Test
    void authenticationThatNeverAnswersRefusesWithServerUnavailable() {
        settings.pluginTimeout(Duration.ofMillis(200));
        authentication = Authentication.async(request -> new CompletableFuture<>());
        TestClient client = client("stuck");
        assertEquals(ReasonCode.SERVER_UNAVAILABLE, client.connect(MQTT_5, true).reasonCode());
        client.awaitClosed();
    }

    @Test
    void failingAuthenticationRefuses() {
        authentication = Authentication.async(request -> CompletableFuture.failedFuture(new IllegalStateException("db down")));
        TestClient client = client("fail");
        assertEquals(ReasonCode.SERVER_UNAVAILABLE, client.connect(MQTT_3_1_1, true).reasonCode());
    }

    private void denyTopicsStartingWithSecret() {
        authorization = new Authorization() {
            @Override
            public boolean canPublish(ClientInfo client, String topic, QoS qos, boolean retain) {
                return !topic.startsWith("secret");
            }

            @Override
            public boolean canSubscribe(ClientInfo client, String topicFilter, QoS qos) {
                return !topicFilter.startsWith("secret");
            }
        };
    }

    @Test
    void deniedPublishIsNotDeliveredAndMqtt5IsTold() {
        denyTopicsStartingWithSecret();
        engine();
        TestClient spy = client("spy");
        spy.connect(MQTT_5, true);
        spy.subscribe("#", QoS.AT_LEAST_ONCE);
        TestClient v5 = client("v5");
        v5.connect(MQTT_5, true);
        v5.send(new Publish("secret/a", QoS.AT_LEAST_ONCE, false, false, 1, new byte[0], Properties.EMPTY));
        assertEquals(ReasonCode.NOT_AUTHORIZED, v5.expect(PubAck.class).reasonCode());
        v5.send(new Publish("secret/b", QoS.EXACTLY_ONCE, false, false, 2, new byte[0], Properties.EMPTY));
        assertEquals(ReasonCode.NOT_AUTHORIZED, v5.expect(PubRec.class).reasonCode());
        TestClient v3 = client("v3");
        v3.connect(MQTT_3_1_1, true);
        v3.send(new Publish("secret/c", QoS.AT_LEAST_ONCE, false, false, 1, new byte[0], Properties.EMPTY));
        assertEquals(ReasonCode.SUCCESS, v3.expect(PubAck.class).reasonCode(), "3.1.1 acknowledges normally");
        spy.expectNothing();
    }

    @Test
    void deniedSubscriptionGetsFailureCodePerFilter() {
        denyTopicsStartingWithSecret();
        TestClient v5 = client("v5");
        v5.connect(MQTT_5, true);
        assertEquals(List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.NOT_AUTHORIZED),
                v5.subscribe(new Subscription("open", QoS.AT_LEAST_ONCE), new Subscription("secret/#", QoS.AT_LEAST_ONCE))
                        .reasonCodes());
        TestClient v3 = client("v3");
        v3.connect(MQTT_3_1_1, true);
        assertEquals(List.of(ReasonCode.UNSPECIFIED_ERROR), v3.subscribe("secret", QoS.AT_MOST_ONCE).reasonCodes());
    }

    @Test
    void asynchronousAuthorizationKeepsPacketsInOrder() {
        List<CompletableFuture<Boolean>> pending = new CopyOnWriteArrayList<>();
        authorization = new Authorization() {
            @Override
            public CompletionStage<Boolean> canPublishAsync(ClientInfo client, String topic, QoS qos, boolean retain) {
                CompletableFuture<Boolean> future = new CompletableFuture<>();
                pending.add(future);
                return future;
            }
        };
        TestClient subscriber = client("sub");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("ordered", QoS.AT_LEAST_ONCE);
        TestClient publisher = client("pub");
        publisher.connect(MQTT_5, true);
        for (int i = 0; i < 3; i++) {
            publisher.send(new Publish("ordered", QoS.AT_LEAST_ONCE, false, false, i + 1,
                    new byte[] {(byte) i}, Properties.EMPTY));
        }
        for (int i = 0; i < 3; i++) {
            int index = i;
            Await.until("decision " + index + " is asked", () -> pending.size() > index);
            assertEquals(index + 1, pending.size(), "the next publish waits for the previous decision");
            pending.get(i).complete(true);
            assertEquals(i + 1, publisher.expect(PubAck.class).packetId());
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(i, subscriber.receive().payload()[0]);
        }
    }

    @Test
    void interceptorSeesEveryPacketWithTheClientIdentity() {
        List<String> seen = new CopyOnWriteArrayList<>();
        interceptors.add((client, packet) -> {
            seen.add(client.clientId() + ":" + packet.type());
            return PacketInterceptor.Decision.ACCEPT;
        });
        TestClient client = client("seen");
        client.connect(MQTT_5, true);
        client.subscribe("a", QoS.AT_MOST_ONCE);
        client.publish("a", "x", QoS.AT_MOST_ONCE, false);
        client.receive();
        client.send(PingReq.INSTANCE);
        client.expect(PingResp.class);
        assertEquals(List.of("seen:CONNECT", "seen:SUBSCRIBE", "seen:PUBLISH", "seen:PINGREQ"), seen);
    }

    @Test
    void interceptorRejectionsFollowThePacketType() {
        interceptors.add((client, packet) -> packet.type() == PacketType.CONNECT && client.clientId().equals("banned")
                || packet.type() == PacketType.PUBLISH || packet.type() == PacketType.SUBSCRIBE
                || packet.type() == PacketType.UNSUBSCRIBE || packet.type() == PacketType.PINGREQ
                ? PacketInterceptor.Decision.REJECT : PacketInterceptor.Decision.ACCEPT);
        TestClient banned = client("banned");
        assertEquals(ReasonCode.NOT_AUTHORIZED, banned.connect(MQTT_5, true).reasonCode());

        TestClient client = client("rejected");
        client.connect(MQTT_5, true);
        client.send(new Subscribe(1, List.of(new Subscription("a", QoS.AT_MOST_ONCE)), Properties.EMPTY));
        assertEquals(List.of(ReasonCode.NOT_AUTHORIZED), client.expect(SubAck.class).reasonCodes());
        client.send(new Unsubscribe(2, List.of("a"), Properties.EMPTY));
        assertEquals(List.of(ReasonCode.NOT_AUTHORIZED), client.expect(UnsubAck.class).reasonCodes());
        client.send(new Publish("a", QoS.AT_LEAST_ONCE, false, false, 3, new byte[0], Properties.EMPTY));
        assertEquals(ReasonCode.NOT_AUTHORIZED, client.expect(PubAck.class).reasonCode());
        client.send(PingReq.INSTANCE);
        assertEquals(ReasonCode.NOT_AUTHORIZED,
                client.expect(io.corvid.broker.packet.Disconnect.class).reasonCode());
        client.awaitClosed();
        events.await("disconnected rejected SERVER NOT_AUTHORIZED");
        assertFalse(engine().client("rejected").isPresent());
    }

    @Test
    void authorizationThatThrowsDenies() {
        authorization = new Authorization() {
            @Override
            public boolean canSubscribe(ClientInfo client, String topicFilter, QoS qos) {
                throw new IllegalStateException("bug in plug-in");
            }
        };
        TestClient client = client("t");
        client.connect(MQTT_5, true);
        assertEquals(List.of(ReasonCode.NOT_AUTHORIZED), client.subscribe("a", QoS.AT_MOST_ONCE).reasonCodes());
    }

    @Test
    void interceptorThatThrowsRejects() {
        interceptors.add((client, packet) -> {
            if (packet.type() == PacketType.SUBSCRIBE) {
                throw new IllegalStateException("bug in plug-in");
            }
            return PacketInterceptor.Decision.ACCEPT;
        });
        TestClient client = client("t");
        client.connect(MQTT_3_1_1, true);
        assertEquals(List.of(ReasonCode.UNSPECIFIED_ERROR), client.subscribe("a", QoS.AT_MOST_ONCE).reasonCodes());
    }

    @Test
    void certificateIdentityReplacesTheUserNameWhenTheListenerSaysSo() {
        List<String> seen = new CopyOnWriteArrayList<>();
        authentication = request -> {
            seen.add(request.username());
            return AuthenticationResult.allow();
        };
        TestClient client = client("cert");
        client.connection.transportInfo = new io.corvid.broker.transport.TransportInfo("tls", true, List.of(),
                "CN=device-7,O=Corvid");
        client.connect(connectWithPassword(MQTT_5, "cert", "claimed-name", "pw"));
        assertEquals(List.of("CN=device-7,O=Corvid"), seen);
        assertEquals("CN=device-7,O=Corvid", engine().client("cert").orElseThrow().username());
    }
}
