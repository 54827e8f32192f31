package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Subscriptions per client, topic levels and topic length: what a client gets past each limit. */
class ClientLimitsTest extends EngineTestSupport {

    private TestClient connected(String clientId, io.corvid.broker.packet.ProtocolVersion version) {
        TestClient client = client(clientId);
        client.connect(version, true);
        return client;
    }

    private static Subscription sub(String filter) {
        return new Subscription(filter, QoS.AT_LEAST_ONCE);
    }

    @Test
    void filtersBeyondTheSubscriptionQuotaGetQuotaExceededAndTheRestAreGranted() {
        settings.maxSubscriptionsPerClient(3);
        TestClient client = connected("many", MQTT_5);
        assertEquals(List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_1),
                client.subscribe(sub("a"), sub("b")).reasonCodes());
        assertEquals(List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.QUOTA_EXCEEDED, ReasonCode.QUOTA_EXCEEDED),
                client.subscribe(sub("c"), sub("d"), sub("e")).reasonCodes());
        assertEquals(2, engine().metrics().subscriptionQuotaRefusals());
        assertEquals(3, engine().metrics().subscriptions());

        // The refused filter really was not subscribed: a message to it does not arrive.
        TestClient publisher = connected("pub", MQTT_5);
        publisher.publish("d", "x", QoS.AT_MOST_ONCE, false);
        publisher.publish("c", "y", QoS.AT_MOST_ONCE, false);
        assertEquals("c", client.receive().topic());
    }

    @Test
    void replacingAHeldFilterDoesNotCountAgainAndUnsubscribingMakesRoom() {
        settings.maxSubscriptionsPerClient(2);
        TestClient client = connected("full", MQTT_5);
        client.subscribe(sub("a"), sub("b"));
        assertEquals(List.of(ReasonCode.GRANTED_QOS_0, ReasonCode.GRANTED_QOS_2),
                client.subscribe(new Subscription("a", QoS.AT_MOST_ONCE), new Subscription("b", QoS.EXACTLY_ONCE))
                        .reasonCodes());
        // The same new filter twice in one SUBSCRIBE: refused both times, the session is full.
        assertEquals(List.of(ReasonCode.QUOTA_EXCEEDED, ReasonCode.QUOTA_EXCEEDED),
                client.subscribe(sub("c"), sub("c")).reasonCodes());
        client.send(new Unsubscribe(client.nextId(), List.of("a"), Properties.EMPTY));
        client.expect(UnsubAck.class);
        assertEquals(List.of(ReasonCode.GRANTED_QOS_1), client.subscribe(sub("c")).reasonCodes());
    }

    @Test
    void aSingleNewFilterRepeatedInOneSubscribeTakesOneSlot() {
        settings.maxSubscriptionsPerClient(1);
        TestClient client = connected("twice", MQTT_5);
        assertEquals(List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_1),
                client.subscribe(sub("a"), sub("a")).reasonCodes());
    }

    @Test
    void mqtt311ClientGetsAFailureCodeForAFilterBeyondTheQuota() {
        settings.maxSubscriptionsPerClient(1);
        TestClient client = connected("v3", MQTT_3_1_1);
        io.corvid.broker.packet.SubAck subAck = client.subscribe(sub("a"), sub("b"));
        byte[] wire = io.corvid.broker.codec.MqttEncoder.encode(subAck, MQTT_3_1_1);
        // Fixed header (2 bytes), packet identifier (2), then one return code per filter.
        assertEquals(List.of(0x01, 0x80), List.of(wire[4] & 0xFF, wire[5] & 0xFF));
    }

    @Test
    void filtersWithTooManyLevelsOrBytesGetTopicFilterInvalid() {
        settings.maxTopicLevels(3).maxTopicLength(20);
        TestClient client = connected("deep", MQTT_5);
        assertEquals(List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.TOPIC_FILTER_INVALID, ReasonCode.TOPIC_FILTER_INVALID,
                        ReasonCode.GRANTED_QOS_1, ReasonCode.TOPIC_FILTER_INVALID),
                client.subscribe(sub("a/+/#"), sub("a/b/c/d"), sub("a-twenty-one-bytes-xx"),
                        sub("$share/g/a/b/c"), sub("$share/g/a/b/c/d")).reasonCodes());
        assertEquals(3, engine().metrics().topicLimitRefusals());
        client.send(new Unsubscribe(client.nextId(), List.of("a/+/#", "a/b/c/d"), Properties.EMPTY));
        assertEquals(List.of(ReasonCode.SUCCESS, ReasonCode.TOPIC_FILTER_INVALID), client.expect(UnsubAck.class).reasonCodes());
    }

    @Test
    void lengthCountsUtf8Bytes() {
        settings.maxTopicLength(6);
        TestClient client = connected("utf8", MQTT_5);
        // Three chars, six bytes: within; four chars, eight bytes: over.
        assertEquals(List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.TOPIC_FILTER_INVALID),
                client.subscribe(sub("äöü"), sub("äöüß")).reasonCodes());
    }

    @Test
    void publishingToATopicWithTooManyLevelsCostsTheConnection() {
        settings.maxTopicLevels(2);
        TestClient subscriber = connected("sub", MQTT_5);
        subscriber.subscribe("#", QoS.AT_LEAST_ONCE);
        TestClient client = connected("deep", MQTT_5);
        client.publish("a/b", "within", QoS.AT_LEAST_ONCE, false);
        assertEquals("a/b", subscriber.receive().topic());
        client.send(new Publish("a/b/c", QoS.AT_LEAST_ONCE, false, false, client.nextId(), new byte[] {1},
                Properties.EMPTY));
        assertEquals(ReasonCode.TOPIC_NAME_INVALID, client.expect(Disconnect.class).reasonCode());
        client.awaitClosed();
        subscriber.expectNothing();
        assertEquals(1, engine().metrics().topicLimitRefusals());
    }

    @Test
    void mqtt311PublisherOverTheLengthIsClosed() {
        settings.maxTopicLength(4);
        TestClient client = connected("long", MQTT_3_1_1);
        client.send(Publish.atMostOnce("abcde", new byte[] {1}, false));
        client.awaitClosed();
        assertFalse(client.connection.received.stream().anyMatch(Disconnect.class::isInstance));
    }

    @Test
    void builderRejectsLimitsBelowOne() {
        io.corvid.broker.Broker.Builder builder = new io.corvid.broker.Broker.Builder();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> builder.maxSubscriptionsPerClient(0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> builder.maxTopicLevels(0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> builder.maxTopicLength(0));
        assertEquals(io.corvid.broker.BrokerConfig.UNLIMITED, builder.buildConfig().maxSubscriptionsPerClient());
        assertEquals(128, builder.buildConfig().maxTopicLevels());
        assertEquals(65535, builder.maxTopicLength(100_000).buildConfig().maxTopicLength());
    }

    @Test
    void aWillTopicOverTheLimitsRefusesTheConnect() {
        settings.maxTopicLevels(2);
        for (io.corvid.broker.packet.ProtocolVersion version : List.of(MQTT_5, MQTT_3_1_1)) {
            TestClient client = client("will-" + version);
            io.corvid.broker.packet.Will will = new io.corvid.broker.packet.Will("a/b/c", new byte[] {1},
                    QoS.AT_MOST_ONCE, false, Properties.EMPTY);
            io.corvid.broker.packet.ConnAck connAck = client.connect(
                    TestClient.connect(version, "will-" + version, true, 60, Properties.EMPTY, will));
            // MQTT 3.1.1 has no code for it: the client reads return code 3, server unavailable.
            assertEquals(version == MQTT_5 ? ReasonCode.TOPIC_NAME_INVALID : ReasonCode.SERVER_UNAVAILABLE,
                    connAck.reasonCode(), version.toString());
            client.awaitClosed();
        }
        assertEquals(2, engine().metrics().topicLimitRefusals());
        TestClient within = client("will-ok");
        assertEquals(ReasonCode.SUCCESS, within.connect(TestClient.connect(MQTT_5, "will-ok", true, 60, Properties.EMPTY,
                new io.corvid.broker.packet.Will("a/b", new byte[] {1}, QoS.AT_MOST_ONCE, false, Properties.EMPTY)))
                .reasonCode());
    }
}
