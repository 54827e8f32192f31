package io.corvid.broker.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each user of the authorization example stays in their own home. */
class AuthorizationExampleTest {

    @Test
    void aliceGetsHerOwnHomeOnlyAndBobsIntrusionIsNotDelivered() throws InterruptedException {
        AuthorizationExample.Outcome outcome = AuthorizationExample.run(0);
        assertEquals(Mqtt5SubAckReasonCode.GRANTED_QOS_1, outcome.subscriptionToOwn());
        assertEquals(Mqtt5SubAckReasonCode.NOT_AUTHORIZED, outcome.subscriptionToBobs());
        assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, outcome.bobsPublishToAlice());
        assertEquals(List.of(new ReceivedMessage("users/alice/notes", "note to self", false, null)),
                outcome.aliceReceived(), "Bob's message, refused before Alice's note was sent, never arrived");
    }

    @Test
    void aUserNameIsAHomeOnlyWhenItCannotActAsAWildcardOrAPath() {
        AuthorizationExample.OwnTopicsOnly rules = new AuthorizationExample.OwnTopicsOnly();
        assertTrue(rules.canSubscribe(user("carol"), "users/carol/#", QoS.AT_LEAST_ONCE));
        assertTrue(rules.canPublish(user("carol"), "users/carol", QoS.AT_MOST_ONCE, false));
        assertFalse(rules.canPublish(user("carol"), "users/carolyn/x", QoS.AT_MOST_ONCE, false), "a longer name");
        assertFalse(rules.canSubscribe(user("+"), "users/+/#", QoS.AT_LEAST_ONCE), "'+' would own every home");
        assertFalse(rules.canSubscribe(user("#"), "users/#", QoS.AT_LEAST_ONCE));
        assertFalse(rules.canPublish(user("carol/x"), "users/carol/x/y", QoS.AT_MOST_ONCE, false));
        assertFalse(rules.canSubscribe(user(null), "users/null/#", QoS.AT_LEAST_ONCE), "no user name, no home");
    }

    private static ClientInfo user(String name) {
        return new ClientInfo("client-of-" + name, name, null, ProtocolVersion.MQTT_5, "tcp");
    }
}
