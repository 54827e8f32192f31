package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every client publishes to every client at every QoS: Paho v3 (MQTT 3.1 and 3.1.1), Paho v5,
 * HiveMQ (3.1.1 and 5.0), mosquitto_pub and mosquitto_sub (3.1.1 and 5.0). Publishing and
 * subscribing at the same QoS runs each QoS flow in both directions, inbound to the broker and
 * outbound from it.
 */
class QosMatrixIT {
    private static TestBroker broker;
    private static ClientPool pool;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
        pool = new ClientPool(broker);
    }

    @AfterAll
    static void stopBroker() {
        pool.close();
        broker.close();
    }

    static Stream<Arguments> everyPairAtEveryQos() {
        List<Arguments> cases = new ArrayList<>();
        for (Party publisher : Party.values()) {
            for (Party subscriber : Party.values()) {
                for (int qos = 0; qos <= 2; qos++) {
                    cases.add(Arguments.of(publisher, subscriber, qos));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} -> {1} at QoS {2}")
    @MethodSource("everyPairAtEveryQos")
    void deliversBetweenClients(Party publisher, Party subscriber, int qos) {
        String topic = "matrix/" + publisher.name() + "/" + subscriber.name() + "/" + qos;
        String payload = "from " + publisher + " to " + subscriber + " at QoS " + qos;
        try (Party.Receiver receiver = subscriber.subscribe(broker, pool, topic, qos)) {
            publisher.publish(broker, pool, topic, payload, qos, false);
            Received message = receiver.next();
            assertEquals(topic, message.topic());
            assertEquals(payload, message.text());
            assertEquals(qos, message.qos(), "QoS of the delivered message");
            assertFalse(message.retain(), "a live message carries no RETAIN flag");
        }
    }

    static Stream<Arguments> publishAndSubscriptionQos() {
        List<Arguments> cases = new ArrayList<>();
        for (Library subscriber : List.of(Library.PAHO_V3, Library.PAHO_V5, Library.HIVEMQ_V5)) {
            for (int published = 0; published <= 2; published++) {
                for (int subscribed = 0; subscribed <= 2; subscribed++) {
                    cases.add(Arguments.of(subscriber, published, subscribed));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: published at QoS {1}, subscribed at QoS {2}")
    @MethodSource("publishAndSubscriptionQos")
    void deliversAtTheLowerOfPublishAndSubscriptionQos(Library subscriberLibrary, int published, int subscribed) {
        String topic = Ids.next("downgrade") + "/" + published + "/" + subscribed;
        MqttTestClient subscriber = pool.get(subscriberLibrary, "sub");
        subscriber.subscribe(topic, subscribed);
        pool.get(Library.HIVEMQ_V5, "pub").publish(topic, "m", published, false);
        assertEquals(Math.min(published, subscribed), subscriber.next().qos());
        subscriber.unsubscribe(topic);
    }

    @Test
    void carriesEveryByteValueAndAnEmptyPayload() {
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        String topic = Ids.next("binary");
        try (MqttTestClient paho = Library.PAHO_V3.connect(broker, Ids.next("sub"));
             MqttTestClient hive = Library.HIVEMQ_V5.connect(broker, Ids.next("sub"));
             Mosquitto.Sub mosquitto = Mosquitto.sub(broker, "-i", "binary-mosq", "-t", topic, "-q", "1", "-C", "2",
                     "-W", "20", "-F", Mosquitto.FORMAT);
             MqttTestClient publisher = Library.PAHO_V5.connect(broker, Ids.next("pub"))) {
            paho.subscribe(topic, 1);
            hive.subscribe(topic, 1);
            broker.awaitSubscription("binary-mosq", topic);
            publisher.publish(topic, everyByte, 1, false);
            publisher.publish(topic, new byte[0], 1, false);
            for (MqttTestClient client : List.of(paho, hive)) {
                assertArrayEquals(everyByte, client.next().payload(), client.library() + " payload");
                assertArrayEquals(new byte[0], client.next().payload(), client.library() + " empty payload");
            }
            assertArrayEquals(everyByte, mosquitto.next().payload(), "mosquitto_sub payload");
            assertArrayEquals(new byte[0], mosquitto.next().payload(), "mosquitto_sub empty payload");
        }
    }

    @Test
    void carriesUtf8TopicsAndPayloads() {
        String topic = Ids.next("utf8") + "/température/東京/🐦";
        String payload = "Grüße aus Köln — 你好 — 🐦";
        try (MqttTestClient subscriber = Library.HIVEMQ_V3.connect(broker, Ids.next("sub"));
             MqttTestClient publisher = Library.PAHO_V5.connect(broker, Ids.next("pub"))) {
            subscriber.subscribe(topic, 2);
            publisher.publish(topic, payload.getBytes(UTF_8), 2, false);
            Received message = subscriber.next();
            assertEquals(topic, message.topic());
            assertEquals(payload, message.text());
        }
    }

    @Test
    void hiveMqBlockingApisOfBothVersions() throws Exception {
        String topic = Ids.next("blocking");
        Mqtt5BlockingClient v5 = MqttClient.builder().useMqttVersion5().identifier(Ids.next("blocking-v5"))
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        Mqtt3BlockingClient v3 = MqttClient.builder().useMqttVersion3().identifier(Ids.next("blocking-v3"))
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        v5.connect();
        v3.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes v5Publishes = v5.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt3BlockingClient.Mqtt3Publishes v3Publishes = v3.publishes(MqttGlobalPublishFilter.ALL)) {
            v5.subscribeWith().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).send();
            v3.subscribeWith().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).send();
            for (MqttQos qos : MqttQos.values()) {
                v3.publishWith().topic(topic).qos(qos).payload(("v3 " + qos).getBytes(UTF_8)).send();
                v5.publishWith().topic(topic).qos(qos).payload(("v5 " + qos).getBytes(UTF_8)).send();
                // Two publishers: the broker may route their messages in either order (a QoS 0
                // send returns before the broker has seen it).
                Set<String> at5 = new HashSet<>();
                Set<String> at3 = new HashSet<>();
                for (int i = 0; i < 2; i++) {
                    Mqtt5Publish publish5 = v5Publishes.receive(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                            .orElseThrow(() -> new AssertionError("HiveMQ v5 blocking: nothing received"));
                    assertEquals(qos, publish5.getQos());
                    at5.add(new String(publish5.getPayloadAsBytes(), UTF_8));
                    Mqtt3Publish publish3 = v3Publishes.receive(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                            .orElseThrow(() -> new AssertionError("HiveMQ v3 blocking: nothing received"));
                    assertEquals(qos, publish3.getQos());
                    at3.add(new String(publish3.getPayloadAsBytes(), UTF_8));
                }
                assertEquals(Set.of("v3 " + qos, "v5 " + qos), at5);
                assertEquals(Set.of("v3 " + qos, "v5 " + qos), at3);
            }
        } finally {
            v5.disconnect();
            v3.disconnect();
        }
    }
}
