package io.corvid.broker.engine;

import io.corvid.broker.BrokerConfig;

/**
 * Token buckets for one connection's inbound PUBLISH packets, one in messages per second and
 * one in bytes per second, each holding one second of its rate as burst. Kept as the generic
 * cell rate algorithm: one "theoretical arrival time" per bucket instead of a token count, so
 * taking costs no clock-driven refill and no floating point. Used on the connection's thread only.
 */
final class PublishRateLimiter {
    private static final long SECOND = 1_000_000_000L;

    private final long messagesPerSecond;
    private final long bytesPerSecond;
    /** When the message bucket would be full again if nothing more were taken; in engine-clock nanoseconds. */
    private long messagesFullAt = Long.MIN_VALUE;
    private long bytesFullAt = Long.MIN_VALUE;

    private PublishRateLimiter(long messagesPerSecond, long bytesPerSecond) {
        this.messagesPerSecond = messagesPerSecond;
        this.bytesPerSecond = bytesPerSecond;
    }

    /** A limiter for the configured rates, or {@code null} when neither is set. */
    static PublishRateLimiter forConfig(BrokerConfig config) {
        if (config.maxPublishRate() == 0 && config.maxPublishBytesRate() == 0) {
            return null;
        }
        return new PublishRateLimiter(config.maxPublishRate(), config.maxPublishBytesRate());
    }

    /** Whether the byte bucket is in use, so that the caller sizes packets only then. */
    boolean countsBytes() {
        return bytesPerSecond > 0;
    }

    /**
     * Takes one message of {@code bytes} at {@code now}. A bucket may go into debt by one
     * message, however large; the answer is how long, in nanoseconds, until both buckets are
     * out of debt again: 0 while the client is within its rates.
     */
    long take(long bytes, long now) {
        long wait = 0;
        if (messagesPerSecond > 0) {
            messagesFullAt = Math.max(messagesFullAt, now) + SECOND / messagesPerSecond;
            wait = Math.max(wait, messagesFullAt - SECOND - now);
        }
        if (bytesPerSecond > 0) {
            // At most 268 MB (the largest MQTT packet) times 10^9: no overflow.
            bytesFullAt = Math.max(bytesFullAt, now) + bytes * SECOND / bytesPerSecond;
            wait = Math.max(wait, bytesFullAt - SECOND - now);
        }
        return wait;
    }

    /** How long, in nanoseconds, until both buckets are out of debt; 0 when they are. */
    long debtNanos(long now) {
        long wait = 0;
        if (messagesPerSecond > 0) {
            wait = Math.max(wait, messagesFullAt - SECOND - now);
        }
        if (bytesPerSecond > 0) {
            wait = Math.max(wait, bytesFullAt - SECOND - now);
        }
        return wait;
    }
}
