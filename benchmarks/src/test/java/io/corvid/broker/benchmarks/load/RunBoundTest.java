package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** When a pressure run ends, on a clock of the test's own. */
class RunBoundTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long START = 1_000 * SECOND;

    @Test
    void endsAsSoonAsEverythingArrived() {
        RunBound bound = new RunBound(START, 60, 5);
        assertNull(bound.check(START, false, false, 0));
        assertEquals(RunBound.End.COMPLETE, bound.check(START + SECOND, true, false, 10));
    }

    @Test
    void endsWhenNoSubscriberThatCountsIsLeft() {
        RunBound bound = new RunBound(START, 60, 5);
        assertEquals(RunBound.End.DISCONNECTED, bound.check(START + SECOND, false, true, 10));
    }

    @Test
    void endsWhenNothingMovedForTheStallTime() {
        RunBound bound = new RunBound(START, 60, 5);
        assertNull(bound.check(START, false, false, 1));
        assertNull(bound.check(START + 4 * SECOND, false, false, 2), "progress restarts the stall clock");
        assertNull(bound.check(START + 8 * SECOND, false, false, 2), "4 s without progress");
        assertEquals(RunBound.End.STALLED, bound.check(START + 9 * SECOND, false, false, 2));
    }

    @Test
    void endsAtTheTimeoutWhateverMoves() {
        RunBound bound = new RunBound(START, 3, 5);
        assertNull(bound.check(START + 2 * SECOND, false, false, 1));
        assertEquals(RunBound.End.TIMEOUT, bound.check(START + 3 * SECOND, false, false, 2));
    }

    @Test
    void withoutAStallTimeOnlyTheTimeoutCuts() {
        RunBound bound = new RunBound(START, 60, 0);
        assertNull(bound.check(START, false, false, 7));
        assertNull(bound.check(START + 59 * SECOND, false, false, 7));
        assertEquals(RunBound.End.TIMEOUT, bound.check(START + 60 * SECOND, false, false, 7));
    }

    @Test
    void completenessWinsOverEverythingElse() {
        RunBound bound = new RunBound(START, 1, 1);
        assertEquals(RunBound.End.COMPLETE, bound.check(START + 10 * SECOND, true, true, 0));
        assertEquals("complete", RunBound.End.COMPLETE.label());
        assertEquals("stalled", RunBound.End.STALLED.label());
    }
}
