package io.corvid.broker.engine;

import io.corvid.broker.BrokerConfig;
import io.corvid.broker.SessionStore;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Opens the engine's package-private scheduler seam to the deterministic simulation
 * ({@code io.corvid.broker.simulation}), which lives in its own package.
 */
public final class SimulationAccess {
    private SimulationAccess() {
    }

    /** An engine whose own tasks and timers all run on {@code scheduler}. */
    public static BrokerEngine engine(BrokerConfig config, Plugins plugins, EngineClock clock, SessionStore store,
                                      ScheduledExecutorService scheduler) {
        return new BrokerEngine(config, plugins, clock, store, scheduler);
    }

    /** How late a keep-alive close may come: the engine checks every client's keep alive once per this period. */
    public static long keepAliveSweepNanos() {
        return java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(BrokerEngine.KEEP_ALIVE_SWEEP_MILLIS);
    }
}
