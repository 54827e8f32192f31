package io.corvid.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which topics belong to the broker, so that no client may publish there. */
class TopicsTest {

    @ParameterizedTest(name = "{0}: reserved {1}")
    @CsvSource({
            "$SYS, true",
            "$SYS/broker/uptime, true",
            "$SYS/, true",
            "$SYS/broker/connection/bridge-1/state, false",
            "$SYS/broker/connection//state, false",
            "$SYS/broker/connection/state, true",
            "$SYS/broker/connection/a/b/state, true",
            "$SYS/broker/connection/a/state/x, true",
            "$SYSTEM/x, false",
            "$share/g/x, false",
            "sys/broker, false",
            "a/$SYS, false"
    })
    void theSysTreeIsTheBrokersButForBridgeStates(String topic, boolean reserved) {
        assertEquals(reserved, Topics.isReservedForBroker(topic));
    }
}
