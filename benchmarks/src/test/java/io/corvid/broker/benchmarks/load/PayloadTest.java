package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class PayloadTest {

    @Test
    void headerRoundTripsThroughAnArray() {
        long now = System.nanoTime();
        byte[] payload = Payload.create(64, 12345, 987_654_321, now, true);
        assertEquals(64, payload.length);
        assertEquals(12345, Payload.publisher(payload));
        assertEquals(987_654_321, Payload.sequence(payload));
        assertEquals(now, Payload.sendNanos(payload));
        assertTrue(Payload.measured(payload));
        for (int i = Payload.HEADER_SIZE; i < payload.length; i++) {
            assertEquals(0, payload[i]);
        }
    }

    @Test
    void warmUpMessagesAreNotMarkedMeasured() {
        byte[] payload = Payload.create(16, 0, 0, -5L, false);
        assertFalse(Payload.measured(payload));
        assertEquals(0, Payload.publisher(payload));
        assertEquals(-5L, Payload.sendNanos(payload), "nanoTime may be negative");
    }

    @Test
    void bufferAndArrayFormsAreTheSameBytes() {
        ByteBuf buf = Unpooled.buffer(16);
        Payload.write(buf, 7, Integer.MAX_VALUE, Long.MIN_VALUE + 3, true);
        byte[] written = new byte[16];
        buf.readBytes(written);
        assertArrayEquals(Payload.create(16, 7, Integer.MAX_VALUE, Long.MIN_VALUE + 3, true), written);
        assertEquals(7, Payload.publisher(written));
        assertEquals(Integer.MAX_VALUE, Payload.sequence(written));
        assertEquals(Long.MIN_VALUE + 3, Payload.sendNanos(written));
    }

    @Test
    void tooSmallPayloadIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Payload.create(15, 0, 0, 0, false));
        assertFalse(Payload.hasHeader(new byte[15]));
    }
}
