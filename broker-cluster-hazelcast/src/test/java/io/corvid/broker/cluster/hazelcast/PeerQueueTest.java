package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PeerQueueTest {
    private final AtomicLong dropped = new AtomicLong();
    private final PeerQueue queue = new PeerQueue("peer", 100, dropped);

    @Test
    void framesComeOutInOrderAndCountTheirBytes() {
        assertTrue(queue.offer(new byte[] {1}));
        assertTrue(queue.offer(new byte[] {2, 2}));
        assertEquals(3, queue.queuedBytes());
        assertArrayEquals(new byte[] {1}, queue.poll());
        assertArrayEquals(new byte[] {2, 2}, queue.poll());
        assertNull(queue.poll());
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.queuedBytes());
    }

    @Test
    void whatDoesNotFitIsDroppedAndCountedUntilThereIsRoomAgain() {
        assertTrue(queue.offer(new byte[60]));
        assertTrue(queue.offer(new byte[40]));
        assertFalse(queue.offer(new byte[1]));
        assertFalse(queue.offer(new byte[50]));
        assertEquals(2, dropped.get());
        assertEquals(100, queue.queuedBytes());
        queue.poll();
        assertTrue(queue.offer(new byte[50]));
        assertEquals(2, dropped.get());
    }

    @Test
    void aSingleFrameLargerThanTheLimitFitsAnEmptyQueue() {
        assertTrue(queue.offer(new byte[500]));
        assertFalse(queue.offer(new byte[1]));
        assertEquals(500, queue.poll().length);
        assertTrue(queue.offer(new byte[1]));
    }

    @Test
    void clearingCountsWhatWaitedAsDropped() {
        queue.offer(new byte[10]);
        queue.offer(new byte[10]);
        queue.clear();
        assertEquals(2, dropped.get());
        assertEquals(0, queue.queuedBytes());
        assertTrue(queue.isEmpty());
    }
}
