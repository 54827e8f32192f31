package io.corvid.broker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.corvid.broker.Broker;
import org.junit.jupiter.api.Test;

/** The token buckets' arithmetic, on a clock the test sets. */
class PublishRateLimiterTest {
    private static final long MS = 1_000_000L;

    private static PublishRateLimiter limiter(int messages, long bytes) {
        return PublishRateLimiter.forConfig(new Broker.Builder().maxPublishRate(messages).maxPublishBytesRate(bytes)
                .buildConfig());
    }

    @Test
    void noLimiterWithoutALimit() {
        assertNull(PublishRateLimiter.forConfig(new Broker.Builder().buildConfig()));
    }

    @Test
    void oneSecondOfMessagesPassesThenEachWaitsItsShare() {
        PublishRateLimiter limiter = limiter(10, 0);
        long now = 1_000 * MS;
        for (int i = 0; i < 10; i++) {
            assertEquals(0, limiter.take(0, now), "burst message " + i);
        }
        assertEquals(100 * MS, limiter.take(0, now));
        assertEquals(200 * MS, limiter.take(0, now));
        assertEquals(100 * MS, limiter.debtNanos(now + 100 * MS));
        assertEquals(0, limiter.debtNanos(now + 200 * MS));
        // A second later the burst is back.
        long later = now + 1_200 * MS;
        for (int i = 0; i < 10; i++) {
            assertEquals(0, limiter.take(0, later), "burst message " + i);
        }
        assertEquals(100 * MS, limiter.take(0, later));
    }

    @Test
    void aPacketLargerThanTheBurstPassesAndIsPaidFor() {
        PublishRateLimiter limiter = limiter(0, 1000);
        assertEquals(2_000 * MS, limiter.take(3000, 0));
        assertEquals(0, limiter.debtNanos(2_000 * MS));
    }

    @Test
    void theSlowerOfTheTwoBucketsDecides() {
        PublishRateLimiter limiter = limiter(1000, 1000);
        assertEquals(0, limiter.take(600, 0));
        assertEquals(200 * MS, limiter.take(600, 0));
    }
}
