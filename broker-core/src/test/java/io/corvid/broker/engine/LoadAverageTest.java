package io.corvid.broker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Mosquitto's exponentially weighted load figures, on a clock the test moves by hand. */
class LoadAverageTest {
    private static final double TOLERANCE = 1e-9;
    private final LoadAverage load = new LoadAverage();
    private long nanos = 1_000_000_000L;

    private void sampleAfter(long seconds, long count) {
        nanos += TimeUnit.SECONDS.toNanos(seconds);
        load.sample(count, nanos);
    }

    @Test
    void theFirstSampleOnlySetsTheStartingPoint() {
        load.sample(5_000, nanos);
        for (int window = 0; window < 3; window++) {
            assertEquals(0.0, load.perMinute(window), "a counter that was high before is not a rate");
        }
    }

    @Test
    void oneMinuteAtSixtyPerMinuteMovesEachWindowByItsWeight() {
        load.sample(0, nanos);
        sampleAfter(60, 60);
        assertEquals(60 * (1 - Math.exp(-1)), load.perMinute(0), TOLERANCE);
        assertEquals(60 * (1 - Math.exp(-1.0 / 5)), load.perMinute(1), TOLERANCE);
        assertEquals(60 * (1 - Math.exp(-1.0 / 15)), load.perMinute(2), TOLERANCE);
        assertEquals(37.93, load.perMinute(0), 0.005, "as Mosquitto prints it: 37.93");
    }

    @Test
    void theRateIsPerMinuteWhateverTheInterval() {
        load.sample(0, nanos);
        sampleAfter(10, 100); // 600 per minute for 10 s
        assertEquals(600 * (1 - Math.exp(-10.0 / 60)), load.perMinute(0), TOLERANCE);
    }

    @Test
    void unevenIntervalsGiveTheSameAverageAsOneInterval() {
        LoadAverage once = new LoadAverage();
        once.sample(0, 0);
        once.sample(120, TimeUnit.SECONDS.toNanos(60));
        load.sample(0, 0);
        load.sample(20, TimeUnit.SECONDS.toNanos(10));
        load.sample(120, TimeUnit.SECONDS.toNanos(60));
        for (int window = 0; window < 3; window++) {
            assertEquals(once.perMinute(window), load.perMinute(window), TOLERANCE, "window " + window);
        }
    }

    @Test
    void aSteadyRateIsReachedAndAStopDecaysTowardsZero() {
        load.sample(0, nanos);
        long count = 0;
        for (int i = 0; i < 6 * 60; i++) { // an hour at 30 per 10 s = 180 per minute
            count += 30;
            sampleAfter(10, count);
        }
        assertEquals(180, load.perMinute(0), 1e-6);
        double fifteen = 180 * (1 - Math.exp(-60.0 / 15));
        assertEquals(fifteen, load.perMinute(2), 1e-6, "the 15 minute window is still short of it after an hour");
        sampleAfter(60, count);
        assertEquals(180 * Math.exp(-1), load.perMinute(0), 1e-6, "one quiet minute");
        assertEquals(fifteen * Math.exp(-1.0 / 15), load.perMinute(2), 1e-6, "the 15 minute window forgets slowly");
    }

    @Test
    void aSampleAtTheSameInstantChangesNothing() {
        load.sample(0, nanos);
        sampleAfter(60, 60);
        double before = load.perMinute(0);
        load.sample(1_000, nanos);
        assertEquals(before, load.perMinute(0));
        sampleAfter(60, 1_060);
        assertEquals(1_000 + Math.exp(-1) * (before - 1_000), load.perMinute(0), TOLERANCE,
                "the count of a skipped sample is taken by the next one");
    }
}
