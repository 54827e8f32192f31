package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 1,000 messages from one publisher to one subscriber arrive complete and in order, at each
 * QoS, for several pairs of libraries. The publisher sends without waiting for each
 * acknowledgement (the libraries keep their send order), so that the broker sees a burst.
 *
 * <p>QoS 0 is held to the same standard: over loopback, with one subscriber that reads as fast
 * as it can and the broker's queue (1,000) as large as the burst, nothing may be lost. None of
 * the libraries used here drops QoS 0 messages under its own flow control.
 */
class MessageOrderIT {
    private static final int COUNT = 1_000;
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    enum Pair {
        PAHO_V3_TO_HIVEMQ_V5(Library.PAHO_V3, Library.HIVEMQ_V5),
        HIVEMQ_V5_TO_PAHO_V3(Library.HIVEMQ_V5, Library.PAHO_V3),
        PAHO_V5_TO_HIVEMQ_V3(Library.PAHO_V5, Library.HIVEMQ_V3),
        HIVEMQ_V3_TO_PAHO_V5(Library.HIVEMQ_V3, Library.PAHO_V5);

        final Library publisher;
        final Library subscriber;

        Pair(Library publisher, Library subscriber) {
            this.publisher = publisher;
            this.subscriber = subscriber;
        }
    }

    static List<Arguments> pairsAndQos() {
        List<Arguments> cases = new ArrayList<>();
        for (Pair pair : Pair.values()) {
            for (int qos = 0; qos <= 2; qos++) {
                cases.add(Arguments.of(pair, qos));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} at QoS {1}")
    @MethodSource("pairsAndQos")
    void thousandMessagesArriveInOrder(Pair pair, int qos) {
        String topic = Ids.next("order") + "/" + qos;
        try (MqttTestClient subscriber = pair.subscriber.connect(broker, Ids.next("sub"));
             MqttTestClient publisher = pair.publisher.connect(broker, Ids.next("pub"))) {
            subscriber.subscribe(topic, qos);
            publishBurst(publisher, topic, qos);
            List<String> received = new ArrayList<>(COUNT);
            for (int i = 0; i < COUNT; i++) {
                Received message = subscriber.next();
                assertEquals(qos, message.qos());
                received.add(message.text());
            }
            assertInOrder(received);
        }
    }

    /** Sends COUNT messages "0" ... "999" without waiting in between, then waits for every flow to complete. */
    private static void publishBurst(MqttTestClient publisher, String topic, int qos) {
        List<CompletableFuture<?>> pending = new ArrayList<>(COUNT);
        for (int i = 0; i < COUNT; i++) {
            byte[] payload = Integer.toString(i).getBytes(UTF_8);
            if (publisher instanceof PahoV3Client paho) {
                IMqttDeliveryToken token = paho.publishAsync(topic, payload, qos, false);
                pending.add(CompletableFuture.runAsync(() -> {
                    try {
                        token.waitForCompletion(Await.TIMEOUT.toMillis());
                    } catch (MqttException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            } else if (publisher instanceof PahoV5Client paho) {
                var token = paho.publishAsync(topic, payload, qos, false);
                pending.add(CompletableFuture.runAsync(() -> {
                    try {
                        token.waitForCompletion(Await.TIMEOUT.toMillis());
                    } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            } else if (publisher instanceof HiveMqV5Client hive) {
                pending.add(hive.client.publishWith().topic(topic).payload(payload)
                        .qos(com.hivemq.client.mqtt.datatypes.MqttQos.fromCode(qos)).send());
            } else if (publisher instanceof HiveMqV3Client hive) {
                pending.add(hive.client.publishWith().topic(topic).payload(payload)
                        .qos(com.hivemq.client.mqtt.datatypes.MqttQos.fromCode(qos)).send());
            } else {
                throw new IllegalArgumentException(publisher.library().toString());
            }
        }
        Await.result("every publish flow complete", CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)));
    }

    private static void assertInOrder(List<String> received) {
        List<String> expected = IntStream.range(0, COUNT).mapToObj(Integer::toString).toList();
        if (!expected.equals(received)) {
            int firstDifference = IntStream.range(0, COUNT).filter(i -> !expected.get(i).equals(received.get(i)))
                    .findFirst().orElse(-1);
            assertEquals(expected, received, "first difference at index " + firstDifference + ": "
                    + received.subList(Math.max(0, firstDifference - 3), Math.min(COUNT, firstDifference + 4)));
        }
    }

    @Test
    void mosquittoPubLinesArriveInOrderAtEveryLibraryAndMosquittoSub() {
        String topic = Ids.next("order-mosq");
        String lines = IntStream.range(0, COUNT).mapToObj(Integer::toString).collect(Collectors.joining("\n", "", "\n"));
        try (MqttTestClient paho = Library.PAHO_V5.connect(broker, Ids.next("sub"));
             MqttTestClient hive = Library.HIVEMQ_V3.connect(broker, Ids.next("sub"));
             Mosquitto.Sub mosquitto = Mosquitto.sub(broker, "-i", "order-mosq-sub", "-t", topic, "-q", "1",
                     "-C", Integer.toString(COUNT), "-W", "30")) {
            paho.subscribe(topic, 1);
            hive.subscribe(topic, 1);
            broker.awaitSubscription("order-mosq-sub", topic);
            // -l: one message per line of standard input.
            Mosquitto.pubWithInput(broker, lines, "-i", Ids.next("mpub"), "-t", topic, "-q", "1", "-l")
                    .assertSuccess("mosquitto_pub -l");
            for (MqttTestClient client : List.of(paho, hive)) {
                List<String> received = new ArrayList<>(COUNT);
                for (int i = 0; i < COUNT; i++) {
                    received.add(client.next().text());
                }
                assertInOrder(received);
            }
            List<String> printed = new ArrayList<>(COUNT);
            for (int i = 0; i < COUNT; i++) {
                printed.add(mosquitto.nextLine());
            }
            assertInOrder(printed);
            assertEquals(0, mosquitto.awaitExit());
        }
    }
}
