package io.corvid.broker.it.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SCRAM-SHA-256 for the HiveMQ MQTT client's enhanced authentication API: the client-first
 * message goes in CONNECT (or in AUTH 0x19 for a re-authentication), the proof answers the
 * broker's AUTH 0x18 challenge, and the broker's signature in CONNACK (or AUTH 0x00) is
 * checked before the client accepts the connection. Records what happened, for the tests.
 */
final class HiveMqScramMechanism implements Mqtt5EnhancedAuthMechanism {
    static final MqttUtf8String METHOD = MqttUtf8String.of("SCRAM-SHA-256");

    private final String username;
    private volatile String password;
    private volatile ScramSha256Client exchange;
    /** Steps as they happened: "auth", "continue", "success", "rejected", "reauth", ... */
    final List<String> steps = new CopyOnWriteArrayList<>();
    /** Whether every server signature so far was valid (a bad one fails the connection anyway). */
    volatile boolean serverVerified;

    HiveMqScramMechanism(String username, String password) {
        this.username = username;
        this.password = password;
    }

    /** Changes the password used from the next exchange on (to make a re-authentication fail). */
    void password(String newPassword) {
        this.password = newPassword;
    }

    @Override
    public MqttUtf8String getMethod() {
        return METHOD;
    }

    @Override
    public int getTimeout() {
        return 10;
    }

    @Override
    public CompletableFuture<Void> onAuth(Mqtt5ClientConfig clientConfig, Mqtt5Connect connect,
                                          Mqtt5EnhancedAuthBuilder authBuilder) {
        steps.add("auth");
        exchange = new ScramSha256Client(username, password);
        authBuilder.data(exchange.clientFirst());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig clientConfig, Mqtt5AuthBuilder authBuilder) {
        steps.add("reauth");
        exchange = new ScramSha256Client(username, password);
        authBuilder.data(exchange.clientFirst());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig clientConfig, Mqtt5Auth auth,
                                                 Mqtt5AuthBuilder authBuilder) {
        steps.add("continue");
        Optional<byte[]> serverFirst = data(auth);
        if (serverFirst.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        authBuilder.data(exchange.clientFinal(serverFirst.get()));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig clientConfig, Mqtt5ConnAck connAck) {
        boolean valid = connAck.getEnhancedAuth().flatMap(HiveMqScramMechanism::data)
                .map(exchange::serverFinalIsValid).orElse(false);
        steps.add(valid ? "success" : "success with a bad server signature");
        serverVerified = valid;
        return CompletableFuture.completedFuture(valid);
    }

    @Override
    public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig clientConfig, Mqtt5Auth auth) {
        boolean valid = data(auth).map(exchange::serverFinalIsValid).orElse(false);
        steps.add(valid ? "reauth success" : "reauth success with a bad server signature");
        serverVerified = valid;
        return CompletableFuture.completedFuture(valid);
    }

    @Override
    public void onAuthRejected(Mqtt5ClientConfig clientConfig, Mqtt5ConnAck connAck) {
        steps.add("rejected " + connAck.getReasonCode());
    }

    @Override
    public void onReAuthRejected(Mqtt5ClientConfig clientConfig, Mqtt5Disconnect disconnect) {
        steps.add("reauth rejected " + disconnect.getReasonCode());
    }

    @Override
    public void onAuthError(Mqtt5ClientConfig clientConfig, Throwable cause) {
        steps.add("error " + cause);
    }

    @Override
    public void onReAuthError(Mqtt5ClientConfig clientConfig, Throwable cause) {
        steps.add("reauth error " + cause);
    }

    private static Optional<byte[]> data(Mqtt5EnhancedAuth auth) {
        return auth.getData().map(V5::bytes);
    }
}
