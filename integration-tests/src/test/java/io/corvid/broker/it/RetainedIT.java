package io.corvid.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Retained messages: set, replaced, cleared by an empty payload; delivered on subscribe with
 * the RETAIN flag set while live messages arrive without it.
 *
 * <p>"Nothing more arrives" is proven with a marker: after the step under test the publisher
 * sends a live message on the same topic, and the subscriber must see it next. Messages from
 * one publisher on one topic are delivered in order, so anything the broker wrongly sent
 * would have arrived before the marker.
 */
class RetainedIT {
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

    @ParameterizedTest(name = "{0}")
    @EnumSource(Library.class)
    void setReplaceAndClear(Library library) {
        String topic = Ids.next("retained") + "/state";
        MqttTestClient publisher = pool.get(library, "pub");
        MqttTestClient live = pool.get(library, "live");
        live.subscribe(topic, 1);

        publisher.publish(topic, "v1", 1, true);
        Received liveV1 = live.next();
        assertEquals("v1", liveV1.text());
        assertFalse(liveV1.retain(), "a message delivered to an existing subscription has no RETAIN flag");
        assertRetained(library, topic, "v1", publisher);
        assertEquals("marker", live.next().text());

        publisher.publish(topic, "v2", 1, true);
        assertEquals("v2", live.next().text());
        assertRetained(library, topic, "v2", publisher);
        assertEquals("marker", live.next().text());

        publisher.publish(topic, "", 1, true);
        Received clear = live.next();
        assertEquals("", clear.text(), "an empty retained message still reaches current subscribers");
        assertFalse(clear.retain());
        assertNoRetained(library, topic, publisher);
        live.unsubscribe(topic);
    }

    /**
     * A new subscription gets exactly {@code expected}, with the RETAIN flag, and then live
     * messages without it. The publisher sends the marker.
     */
    private static void assertRetained(Library library, String topic, String expected, MqttTestClient publisher) {
        MqttTestClient subscriber = pool.get(library, "late");
        subscriber.subscribe(topic, 1);
        Received retained = subscriber.next();
        assertEquals(expected, retained.text());
        assertTrue(retained.retain(), "a retained message sent on subscribe has the RETAIN flag");
        publisher.publish(topic, "marker", 1, false);
        Received live = subscriber.next();
        assertEquals("marker", live.text(), "only one retained message per topic");
        assertFalse(live.retain());
        subscriber.unsubscribe(topic);
    }

    private static void assertNoRetained(Library library, String topic, MqttTestClient publisher) {
        MqttTestClient subscriber = pool.get(library, "late");
        subscriber.subscribe(topic, 1);
        publisher.publish(topic, "marker", 1, false);
        Received first = subscriber.next();
        assertEquals("marker", first.text(), "the retained message was cleared, nothing comes before the marker");
        assertFalse(first.retain());
        subscriber.unsubscribe(topic);
    }

    @Test
    void mosquittoPubSetsAndClearsWhatOtherClientsReceive() {
        String topic = Ids.next("mosq-retained") + "/state";
        Mosquitto.pub(broker, "-i", Ids.next("mpub"), "-t", topic, "-m", "from mosquitto", "-q", "1", "-r")
                .assertSuccess("mosquitto_pub -r");
        try (MqttTestClient paho = Library.PAHO_V5.connect(broker, Ids.next("paho"))) {
            paho.subscribe(topic, 2);
            Received received = paho.next();
            assertEquals("from mosquitto", received.text());
            assertTrue(received.retain());
            assertEquals(1, received.qos());
        }
        // mosquitto_sub prints the retain flag too; -V mqttv5 this time.
        try (Mosquitto.Sub sub = Mosquitto.sub(broker, "-V", "mqttv5", "-i", Ids.next("msub"), "-t", topic, "-q", "2",
                "-C", "1", "-W", "20", "-F", Mosquitto.FORMAT)) {
            Received received = sub.next();
            assertEquals("from mosquitto", received.text());
            assertTrue(received.retain());
            assertEquals(0, sub.awaitExit());
        }
        // -n sends a null (empty) message: clears it.
        Mosquitto.pub(broker, "-i", Ids.next("mpub"), "-t", topic, "-n", "-q", "1", "-r").assertSuccess("mosquitto_pub -r -n");
        assertNoRetained(Library.PAHO_V3, topic, pool.get(Library.HIVEMQ_V3, "pub"));
    }

