package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class StreamTrackerTest {

    @Test
    void countsInOrderArrivals() {
        StreamTracker tracker = new StreamTracker(null);
        for (int i = 0; i < 1000; i++) {
            assertTrue(tracker.record(i));
        }
        assertEquals(1000, tracker.distinct());
        assertEquals(0, tracker.duplicates());
        assertEquals(1000, tracker.nextExpected());
        assertEquals(0, tracker.missing(0, 1000));
    }

    @Test
    void findsGapsInTheMeasuredRangeOnly() {
        StreamTracker tracker = new StreamTracker(null);
        for (int i = 0; i < 100; i++) {
            if (i != 5 && i != 50 && i != 51 && i != 99) {
                tracker.record(i);
            }
        }
        assertEquals(96, tracker.distinct());
        assertEquals(99, tracker.nextExpected(), "one past the highest arrival counts for flow control");
        assertEquals(4, tracker.missing(0, 100));
        assertEquals(2, tracker.missing(10, 60));
        assertEquals(0, tracker.missing(6, 50));
        assertEquals(4, tracker.missing(95, 103), "sent but beyond the last arrival is missing too");
        assertEquals(0, tracker.missing(10, 10));
    }

    @Test
    void countsDuplicatesSeparately() {
        StreamTracker tracker = new StreamTracker(null);
        assertTrue(tracker.record(3));
        assertTrue(tracker.record(1));
        assertFalse(tracker.record(3));
        assertFalse(tracker.record(3));
        assertTrue(tracker.record(2));
        assertEquals(3, tracker.distinct());
        assertEquals(2, tracker.duplicates());
        assertEquals(4, tracker.nextExpected());
        assertEquals(1, tracker.missing(0, 4));
    }

    @Test
    void receiverAccountsPerPublisherAndRecordsOnlyMeasuredLatency() {
        StreamTracker[] streams = {new StreamTracker(null), null, new StreamTracker(null)};
        Receiver receiver = new Receiver(0, streams, null);
        long now = System.nanoTime();
        receiver.onMessage(Payload.create(32, 0, 0, now - 2_000_000, false), now); // warm-up: no latency
        receiver.onMessage(Payload.create(32, 0, 1, now - 1_000_000, true), now);
        receiver.onMessage(Payload.create(32, 2, 0, now - 3_000_000, true), now);
        receiver.onMessage(Payload.create(32, 2, 0, now - 3_000_000, true), now); // duplicate
        receiver.onMessage(Payload.create(32, 1, 0, now, true), now); // not expected from publisher 1
        receiver.onMessage(new byte[3], now); // no header
        assertEquals(6, receiver.received());
        assertEquals(3, receiver.distinct());
        assertEquals(1, receiver.duplicates());
        assertEquals(2, receiver.unexpected());
        assertEquals(0, receiver.missing(0, 0, 2));
        assertEquals(1, receiver.missing(2, 0, 2));
        Histogram latency = new Histogram(Receiver.MAX_LATENCY_MICROS, 3);
        receiver.addLatencies(latency);
        assertEquals(2, latency.getTotalCount());
        assertEquals(1000, latency.getMinValue(), 1);
        assertEquals(3000, latency.getMaxValue(), 3);
    }
}
