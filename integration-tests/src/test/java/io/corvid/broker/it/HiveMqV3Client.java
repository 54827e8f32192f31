package io.corvid.broker.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3ConnectBuilder;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.UnaryOperator;

/** A HiveMQ MQTT client speaking MQTT 3.1.1. */
final class HiveMqV3Client implements MqttTestClient {
    final Mqtt3AsyncClient client;
    /** Completes with the cause when the connection ends for any reason but our own DISCONNECT. */
    final CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final String clientId;
    private Mqtt3ConnAck connAck;

    private HiveMqV3Client(TestBroker broker, String clientId) {
        this.clientId = clientId;
        this.client = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(broker.port())
                .addDisconnectedListener(context -> {
                    if (context.getSource() != MqttDisconnectSource.USER) {
                        disconnected.complete(context.getCause());
                    }
                })
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, publish -> received.add(new Received(publish.getTopic().toString(),
                publish.getPayloadAsBytes(), publish.getQos().getCode(), publish.isRetain(), false, 0)));
    }

    /** Connects with a clean session and keep alive 60 s, as changed by {@code customizer}; fails if refused. */
    static HiveMqV3Client connect(TestBroker broker, String clientId,
                                  UnaryOperator<Mqtt3ConnectBuilder.Send<CompletableFuture<Mqtt3ConnAck>>> customizer) {
        HiveMqV3Client wrapper = new HiveMqV3Client(broker, clientId);
        wrapper.connAck = Await.result("HiveMQ v3 " + clientId + " connecting",
                customizer.apply(wrapper.client.connectWith().cleanSession(true).keepAlive(60)).send());
        return wrapper;
    }

    /** The CONNACK. */
    Mqtt3ConnAck connAck() {
        return connAck;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public Library library() {
        return Library.HIVEMQ_V3;
    }

    @Override
    public boolean sessionPresent() {
        return connAck.isSessionPresent();
    }

    @Override
    public int trySubscribe(String filter, int qos) {
        CompletableFuture<Mqtt3SubAck> subscribe =
                client.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send();
        Await.until("HiveMQ v3 SUBACK for " + filter, subscribe::isDone);
        if (subscribe.isCompletedExceptionally()) {
            // HiveMQ fails the future when every code in the SUBACK is a failure; the SUBACK is in the exception.
            Throwable failure = Await.failure("HiveMQ v3 SUBACK for " + filter, subscribe);
            if (failure instanceof Mqtt3SubAckException refused) {
                return refused.getMqttMessage().getReturnCodes().get(0).getCode();
            }
            throw new AssertionError("HiveMQ v3 subscribe to " + filter + " failed", failure);
        }
        return subscribe.join().getReturnCodes().get(0).getCode();
    }

    @Override
    public void unsubscribe(String filter) {
        Await.result("HiveMQ v3 UNSUBACK for " + filter, client.unsubscribeWith().topicFilter(filter).send());
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        Await.result("HiveMQ v3 publish to " + topic,
                client.publishWith().topic(topic).payload(payload).qos(MqttQos.fromCode(qos)).retain(retain).send());
    }

    @Override
    public BlockingQueue<Received> received() {
        return received;
    }

    @Override
    public boolean isConnected() {
        return client.getState().isConnected();
    }

    @Override
    public void disconnect() {
        Await.result("HiveMQ v3 disconnect", client.disconnect());
    }

    @Override
    public void close() {
        if (client.getState().isConnectedOrReconnect()) {
            try {
                client.disconnect().get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }
}
