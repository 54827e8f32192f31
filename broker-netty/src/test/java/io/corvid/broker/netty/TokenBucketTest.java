package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link TokenBucket} on a clock the test moves: burst, refill, debt and the waits they give. */
class TokenBucketTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aFullBucketGivesItsBurstAtOnceThenOneTokenPerInterval() {
        TokenBucket bucket = new TokenBucket(10, 3, 0); // one token per 100 ms
        assertEquals(0, bucket.take(1, 0));
        assertEquals(0, bucket.take(1, 0));
        assertEquals(0, bucket.take(1, 0));
        assertEquals(100 * MS, bucket.nanosUntil(1, 0), "empty: the next token is 100 ms away");
        assertEquals(50 * MS, bucket.nanosUntil(1, 50 * MS));
        assertEquals(0, bucket.nanosUntil(1, 100 * MS));
        assertEquals(0, bucket.take(1, 100 * MS));
        assertEquals(100 * MS, bucket.nanosUntil(1, 100 * MS));
    }

    @Test
    void aTakeBeyondTheBalanceIsDebtThatMustBeWaitedOff() {
        TokenBucket bucket = new TokenBucket(1000, 1000, 0); // 1000 bytes/s, one second of burst
        assertEquals(0, bucket.take(600, 0));
        // 1,500 bytes read at once: 1,100 in debt, 1.1 s to pay back, 1.101 s until one byte is free again.
        assertEquals(1100 * MS, bucket.take(1500, 0));
        assertEquals(1101 * MS, bucket.nanosUntil(1, 0));
        assertEquals(100 * MS, bucket.take(0, 1000 * MS));
        assertEquals(0, bucket.take(0, 1100 * MS));
    }

    @Test
    void anIdleBucketFillsUpToItsBurstAndNoFurther() {
        TokenBucket bucket = new TokenBucket(10, 2, 0);
        bucket.take(2, 0);
        // Ten seconds idle give back 2 tokens, not 100.
        assertEquals(0, bucket.take(2, 10_000 * MS));
        assertEquals(100 * MS, bucket.nanosUntil(1, 10_000 * MS));
    }

    @Test
    void theRateOverTimeHoldsHoweverCoarseTheTakes() {
        TokenBucket bucket = new TokenBucket(100, 10, 0);
        long now = 0;
        long taken = 0;
        // A taker that always takes 37 at once and then waits as told.
        while (now < 10_000 * MS) {
            now += bucket.take(37, now);
            taken += 37;
        }
        // At most burst + rate x time (+ the last take), at least rate x time minus one take.
        assertEquals(100 * 10 + 10, taken, 37);
    }

    @Test
    void refusesNonsenseRatesAndBursts() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.NaN, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.POSITIVE_INFINITY, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0.5, 0));
    }
}
