package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.RetainHandling;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class PublishSubscribeTest extends EngineTestSupport {

    private static String text(Publish publish) {
        return new String(publish.payload(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "published at QoS {0}, subscribed at QoS {1}")
    @CsvSource({"0,0", "0,1", "0,2", "1,0", "1,1", "1,2", "2,0", "2,1", "2,2"})
    void deliversAtTheLowerOfPublishedAndSubscribedQos(int publishedQos, int subscribedQos) {
        TestClient subscriber = client("sub");
        subscriber.connect(MQTT_3_1_1, true);
        assertEquals(ReasonCode.granted(QoS.fromValue(subscribedQos)),
                subscriber.subscribe("a/b", QoS.fromValue(subscribedQos)).reasonCodes().get(0));
        TestClient publisher = client("pub");
        publisher.connect(MQTT_3_1_1, true);
        publisher.publish("a/b", "hello", QoS.fromValue(publishedQos), false);

        Publish received = subscriber.receive();
        assertEquals("a/b", received.topic());
        assertEquals("hello", text(received));
        assertEquals(Math.min(publishedQos, subscribedQos), received.qos().value());
        assertFalse(received.retain());
        assertFalse(received.dup());
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class)
    void everyVersionCanPublishAndSubscribe(ProtocolVersion version) {
        TestClient client = client("self-" + version);
        client.connect(version, true);
        client.subscribe("echo/#", QoS.EXACTLY_ONCE);
        client.publish("echo/1", "x", QoS.EXACTLY_ONCE, false);
        assertEquals("echo/1", client.receive().topic());
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "sport/tennis/player1/#, sport/tennis/player1, true",
            "sport/tennis/player1/#, sport/tennis/player1/ranking, true",
            "sport/#, sport, true",
            "sport/tennis/+, sport/tennis/player1, true",
            "sport/tennis/+, sport/tennis/player1/ranking, false",
            "sport/+, sport, false",
            "sport/+, sport/, true",
            "+/+, /finance, true",
            "/+, /finance, true",
            "+, /finance, false",
            "#, $SYS/broker, false",
            "+/monitor/Clients, $SYS/monitor/Clients, false",
            "$SYS/#, $SYS/monitor/Clients, true",
            "$SYS/monitor/+, $SYS/monitor/Clients, true",
            "a//c, a//c, true",
            "a/+/c, a//c, true"
    })
    void wildcardMatrix(String filter, String topic, boolean matches) {
        TestClient subscriber = client("wild");
        subscriber.connect(MQTT_3_1_1, true);
        subscriber.subscribe(filter, QoS.AT_MOST_ONCE);
        int routed = engine().publishFromApplication(Publish.atMostOnce(topic, new byte[] {1}, false));
        assertEquals(matches ? 1 : 0, routed);
        if (matches) {
            assertEquals(topic, subscriber.receive().topic());
        } else {
            subscriber.expectNothing();
        }
    }

    @Test
    void overlappingSubscriptionsDeliverOneCopyAtTheHighestQos() {
        TestClient subscriber = client("overlap");
        subscriber.connect(MQTT_3_1_1, true);
        subscriber.subscribe(new Subscription("a/+", QoS.AT_MOST_ONCE), new Subscription("a/#", QoS.EXACTLY_ONCE),
                new Subscription("a/b", QoS.AT_LEAST_ONCE));
        TestClient publisher = client("pub");
        publisher.connect(MQTT_3_1_1, true);
        publisher.publish("a/b", "once", QoS.EXACTLY_ONCE, false);
        assertEquals(QoS.EXACTLY_ONCE, subscriber.receive().qos());
        subscriber.expectNothing();
    }

    @Test
    void overlappingMqtt5SubscriptionsCarryEveryIdentifier() {
        TestClient subscriber = client("ids");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe(Properties.builder().subscriptionIdentifier(7).build(), new Subscription("x/#", QoS.AT_LEAST_ONCE));
        subscriber.subscribe(Properties.builder().subscriptionIdentifier(9).build(), new Subscription("x/+", QoS.AT_MOST_ONCE));
        engine().publishFromApplication(new Publish("x/y", QoS.AT_LEAST_ONCE, false, false, 0, new byte[0], Properties.EMPTY));
        Publish received = subscriber.receive();
        assertEquals(QoS.AT_LEAST_ONCE, received.qos());
        int[] ids = received.properties().subscriptionIdentifiers();
        java.util.Arrays.sort(ids);
        assertArrayEquals(new int[] {7, 9}, ids);
    }

    @Test
    void retainedMessageIsStoredReplacedDeliveredOnSubscribeAndDeleted() {
        TestClient publisher = client("pub");
        publisher.connect(MQTT_3_1_1, true);
        publisher.publish("status/door", "open", QoS.AT_LEAST_ONCE, true);
        publisher.publish("status/door", "closed", QoS.AT_LEAST_ONCE, true);
        assertEquals(1, engine().retainedMessageCount());

        TestClient subscriber = client("sub");
        subscriber.connect(MQTT_3_1_1, true);
        subscriber.subscribe("status/#", QoS.AT_LEAST_ONCE);
        Publish retained = subscriber.receive();
        assertTrue(retained.retain(), "retained delivery carries the RETAIN flag");
        assertEquals("closed", text(retained));

        publisher.publish("status/door", "ajar", QoS.AT_LEAST_ONCE, true);
        Publish live = subscriber.receive();
        assertFalse(live.retain(), "a live delivery to an existing subscription has RETAIN 0");
        assertEquals("ajar", text(live));

        publisher.publish("status/door", "", QoS.AT_LEAST_ONCE, true);
        subscriber.receive();
        assertEquals(0, engine().retainedMessageCount(), "an empty retained payload deletes");
        TestClient late = client("late");
        late.connect(MQTT_3_1_1, true);
        late.subscribe("status/#", QoS.AT_LEAST_ONCE);
        late.expectNothing();
    }

    @Test
    void retainAsPublishedKeepsTheFlagForMqtt5() {
        TestClient subscriber = client("rap");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe(new Subscription("r", QoS.AT_MOST_ONCE, false, true, RetainHandling.SEND_ON_SUBSCRIBE));
        engine().publishFromApplication(Publish.atMostOnce("r", new byte[] {1}, true));
        assertTrue(subscriber.receive().retain());
    }

    @Test
    void retainHandlingControlsRetainedDeliveryOnSubscribe() {
        engine().publishFromApplication(Publish.atMostOnce("rh", new byte[] {1}, true));
        TestClient client = client("rh");
        client.connect(MQTT_5, true);
        client.subscribe(new Subscription("rh", QoS.AT_MOST_ONCE, false, false, RetainHandling.DO_NOT_SEND));
        client.expectNothing();
        client.subscribe(new Subscription("rh", QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_IF_NEW_SUBSCRIPTION));
        client.expectNothing();
        client.subscribe(new Subscription("rh2/#", QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_IF_NEW_SUBSCRIPTION));
        engine().publishFromApplication(Publish.atMostOnce("rh2/x", new byte[] {1}, true));
        assertFalse(client.receive().retain());
        client.subscribe(new Subscription("rh", QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE));
        assertTrue(client.receive().retain());
    }

    @Test
    void noLocalSuppressesOwnMessages() {
        TestClient client = client("nl");
        client.connect(MQTT_5, true);
        client.subscribe(new Subscription("chat", QoS.AT_MOST_ONCE, true, false, RetainHandling.SEND_ON_SUBSCRIBE));
        client.publish("chat", "mine", QoS.AT_MOST_ONCE, false);
        client.expectNothing();
        TestClient other = client("other");
        other.connect(MQTT_5, true);
        other.publish("chat", "theirs", QoS.AT_MOST_ONCE, false);
        assertEquals("theirs", text(client.receive()));
    }

    @Test
    void unsubscribeStopsDeliveryAndReportsPerFilter() {
        TestClient client = client("u");
        client.connect(MQTT_5, true);
        client.subscribe("t/1", QoS.AT_MOST_ONCE);
        client.send(new Unsubscribe(client.nextId(), List.of("t/1", "t/never", "bad/#/x"), Properties.EMPTY));
        UnsubAck unsubAck = client.expect(UnsubAck.class);
        assertEquals(List.of(ReasonCode.SUCCESS, ReasonCode.NO_SUBSCRIPTION_EXISTED, ReasonCode.TOPIC_FILTER_INVALID),
                unsubAck.reasonCodes());
        assertEquals(0, engine().publishFromApplication(Publish.atMostOnce("t/1", new byte[0], false)));
        events.await("unsubscribed u t/1");
    }

    @Test
    void invalidFiltersAreRefusedPerFilter() {
        TestClient v5 = client("v5");
        v5.connect(MQTT_5, true);
        assertEquals(List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.TOPIC_FILTER_INVALID, ReasonCode.TOPIC_FILTER_INVALID),
                v5.subscribe(new Subscription("ok/#", QoS.AT_LEAST_ONCE), new Subscription("a/#/b", QoS.AT_LEAST_ONCE),
                        new Subscription("a+", QoS.AT_LEAST_ONCE)).reasonCodes());
        TestClient v3 = client("v3");
        v3.connect(MQTT_3_1_1, true);
        assertEquals(List.of(ReasonCode.UNSPECIFIED_ERROR), v3.subscribe("x/#y", QoS.AT_MOST_ONCE).reasonCodes(),
                "3.1.1 knows only 0x80 for a failure");
    }

    @Test
    void grantedQosIsCappedByTheBrokerMaximum() {
        settings.maximumQos(QoS.AT_LEAST_ONCE);
        TestClient client = client("cap");
        client.connect(MQTT_5, true);
        assertEquals(ReasonCode.GRANTED_QOS_1, client.subscribe("c", QoS.EXACTLY_ONCE).reasonCodes().get(0));
    }

    @Test
    void mqtt5AcknowledgementSaysWhenNobodySubscribed() {
        TestClient client = client("lonely");
        client.connect(MQTT_5, true);
        client.send(new Publish("nobody/here", QoS.AT_LEAST_ONCE, false, false, 5, new byte[0], Properties.EMPTY));
        assertEquals(ReasonCode.NO_MATCHING_SUBSCRIBERS, client.expect(PubAck.class).reasonCode());
    }

    @Test
    void duplicateQos2PublishBeforeReleaseIsRoutedOnce() {
        TestClient subscriber = client("s");
        subscriber.connect(MQTT_3_1_1, true);
        subscriber.subscribe("q2", QoS.EXACTLY_ONCE);
        TestClient publisher = client("p");
        publisher.connect(MQTT_3_1_1, true);
        Publish publish = new Publish("q2", QoS.EXACTLY_ONCE, false, false, 42, new byte[] {1}, Properties.EMPTY);
        publisher.send(publish);
        assertEquals(42, publisher.expect(PubRec.class).packetId());
        publisher.send(publish.withDup(true));
        assertEquals(42, publisher.expect(PubRec.class).packetId());
        publisher.send(new io.corvid.broker.packet.PubRel(42));
        publisher.expect(io.corvid.broker.packet.PubComp.class);
        subscriber.receive();
        subscriber.expectNothing();
    }

    @ParameterizedTest
    @EnumSource(QoS.class)
    void thousandMessagesArriveInOrder(QoS qos) {
        TestClient subscriber = client("order");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("seq", qos);
        TestClient publisher = client("pub");
        publisher.connect(MQTT_5, true);
        for (int i = 0; i < 1000; i++) {
            publisher.send(new Publish("seq", qos, false, false, qos == QoS.AT_MOST_ONCE ? 0 : i % 60000 + 1,
                    Integer.toString(i).getBytes(StandardCharsets.UTF_8), Properties.EMPTY));
            if (qos == QoS.EXACTLY_ONCE) {
                publisher.expect(PubRec.class);
                publisher.send(new io.corvid.broker.packet.PubRel(i % 60000 + 1));
                publisher.expect(io.corvid.broker.packet.PubComp.class);
            } else if (qos == QoS.AT_LEAST_ONCE) {
                publisher.expect(PubAck.class);
            }
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(Integer.toString(i), text(subscriber.receive()));
        }
    }

    @Test
    void applicationPublishReachesSubscribersWithProperties() {
        TestClient subscriber = client("app");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("app/#", QoS.AT_LEAST_ONCE);
        Properties properties = Properties.builder()
                .put(Property.CONTENT_TYPE, "text/plain")
                .put(Property.RESPONSE_TOPIC, "replies/1")
                .put(Property.CORRELATION_DATA, new byte[] {9})
                .userProperty("a", "1").userProperty("a", "2")
                .build();
        assertEquals(1, engine().publishFromApplication(
                new Publish("app/x", QoS.AT_LEAST_ONCE, false, false, 0, new byte[] {1}, properties)));
        Publish received = subscriber.receive();
        assertEquals(properties, received.properties());
        events.await("published <application> app/x");
    }

    @Test
    void expiredRetainedMessagesAreNotDeliveredAndAreRemoved() {
        engine().publishFromApplication(new Publish("ttl", QoS.AT_MOST_ONCE, true, false, 0, new byte[] {1},
                Properties.builder().put(Property.MESSAGE_EXPIRY_INTERVAL, 10L).build()));
        engine().publishFromApplication(new Publish("ttl-long", QoS.AT_MOST_ONCE, true, false, 0, new byte[] {2},
                Properties.builder().put(Property.MESSAGE_EXPIRY_INTERVAL, 100L).build()));
        clock.advanceMillis(20_000);
        TestClient client = client("ttl");
        client.connect(MQTT_5, true);
        client.subscribe("ttl/#", QoS.AT_MOST_ONCE);
        client.subscribe("ttl-long", QoS.AT_MOST_ONCE);
        Publish survivor = client.receive();
        assertEquals("ttl-long", survivor.topic());
        assertEquals(80, survivor.properties().getLong(Property.MESSAGE_EXPIRY_INTERVAL, -1),
                "the retained copy's expiry counts down while stored");
        assertEquals(1, engine().retainedMessageCount());
    }

    @Test
    void aSubscriptionMatchingMoreRetainedMessagesThanTheQueueHoldsGetsThemAll() {
        settings.maxQueuedMessages(10).maxInflight(5);
        for (int i = 0; i < 100; i++) {
            engine().publishFromApplication(new Publish("many/" + i, QoS.AT_LEAST_ONCE, true, false, 0,
                    new byte[] {(byte) i}, Properties.EMPTY));
        }
        TestClient client = client("all-retained");
        client.connect(MQTT_3_1_1, true);
        client.subscribe("many/#", QoS.AT_LEAST_ONCE);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 100; i++) {
            Publish retained = client.receive();
            assertTrue(retained.retain());
            seen.add((int) retained.payload()[0]);
        }
        assertEquals(100, seen.size(), "streamed through the inflight window, none dropped");
        assertFalse(client.connection.isClosed(), "retained messages are not a slow consumer's overflow");
        events.events().forEach(e -> assertFalse(e.startsWith("dropped"), e));
    }
}
