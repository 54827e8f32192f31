package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.ClusterMessage;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import org.junit.jupiter.api.Test;

class RetainedValueTest {
    private static final RetainedVersion VERSION = new RetainedVersion(42, "node");

    private static ClusterMessage message(String payload, long expirySeconds) {
        return new ClusterMessage("t/1", payload.getBytes(), QoS.EXACTLY_ONCE, true,
                Properties.builder().userProperty("k", "v").build(), "client", expirySeconds);
    }

    @Test
    void aMessageComesBackWithEverythingItCarried() {
        ClusterMessage back = RetainedValue.of(message("hello", ClusterMessage.NEVER_EXPIRES), VERSION).message("t/1");
        assertEquals("t/1", back.topic());
        assertArrayEquals("hello".getBytes(), back.payload());
        assertEquals(QoS.EXACTLY_ONCE, back.qos());
        assertTrue(back.retain());
        assertEquals("client", back.publisherId());
        assertEquals("v", back.properties().userProperties().get(0).value());
        assertEquals(ClusterMessage.NEVER_EXPIRES, back.expirySeconds());
    }

    @Test
    void theSecondsLeftCountDownByTheStoringMembersClockAndAnExpiredMessageReadsAsDeleted() {
        RetainedValue written = RetainedValue.of(message("x", 10), VERSION).writtenAt(1_000_000);
        assertEquals(10, written.asOf(1_000_000).message("t/1").expirySeconds());
        assertEquals(7, written.asOf(1_003_500).message("t/1").expirySeconds(), "6.5 s left, rounded up");
        RetainedValue expired = written.asOf(1_010_000);
        assertTrue(expired.isDeletion());
        assertEquals(VERSION, expired.version(), "an expiry keeps the version it had");
        assertEquals(0, expired.message("t/1").payload().length);
    }

    @Test
    void anEmptyPayloadIsADeletionKeptForTheTombstoneTime() {
        RetainedValue deletion = RetainedValue.of(message("", ClusterMessage.NEVER_EXPIRES), VERSION);
        assertTrue(deletion.isDeletion());
        assertEquals(3600, deletion.ttlSeconds(3600));
        assertEquals(0, deletion.message("t/1").payload().length);
        assertTrue(deletion.message("t/1").retain());
    }

    @Test
    void theMapKeepsAnExpiringMessageUntilItsTombstoneTimeHasPassedTooAndAPermanentOneForever() {
        assertEquals(10 + 3600, RetainedValue.of(message("x", 10), VERSION).ttlSeconds(3600));
        RetainedValue forever = RetainedValue.of(message("x", ClusterMessage.NEVER_EXPIRES), VERSION);
        assertEquals(0, forever.ttlSeconds(3600), "0: Hazelcast keeps it");
        assertFalse(forever.asOf(Long.MAX_VALUE / 2).isDeletion());
    }
}
