package io.corvid.broker.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The events example's listener sees each step of a client's life once, in order. */
class EventsExampleTest {

    @Test
    void everyEventArrivesExactlyOnceInOrder() throws InterruptedException {
        assertEquals(List.of(
                "connected sensor-1",
                "subscribed sensor-1 to sensors/#: GRANTED_QOS_1",
                "published sensor-1 to sensors/temperature",
                "disconnected sensor-1 by CLIENT"), EventsExample.run(0));
    }
}
