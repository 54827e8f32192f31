package io.corvid.broker.simulation;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps the engine's log lines about the simulation's injected store failures
 * ({@link FaultyStore.InjectedFailure}) off the console: a run injects thousands, and the
 * engine logs each one, as it must. Every other line passes.
 */
public final class InjectedStoreFailureFilter extends Filter<ILoggingEvent> {
    private static final String INJECTED = FaultyStore.InjectedFailure.class.getName();

    @Override
    public FilterReply decide(ILoggingEvent event) {
        for (IThrowableProxy cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
            if (INJECTED.equals(cause.getClassName())) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
