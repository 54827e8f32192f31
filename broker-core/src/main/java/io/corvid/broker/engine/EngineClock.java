package io.corvid.broker.engine;

/**
 * The engine's two time sources: a monotonic one for timeouts (keep alive) and wall-clock
 * milliseconds for message expiry. Tests substitute a controllable clock.
 */
public interface EngineClock {

    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Wall-clock milliseconds, as {@link System#currentTimeMillis()}. */
    long currentTimeMillis();

    /** The system clock. */
    EngineClock SYSTEM = new EngineClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };
}
