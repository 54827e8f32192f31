package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every client the suite drives, Java libraries and command-line tools alike, reduced to what
 * a cross-client test needs: publish one message, or subscribe and receive.
 */
enum Party {
    PAHO_V3_1(Library.PAHO_V3_1, null),
    PAHO_V3(Library.PAHO_V3, null),
    PAHO_V5(Library.PAHO_V5, null),
    HIVEMQ_V3(Library.HIVEMQ_V3, null),
    HIVEMQ_V5(Library.HIVEMQ_V5, null),
    MOSQUITTO_V311(null, "mqttv311"),
    MOSQUITTO_V5(null, "mqttv5");

    private final Library library;
    private final String mosquittoVersion;

    Party(Library library, String mosquittoVersion) {
        this.library = library;
        this.mosquittoVersion = mosquittoVersion;
    }

    /** A subscription that can be waited on. */
    interface Receiver extends AutoCloseable {
        Received next();

        @Override
        void close();
    }

    /**
     * Subscribes (a pooled client of a Java library, or a new mosquitto_sub) and returns once
     * the broker holds the subscription. Closing the receiver unsubscribes the pooled client.
     */
    Receiver subscribe(TestBroker broker, ClientPool pool, String filter, int qos) {
        if (library != null) {
            MqttTestClient client = pool.get(library, "sub");
            client.received().clear();
            client.subscribe(filter, qos);
            return new Receiver() {
                @Override
                public Received next() {
                    return client.next();
                }

                @Override
                public void close() {
                    client.unsubscribe(filter);
                }
            };
        }
        String clientId = Ids.next("sub-" + name().toLowerCase());
        Mosquitto.Sub sub = Mosquitto.sub(broker, "-V", mosquittoVersion, "-i", clientId, "-t", filter,
                "-q", Integer.toString(qos), "-C", "1", "-W", "20", "-F", Mosquitto.FORMAT);
        // mosquitto_sub says nothing when subscribed; the broker knows.
        broker.awaitSubscription(clientId, filter);
        return new Receiver() {
            @Override
            public Received next() {
                Received received = sub.next();
                assertEquals(0, sub.awaitExit(), () -> "mosquitto_sub exit code; stderr: " + sub.stderr());
                return received;
            }

            @Override
            public void close() {
                sub.close();
            }
        };
    }

    /** Publishes one message (a pooled client, or a new mosquitto_pub) and waits for its flow to complete. */
    void publish(TestBroker broker, ClientPool pool, String topic, String payload, int qos, boolean retain) {
        if (library != null) {
            pool.get(library, "pub").publish(topic, payload.getBytes(UTF_8), qos, retain);
            return;
        }
        String clientId = Ids.next("pub-" + name().toLowerCase());
        if (retain) {
            Mosquitto.pub(broker, "-V", mosquittoVersion, "-i", clientId, "-t", topic, "-m", payload,
                    "-q", Integer.toString(qos), "-r").assertSuccess("mosquitto_pub");
        } else {
            Mosquitto.pub(broker, "-V", mosquittoVersion, "-i", clientId, "-t", topic, "-m", payload,
                    "-q", Integer.toString(qos)).assertSuccess("mosquitto_pub");
        }
    }

    @Override
    public String toString() {
        return library != null ? library.toString() : "mosquitto " + mosquittoVersion;
    }
}
