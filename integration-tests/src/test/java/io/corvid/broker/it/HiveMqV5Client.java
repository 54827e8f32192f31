package io.corvid.broker.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A HiveMQ MQTT client speaking MQTT 5.0. */
public final class HiveMqV5Client implements MqttTestClient {
    public final Mqtt5AsyncClient client;
    /** Completes with the cause when the connection ends for any reason but our own DISCONNECT. */
    public final CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<Mqtt5Publish> publishes = new LinkedBlockingQueue<>();
    private final String clientId;
    private Mqtt5ConnAck connAck;

    private HiveMqV5Client(TestBroker broker, String clientId) {
        this.clientId = clientId;
        this.client = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(broker.port())
                .addDisconnectedListener(context -> {
                    if (context.getSource() != MqttDisconnectSource.USER) {
                        disconnected.complete(context.getCause());
                    }
                })
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, publish -> {
            publishes.add(publish);
            received.add(new Received(publish.getTopic().toString(), publish.getPayloadAsBytes(),
                    publish.getQos().getCode(), publish.isRetain(), false, 0));
        });
    }

    /** Connects with clean start, no session expiry and keep alive 60 s, as changed by {@code customizer}; fails if refused. */
    public static HiveMqV5Client connect(TestBroker broker, String clientId,
                                  UnaryOperator<Mqtt5ConnectBuilder.Send<CompletableFuture<Mqtt5ConnAck>>> customizer) {
        HiveMqV5Client wrapper = new HiveMqV5Client(broker, clientId);
        wrapper.connAck = Await.result("HiveMQ v5 " + clientId + " connecting",
                customizer.apply(wrapper.client.connectWith().cleanStart(true).keepAlive(60)).send());
        return wrapper;
    }

    /** A client that is not connected; connect it with {@code client.connectWith()}. */
    public static HiveMqV5Client unconnected(TestBroker broker, String clientId) {
        return new HiveMqV5Client(broker, clientId);
    }

    /** The CONNACK. */
    public Mqtt5ConnAck connAck() {
        return connAck;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public Library library() {
        return Library.HIVEMQ_V5;
    }

    @Override
    public boolean sessionPresent() {
        return connAck.isSessionPresent();
    }

    @Override
    public int trySubscribe(String filter, int qos) {
        CompletableFuture<Mqtt5SubAck> subscribe =
                client.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send();
        Await.until("HiveMQ v5 SUBACK for " + filter, subscribe::isDone);
        if (subscribe.isCompletedExceptionally()) {
            // HiveMQ fails the future when every code in the SUBACK is a failure; the SUBACK is in the exception.
            Throwable failure = Await.failure("HiveMQ v5 SUBACK for " + filter, subscribe);
            if (failure instanceof Mqtt5SubAckException refused) {
                return refused.getMqttMessage().getReasonCodes().get(0).getCode();
            }
            throw new AssertionError("HiveMQ v5 subscribe to " + filter + " failed", failure);
        }
        return subscribe.join().getReasonCodes().get(0).getCode();
    }

    @Override
    public void unsubscribe(String filter) {
        Await.result("HiveMQ v5 UNSUBACK for " + filter, client.unsubscribeWith().topicFilter(filter).send());
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        Mqtt5PublishResult result = Await.result("HiveMQ v5 publish to " + topic,
                client.publishWith().topic(topic).payload(payload).qos(MqttQos.fromCode(qos)).retain(retain).send());
        if (result.getError().isPresent()) {
            throw new AssertionError("HiveMQ v5 publish to " + topic + " failed", result.getError().get());
        }
    }

    /** Publishes and returns why the flow failed (HiveMQ fails it for an error code in PUBACK or PUBREC). */
    public Throwable publishExpectingFailure(String topic, byte[] payload, int qos) {
        return Await.failure("HiveMQ v5 publish to " + topic,
                client.publishWith().topic(topic).payload(payload).qos(MqttQos.fromCode(qos)).send());
    }

    @Override
    public BlockingQueue<Received> received() {
        return received;
    }

    /** The messages as HiveMQ delivered them, with their MQTT 5.0 properties. */
    public BlockingQueue<Mqtt5Publish> publishes() {
        return publishes;
    }

    @Override
    public boolean isConnected() {
        return client.getState().isConnected();
    }

    @Override
    public void disconnect() {
        Await.result("HiveMQ v5 disconnect", client.disconnect());
    }

    @Override
    public void close() {
        if (client.getState().isConnectedOrReconnect()) {
            try {
                client.disconnect().get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }
}
