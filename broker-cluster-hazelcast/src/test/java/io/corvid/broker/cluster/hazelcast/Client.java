package io.corvid.broker.cluster.hazelcast;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** An Eclipse Paho MQTT 5.0 client connected to one node, collecting what it receives. */
final class Client implements AutoCloseable {
    private static final long WAIT_MILLIS = Await.TIMEOUT.toMillis();

    /** What a client received: topic, payload as text, QoS and RETAIN. */
    record Received(String topic, String payload, int qos, boolean retained) {
    }

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** The reason codes of the broker's DISCONNECTs (-1: the connection closed without one). */
    final BlockingQueue<Integer> disconnects = new LinkedBlockingQueue<>();
    /** CONNACK's session present flag. */
    final boolean sessionPresent;
    private final MqttAsyncClient client;

    Client(Node node, String clientId) {
        this(node, clientId, true, 0);
    }

    /** A client whose session outlives its connection by {@code sessionExpirySeconds} unless {@code cleanStart}. */
    Client(Node node, String clientId, boolean cleanStart, long sessionExpirySeconds) {
        this(node, clientId, cleanStart, sessionExpirySeconds, null, null);
    }

    /** A client with a will (QoS 1, not retained) on {@code willTopic}, when not {@code null}. */
    Client(Node node, String clientId, boolean cleanStart, long sessionExpirySeconds, String willTopic,
           String willPayload) {
        try {
            client = new MqttAsyncClient(node.uri(), clientId, new MemoryPersistence());
            client.setCallback(new MqttCallback() {
                @Override
                public void disconnected(MqttDisconnectResponse response) {
                    disconnects.add(response.getReturnCode() == 0 && response.getException() != null ? -1
                            : response.getReturnCode());
                }

                @Override
                public void mqttErrorOccurred(MqttException exception) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8),
                            message.getQos(), message.isRetained()));
                }

                @Override
                public void deliveryComplete(IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverURI) {
                }

                @Override
                public void authPacketArrived(int reasonCode, MqttProperties properties) {
                }
            });
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(cleanStart);
            options.setSessionExpiryInterval(sessionExpirySeconds);
            if (willTopic != null) {
                options.setWill(willTopic, new MqttMessage(willPayload.getBytes(StandardCharsets.UTF_8), 1, false, null));
            }
            options.setAutomaticReconnect(false);
            IMqttToken connected = client.connect(options);
            connected.waitForCompletion(WAIT_MILLIS);
            sessionPresent = connected.getSessionPresent();
        } catch (MqttException e) {
            throw new AssertionError("cannot connect " + clientId + " to " + node.uri(), e);
        }
    }

    void subscribe(String filter, int qos) {
        try {
            IMqttToken token = client.subscribe(new MqttSubscription(filter, qos));
            token.waitForCompletion(WAIT_MILLIS);
            int granted = token.getReasonCodes()[0];
            if (granted != qos) {
                throw new AssertionError("subscription to " + filter + " answered " + granted);
            }
        } catch (MqttException e) {
            throw new AssertionError("cannot subscribe to " + filter, e);
        }
    }

    void unsubscribe(String filter) {
        try {
            client.unsubscribe(filter).waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            throw new AssertionError("cannot unsubscribe from " + filter, e);
        }
    }

    /** Publishes and waits for the flow to complete (PUBACK, PUBCOMP; at once for QoS 0). */
    void publish(String topic, String payload, int qos, boolean retain) {
        try {
            MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), qos, retain, null);
            client.publish(topic, message).waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            throw new AssertionError("cannot publish to " + topic, e);
        }
    }

    boolean isConnected() {
        return client.isConnected();
    }

    Received next() {
        return Await.next("a message for " + client.getClientId(), received);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(WAIT_MILLIS);
            }
            client.close();
        } catch (MqttException e) {
            // The broker may be gone already; nothing left to release.
        }
    }
}
