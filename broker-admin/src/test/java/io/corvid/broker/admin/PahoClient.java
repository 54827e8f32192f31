package io.corvid.broker.admin;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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

/** An Eclipse Paho MQTT 5.0 client that records what it receives and how its connection ended. */
final class PahoClient implements AutoCloseable {
    /** A message as received. */
    record Received(String topic, MqttMessage message) {
    }

    private final MqttAsyncClient client;
    /** Completes when the connection ends, with the server's DISCONNECT when it sent one. */
    final CompletableFuture<MqttDisconnectResponse> disconnected = new CompletableFuture<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private PahoClient(MqttAsyncClient client) {
        this.client = client;
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                disconnected.complete(response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(topic, message));
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
    }

    /**
     * Connects {@code clientId} to {@code port} on 127.0.0.1 with a clean start.
     *
     * @param keepAliveSeconds    the keep alive asked for
     * @param sessionExpiry       the session expiry interval, 0 for none
     */
    static PahoClient connect(int port, String clientId, int keepAliveSeconds, long sessionExpiry) {
        try {
            PahoClient paho = new PahoClient(new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId,
                    new MemoryPersistence()));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            options.setKeepAliveInterval(keepAliveSeconds);
            options.setSessionExpiryInterval(sessionExpiry);
            options.setAutomaticReconnect(false);
            options.setConnectionTimeout(10);
            paho.client.connect(options).waitForCompletion(Await.TIMEOUT.toMillis());
            return paho;
        } catch (MqttException e) {
            throw new AssertionError("Paho client " + clientId + " could not connect: " + e, e);
        }
    }

    void subscribe(String filter, int qos) {
        try {
            client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, qos)})
                    .waitForCompletion(Await.TIMEOUT.toMillis());
        } catch (MqttException e) {
            throw new AssertionError("subscribing to " + filter + " failed: " + e, e);
        }
    }

    /** The next message received, waiting for it. */
    Received next() {
        try {
            Received message = received.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError(client.getClientId() + " received nothing within " + Await.TIMEOUT);
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(0).waitForCompletion(2_000);
            }
        } catch (MqttException | RuntimeException ignored) {
            // closing anyway
        }
        try {
            client.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // nothing more to release
        }
    }
}
