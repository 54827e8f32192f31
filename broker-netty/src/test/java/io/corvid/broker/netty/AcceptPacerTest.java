package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AcceptPacer} on an embedded channel standing in for a listening socket, with the
 * pacer's clock and the channel's scheduler moved together by the test: when reading stops,
 * when it starts again, and what happens to connections that arrive while it is stopped.
 */
class AcceptPacerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private long now;
    private final EmbeddedChannel listening = new EmbeddedChannel();
    private final AcceptPacer pacer = new AcceptPacer("l", 10, 2, () -> now); // one connection per 100 ms

    AcceptPacerTest() {
        listening.freezeTime();
        listening.pipeline().addFirst(pacer);
    }

    @AfterEach
    void close() {
        listening.finishAndReleaseAll();
    }

    private void advance(long nanos) {
        now += nanos;
        listening.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
        listening.runScheduledPendingTasks();
    }

    private void accept(String connection) {
        listening.writeInbound(connection);
        assertEquals(connection, listening.readInbound(), "every accepted connection is passed on");
    }

    @Test
    void stopsReadingWhenTheBurstIsSpentAndResumesWhenATokenIsBack() {
        accept("c1");
        assertTrue(listening.config().isAutoRead());
        accept("c2");
        assertFalse(listening.config().isAutoRead(), "the burst of 2 is spent");
        assertEquals(1, pacer.pauses());
        advance(99 * MS);
        assertFalse(listening.config().isAutoRead());
        advance(1 * MS);
        assertTrue(listening.config().isAutoRead(), "a token is back after 100 ms");
        accept("c3");
        assertFalse(listening.config().isAutoRead());
        assertEquals(2, pacer.pauses());
    }

    @Test
    void connectionsAcceptedWhilePausedGoIntoDebtAndLengthenThePause() {
        accept("c1");
        accept("c2");
        // Netty's own back-off after an accept error turns reading on again; an NIO read batch
        // passes its rest on after the pause began. Either way the pacer takes the tokens.
        listening.config().setAutoRead(true);
        accept("c3");
        assertFalse(listening.config().isAutoRead(), "stays paused");
        assertEquals(1, pacer.pauses(), "one pause, lengthened");
        advance(100 * MS);
        assertFalse(listening.config().isAutoRead(), "c3 is paid for only now; the next token is 100 ms away");
        advance(100 * MS);
        assertTrue(listening.config().isAutoRead());
    }

    @Test
    void aQuietListenerGetsItsBurstBack() {
        accept("c1");
        accept("c2");
        advance(10_000 * MS);
        accept("c3");
        assertTrue(listening.config().isAutoRead(), "the bucket refilled to its burst of 2");
        accept("c4");
        assertFalse(listening.config().isAutoRead());
    }

    @Test
    void aFastPaceWaitsForTenMillisecondsOfTokensNotForEachOne() {
        AcceptPacer fast = new AcceptPacer("fast", 1_000, 50, () -> now);
        EmbeddedChannel fastListening = new EmbeddedChannel();
        fastListening.freezeTime();
        fastListening.pipeline().addFirst(fast);
        try {
            for (int i = 0; i < 50; i++) {
                fastListening.writeInbound("c" + i);
            }
            assertFalse(fastListening.config().isAutoRead(), "the burst of 50 is spent");
            now += 9 * MS;
            fastListening.advanceTimeBy(9, TimeUnit.MILLISECONDS);
            fastListening.runScheduledPendingTasks();
            assertFalse(fastListening.config().isAutoRead(), "9 tokens are back, not yet 10");
            now += 1 * MS;
            fastListening.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            fastListening.runScheduledPendingTasks();
            assertTrue(fastListening.config().isAutoRead());
            for (int i = 0; i < 9; i++) {
                fastListening.writeInbound("d" + i);
            }
            assertTrue(fastListening.config().isAutoRead(), "9 of the 10 taken");
            fastListening.writeInbound("d9");
            assertFalse(fastListening.config().isAutoRead());
            assertEquals(2, fast.pauses(), "60 connections, 2 pauses");
        } finally {
            fastListening.finishAndReleaseAll();
        }
    }
}