    @Test
    void wildcardSubscriptionReceivesEveryMatchingRetainedMessage() {
        String root = Ids.next("retained-tree");
        Map<String, String> retained = Map.of(root + "/a", "A", root + "/b", "B", root + "/b/c", "C", root, "ROOT");
        try (MqttTestClient publisher = Library.PAHO_V3.connect(broker, Ids.next("pub"))) {
            retained.forEach((topic, payload) -> publisher.publish(topic, payload, 1, true));
            publisher.publish(root + "/x/not-retained", "live", 1, false);
        }
        try (MqttTestClient subscriber = Library.HIVEMQ_V5.connect(broker, Ids.next("sub"))) {
            subscriber.subscribe(root + "/#", 1);
            Map<String, String> got = new HashMap<>();
            for (int i = 0; i < retained.size(); i++) {
                Received message = subscriber.next();
                assertTrue(message.retain(), message + " has the RETAIN flag");
                got.put(message.topic(), message.text());
            }
            assertEquals(retained, got);
        }
        try (MqttTestClient subscriber = Library.PAHO_V3.connect(broker, Ids.next("sub"))) {
            subscriber.subscribe(root + "/+", 1);
            Set<String> topics = Set.of(subscriber.next().topic(), subscriber.next().topic());
            assertEquals(Set.of(root + "/a", root + "/b"), topics);
        }
    }

    @Test
    void retainedMessageIsSentAtTheLowerOfItsQosAndTheSubscriptionQos() {
        String topic = Ids.next("retained-qos");
        try (MqttTestClient publisher = Library.PAHO_V5.connect(broker, Ids.next("pub"))) {
            publisher.publish(topic, "stored at QoS 1", 1, true);
        }
        for (int subscribed = 0; subscribed <= 2; subscribed++) {
            try (MqttTestClient subscriber = Library.PAHO_V3.connect(broker, Ids.next("sub"))) {
                subscriber.subscribe(topic, subscribed);
                Received message = subscriber.next();
                assertEquals(Math.min(1, subscribed), message.qos(), "QoS for a subscription at " + subscribed);
                assertTrue(message.retain());
            }
        }
    }

    @Test
    void mqtt5RetainHandlingAndRetainAsPublished() {
        String topic = Ids.next("retain-handling");
        try (MqttTestClient publisher = Library.PAHO_V3.connect(broker, Ids.next("pub"))) {
            publisher.publish(topic, "kept", 1, true);
        }
        try (HiveMqV5Client subscriber = HiveMqV5Client.connect(broker, Ids.next("sub"), b -> b);
             MqttTestClient publisher = Library.PAHO_V3.connect(broker, Ids.next("pub"))) {
            // Retain Handling 2: never send retained messages for this subscription.
            Await.result("SUBACK", subscriber.client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).send());
            publisher.publish(topic, "marker 1", 1, false);
            assertEquals("marker 1", subscriber.next().text(), "Retain Handling 2 sends no retained message");

            // Retain Handling 1: send only when the subscription is new; here it already exists.
            Await.result("SUBACK", subscriber.client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST).send());
            publisher.publish(topic, "marker 2", 1, false);
            assertEquals("marker 2", subscriber.next().text(), "Retain Handling 1 on an existing subscription");

            // Retain Handling 0 (the default) on a repeated subscription sends it again.
            Await.result("SUBACK", subscriber.client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.SEND).retainAsPublished(true).send());
            Received again = subscriber.next();
            assertEquals("kept", again.text());
            assertTrue(again.retain());

            // Retain As Published: a live retained message keeps its RETAIN flag.
            publisher.publish(topic, "kept 2", 1, true);
            Received live = subscriber.next();
            assertEquals("kept 2", live.text());
            assertTrue(live.retain(), "Retain As Published keeps the flag on live messages");
        }
    }
}
