package io.corvid.broker.it;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
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

/** An Eclipse Paho Java v5 client (MQTT 5.0), in memory persistence, sockets the test can cut. */
public final class PahoV5Client implements MqttTestClient {
    public static final long WAIT_MILLIS = Await.TIMEOUT.toMillis();

    public final MqttAsyncClient client;
    public final KillableSocketFactory sockets = new KillableSocketFactory();
    /** Completes when the library reports the connection ended (with the server's DISCONNECT, if any). */
    public final CompletableFuture<MqttDisconnectResponse> disconnected = new CompletableFuture<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<MqttMessage> messages = new LinkedBlockingQueue<>();
    private boolean sessionPresent;

    private PahoV5Client(MqttAsyncClient client) {
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
                messages.add(message);
                received.add(new Received(topic, message.getPayload(), message.getQos(), message.isRetained(),
                        message.isDuplicate(), message.getId()));
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

    /** A client that is not connected yet. */
    public static PahoV5Client create(TestBroker broker, String clientId) {
        try {
            return new PahoV5Client(new MqttAsyncClient(broker.uri(), clientId, new MemoryPersistence()));
        } catch (MqttException e) {
            throw new AssertionError("cannot create a Paho v5 client", e);
        }
    }

    /** The options every test starts from: clean start, no session expiry, keep alive 60 s, no automatic reconnect. */
    public MqttConnectionOptions defaultOptions() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setKeepAliveInterval(60);
        options.setConnectionTimeout(10);
        options.setAutomaticReconnect(false);
        options.setSocketFactory(sockets);
        return options;
    }

    /** Connects with the default options as changed by {@code customizer}; fails the test if refused. */
    public PahoV5Client connect(Consumer<MqttConnectionOptions> customizer) {
        try {
            tryConnect(customizer);
            return this;
        } catch (MqttException e) {
            throw new AssertionError("Paho v5 client " + clientId() + " could not connect: " + e, e);
        }
    }

    /** Connects; throws the library's exception when refused. */
    public IMqttToken tryConnect(Consumer<MqttConnectionOptions> customizer) throws MqttException {
        MqttConnectionOptions options = defaultOptions();
        customizer.accept(options);
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
        return Library.PAHO_V5;
    }

    @Override
    public boolean sessionPresent() {
        return sessionPresent;
    }

    @Override
    public int trySubscribe(String filter, int qos) {
        IMqttToken token;
        try {
            token = client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, qos)});
        } catch (MqttException e) {
            throw new AssertionError("Paho v5 subscribe to " + filter + " failed: " + e, e);
        }
        try {
            token.waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            // Paho reports a refused subscription as an exception; the SUBACK is still on the token.
            if (token.getReasonCodes() == null || !token.isComplete()) {
                throw new AssertionError("Paho v5 subscribe to " + filter + " failed: " + e, e);
            }
        }
        return token.getReasonCodes()[0];
    }

    @Override
    public void unsubscribe(String filter) {
        try {
            client.unsubscribe(filter).waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            throw new AssertionError("Paho v5 unsubscribe from " + filter + " failed: " + e, e);
        }
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        try {
            publishAsync(topic, payload, qos, retain).waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            throw new AssertionError("Paho v5 publish to " + topic + " failed: " + e, e);
        }
    }

    /** Publishes without waiting; the token carries the PUBACK or PUBREC reason codes once complete. */
    public IMqttToken publishAsync(String topic, byte[] payload, int qos, boolean retain) {
        MqttMessage message = new MqttMessage(payload, qos, retain, new MqttProperties());
        try {
            return client.publish(topic, message);
        } catch (MqttException e) {
            throw new AssertionError("Paho v5 publish to " + topic + " failed: " + e, e);
        }
    }

    @Override
    public BlockingQueue<Received> received() {
        return received;
    }

    /** The messages as Paho delivered them, with their MQTT 5.0 properties. */
    public BlockingQueue<MqttMessage> messages() {
        return messages;
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
            throw new AssertionError("Paho v5 disconnect failed: " + e, e);
        }
    }

    /** Cuts the network connection without DISCONNECT and waits until the library noticed. */
    public void kill() {
        sockets.killAll();
        Await.result("Paho v5 " + clientId() + " noticing its connection is gone", disconnected);
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
