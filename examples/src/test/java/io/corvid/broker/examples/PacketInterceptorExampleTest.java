package io.corvid.broker.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The interceptor example turns away payloads that are not text before they are routed. */
class PacketInterceptorExampleTest {

    @Test
    void theBinaryPayloadIsRefusedAndNeverDelivered() throws InterruptedException {
        PacketInterceptorExample.Outcome outcome = PacketInterceptorExample.run(0);
        assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, outcome.binary());
        assertEquals(List.of(new ReceivedMessage("chat/lobby", "hello", false, null),
                new ReceivedMessage("chat/lobby", "bye", false, null)), outcome.received());
    }
}
