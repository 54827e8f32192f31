package io.corvid.broker.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.corvid.broker.Broker;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The authentication example lets in the right password only, with the reason codes MQTT defines. */
class AuthenticationExampleTest {

    @Test
    void theRightPasswordConnectsAndAWrongOneGets0x86() {
        AuthenticationExample.Outcome outcome = AuthenticationExample.run(0);
        assertEquals(Mqtt5ConnAckReasonCode.SUCCESS, outcome.rightPassword());
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, outcome.wrongPassword());
    }

    @Test
    void unknownUsersAndClientsWithoutCredentialsAreRefused() {
        try (Broker broker = AuthenticationExample.start(0, Map.of("alice", "wonderland"))) {
            assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    AuthenticationExample.connect(broker, "mallory", "wonderland"));
            Mqtt5ConnAckException anonymous = assertThrows(Mqtt5ConnAckException.class,
                    () -> DemoClients.aimedAt(broker, "anonymous").buildBlocking().connect());
            assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, anonymous.getMqttMessage().getReasonCode());
        }
    }

    @Test
    void mqtt311ClientsWithAWrongPasswordGetReturnCode4() {
        try (Broker broker = AuthenticationExample.start(0, Map.of("alice", "wonderland"))) {
            Mqtt3BlockingClient client = MqttClient.builder().useMqttVersion3().identifier("v3")
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
            Mqtt3ConnAckException refused = assertThrows(Mqtt3ConnAckException.class, () -> client.connectWith()
                    .simpleAuth().username("alice").password("guess".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .send());
            assertEquals(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD, refused.getMqttMessage().getReturnCode());
        }
    }
}
