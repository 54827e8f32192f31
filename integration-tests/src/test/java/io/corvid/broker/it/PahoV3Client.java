package io.corvid.broker.it;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** An Eclipse Paho Java v3 client (MQTT 3.1.1 or 3.1), in memory persistence, sockets the test can cut. */
final class PahoV3Client implements MqttTestClient {
    static final long WAIT_MILLIS = Await.TIMEOUT.toMillis();

    final MqttAsyncClient client;
    final KillableSocketFactory sockets = new KillableSocketFactory();
    /** Completes with the cause when the library reports the connection lost. */
    final CompletableFuture<Throwable> connectionLost = new CompletableFuture<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private Library library = Library.PAHO_V3;
    private boolean sessionPresent;

    private PahoV3Client(MqttAsyncClient client) {
        this.client = client;
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void connectionLost(Throwable cause) {
                connectionLost.complete(cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(topic, message.getPayload(), message.getQos(), message.isRetained(),
                        message.isDuplicate(), message.getId()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    /** A client that is not connected yet. */
    static PahoV3Client create(TestBroker broker, String clientId) {
        try {
            return new PahoV3Client(new MqttAsyncClient(broker.uri(), clientId, new MemoryPersistence()));
        } catch (MqttException e) {
            throw new AssertionError("cannot create a Paho v3 client", e);
        }
    }

    /** The options every test starts from: MQTT 3.1.1, clean session, keep alive 60 s, no automatic reconnect. */
    MqttConnectOptions defaultOptions() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setKeepAliveInterval(60);
        options.setConnectionTimeout(10);
        options.setAutomaticReconnect(false);
        options.setMaxInflight(1000);
        options.setSocketFactory(sockets);
        return options;
    }

    /** Connects with the default options as changed by {@code customizer}; fails the test if refused. */
    PahoV3Client connect(Consumer<MqttConnectOptions> customizer) {
        try {
            tryConnect(customizer);
            return this;
        } catch (MqttException e) {
            throw new AssertionError("Paho v3 client " + clientId() + " could not connect: " + e, e);
        }
    }

    /** Connects; throws the library's exception when refused. */
    IMqttToken tryConnect(Consumer<MqttConnectOptions> customizer) throws MqttException {
        MqttConnectOptions options = defaultOptions();
        customizer.accept(options);
        library = options.getMqttVersion() == MqttConnectOptions.MQTT_VERSION_3_1 ? Library.PAHO_V3_1 : Library.PAHO_V3;
        IMqttToken token = client.connect(options);
        token.waitForCompletion(WAIT_MILLIS);
        sessionPresent = token.getSessionPresent();
        return token;
    }

    @Override
    public String clientId() {
        return client.getClientId();
    }

    @Override
    public Library library() {
        return library;
    }

    @Override
    public boolean sessionPresent() {
        return sessionPresent;
    }

    @Override
    public int trySubscribe(String filter, int qos) {
        try {
            IMqttToken token = client.subscribe(filter, qos);
            token.waitForCompletion(WAIT_MILLIS);
            return token.getGrantedQos()[0];
        } catch (MqttException e) {
            throw new AssertionError("Paho v3 subscribe to " + filter + " failed: " + e, e);
        }
    }

    @Override
    public void unsubscribe(String filter) {
        try {
            client.unsubscribe(filter).waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            throw new AssertionError("Paho v3 unsubscribe from " + filter + " failed: " + e, e);
        }
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        try {
            client.publish(topic, payload, qos, retain).waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            throw new AssertionError("Paho v3 publish to " + topic + " failed: " + e, e);
        }
    }

    /** Publishes without waiting for the flow to complete. */
    IMqttDeliveryToken publishAsync(String topic, byte[] payload, int qos, boolean retain) {
        try {
            return client.publish(topic, payload, qos, retain);
        } catch (MqttException e) {
            throw new AssertionError("Paho v3 publish to " + topic + " failed: " + e, e);
        }
    }

    @Override
    public BlockingQueue<Received> received() {
        return received;
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void disconnect() {
        try {
            client.disconnect(0).waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            throw new AssertionError("Paho v3 disconnect failed: " + e, e);
        }
    }

    /** Cuts the network connection without DISCONNECT and waits until the library noticed. */
    void kill() {
        sockets.killAll();
        Await.result("Paho v3 " + clientId() + " noticing its connection is gone", connectionLost);
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
        sockets.killAll();
        try {
            client.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // nothing more to release
        }
    }
}
