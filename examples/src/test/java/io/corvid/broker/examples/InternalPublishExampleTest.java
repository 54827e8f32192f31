package io.corvid.broker.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Messages the application publishes reach clients: the retained status and the live change. */
class InternalPublishExampleTest {

    @Test
    void theClientReceivesTheRetainedStatusAndTheLiveChange() throws InterruptedException {
        InternalPublishExample.Outcome outcome = InternalPublishExample.run(0);
        assertEquals(1, outcome.handedTo(), "one subscribed session");
        assertEquals(List.of(
                new ReceivedMessage("inventory/status", "online", true, null),
                new ReceivedMessage("inventory/changes", "{\"item\":\"widget\",\"stock\":41}", false, "application/json")),
                outcome.received());
    }
}
