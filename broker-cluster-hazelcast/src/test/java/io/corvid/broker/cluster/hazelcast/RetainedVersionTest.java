package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RetainedVersionTest {

    @Test
    void theStampDecidesThenTheNode() {
        RetainedVersion early = new RetainedVersion(100, "z");
        RetainedVersion late = new RetainedVersion(101, "a");
        assertTrue(late.isNewerThan(early));
        assertFalse(early.isNewerThan(late));
        assertTrue(new RetainedVersion(100, "b").isNewerThan(new RetainedVersion(100, "a")), "a tie goes by node");
        assertFalse(early.isNewerThan(new RetainedVersion(100, "z")), "the same version is not newer");
        assertTrue(early.isNewerThan(null), "anything is newer than nothing");
    }

    @Test
    void aNodeWritesAboveWhatItHasSeenWhateverItsClockSays() {
        RetainedVersion seen = new RetainedVersion(5_000, "fast-clock");
        RetainedVersion mine = RetainedVersion.next(seen, 1_000, "slow-clock");
        assertEquals(5_001, mine.stamp());
        assertTrue(mine.isNewerThan(seen));
        assertEquals(new RetainedVersion(9_000, "n"), RetainedVersion.next(seen, 9_000, "n"), "the clock when it is ahead");
        assertEquals(9_000, RetainedVersion.next(null, 9_000, "n").stamp());
    }

    @Test
    void aRestoredMessageLosesToAnyWrittenOne() {
        RetainedVersion restored = new RetainedVersion(RetainedVersion.RESTORED, "zzz");
        assertTrue(RetainedVersion.next(null, 0, "a").isNewerThan(restored), "even from a clock at 0");
    }
}
