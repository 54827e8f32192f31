package io.corvid.broker.metrics;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** MQTT 3.1.1 clients (Paho) for the tests. */
final class Clients {
    private Clients() {
    }

    /** A connected client with a clean or a persistent session. */
    static MqttClient connect(MeteredBroker broker, String clientId, boolean cleanSession) throws MqttException {
        MqttClient client = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(cleanSession);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.connect(options);
        return client;
    }

    /** A connected client that counts the messages it receives on {@code filter}, subscribed at {@code qos}. */
    static MqttClient subscriber(MeteredBroker broker, String clientId, boolean cleanSession, String filter,
                                 int qos, AtomicInteger received) throws MqttException {
        MqttClient client = connect(broker, clientId, cleanSession);
        client.subscribe(filter, qos, (topic, message) -> received.incrementAndGet());
        return client;
    }

    static void publish(MqttClient client, String topic, int qos, int count) throws MqttException {
        for (int i = 0; i < count; i++) {
            client.publish(topic, ("message " + i).getBytes(StandardCharsets.UTF_8), qos, false);
        }
    }

    static void close(MqttClient client) throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
