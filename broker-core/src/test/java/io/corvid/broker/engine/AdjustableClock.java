package io.corvid.broker.engine;

import java.util.concurrent.atomic.AtomicLong;

/** The system clock plus an offset that tests move forward instead of waiting. */
final class AdjustableClock implements EngineClock {
    private final AtomicLong offsetMillis = new AtomicLong();

    void advanceMillis(long millis) {
        offsetMillis.addAndGet(millis);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime() + offsetMillis.get() * 1_000_000L;
    }

    @Override
    public long currentTimeMillis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }
}
