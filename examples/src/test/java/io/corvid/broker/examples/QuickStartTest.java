package io.corvid.broker.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The quick start's client gets its own message back through the embedded broker. */
class QuickStartTest {

    @Test
    void theClientReceivesWhatItPublished() throws InterruptedException {
        assertEquals(new ReceivedMessage("greetings/world", "hello", false, null), QuickStart.run(0));
    }
}
