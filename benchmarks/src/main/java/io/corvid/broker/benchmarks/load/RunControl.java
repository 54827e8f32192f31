package io.corvid.broker.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared state of one run: its phase, which every publisher reads before each batch, and
 * the errors any connection reports.
 */
public final class RunControl {

    /** Where a run is. Publishers send only while warming up and measuring. */
    public enum Phase {
        /** Clients connect and subscribe. */
        SETUP,
        /** Messages flow; nothing counts. */
        WARMUP,
        /** Messages flow and count; their payloads are marked as measured. */
        MEASURE,
        /** Publishers stopped; what is in flight still arrives. */
        DRAIN
    }

    private static final int ERRORS_KEPT = 20;

    private volatile Phase phase = Phase.SETUP;
    private final AtomicLong errors = new AtomicLong();
    private final List<String> errorMessages = new ArrayList<>();

    /** The current phase. */
    public Phase phase() {
        return phase;
    }

    /** Moves to another phase. */
    public void phase(Phase next) {
        this.phase = next;
    }

    /** Counts an error; the first few messages are kept for the report. */
    public void error(String message) {
        errors.incrementAndGet();
        synchronized (errorMessages) {
            if (errorMessages.size() < ERRORS_KEPT) {
                errorMessages.add(message);
            }
        }
    }

    /** Errors so far. */
    public long errors() {
        return errors.get();
    }

    /** The first error messages. */
    public List<String> errorMessages() {
        synchronized (errorMessages) {
            return List.copyOf(errorMessages);
        }
    }
}
