package io.corvid.broker.engine;

import io.corvid.broker.DropReason;
import io.corvid.broker.session.MemoryBudget;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's counters. LongAdder keeps them cheap on hot paths shared by every event loop.
 */
public final class EngineMetrics {
    final LongAdder connectionsAccepted = new LongAdder();
    final LongAdder connectsRefused = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder messagesSent = new LongAdder();
    final LongAdder messagesDropped = new LongAdder();
    final LongAdder malformedPackets = new LongAdder();
    final LongAdder protocolErrors = new LongAdder();
    final LongAdder publisherPauses = new LongAdder();
    final LongAdder writeStalls = new LongAdder();
    private final LongAdder[] droppedByReason = new LongAdder[DropReason.values().length];
    private volatile MemoryBudget memoryBudget;

    EngineMetrics() {
        for (int i = 0; i < droppedByReason.length; i++) {
            droppedByReason[i] = new LongAdder();
        }
    }

    void dropped(DropReason reason) {
        messagesDropped.increment();
        droppedByReason[reason.ordinal()].increment();
    }

    void memoryBudget(MemoryBudget budget) {
        this.memoryBudget = budget;
    }

    /** Network connections handed to the engine. */
    public long connectionsAccepted() {
        return connectionsAccepted.sum();
    }

    /** CONNECTs answered with a refusal. */
    public long connectsRefused() {
        return connectsRefused.sum();
    }

    /** PUBLISH packets accepted from clients and the application. */
    public long messagesReceived() {
        return messagesReceived.sum();
    }

    /** PUBLISH packets written to clients. */
    public long messagesSent() {
        return messagesSent.sum();
    }

    /** Messages not delivered to a subscriber, for any reason (see {@link #messagesDropped(DropReason)}). */
    public long messagesDropped() {
        return messagesDropped.sum();
    }

    /** Messages not delivered to a subscriber for {@code reason}. */
    public long messagesDropped(DropReason reason) {
        return droppedByReason[reason.ordinal()].sum();
    }

    /** Bytes (message footprints) held for subscribers now: handed over or queued, not yet written. */
    public long queuedBytes() {
        MemoryBudget budget = memoryBudget;
        return budget == null ? 0 : Math.max(0, budget.used());
    }

    /** Times the memory budget for queued messages was exhausted. */
    public long memoryBudgetEpisodes() {
        MemoryBudget budget = memoryBudget;
        return budget == null ? 0 : budget.episodes();
    }

    /** Connections closed because they accepted no bytes for the write stall timeout. */
    public long writeStalls() {
        return writeStalls.sum();
    }

    /** Connections closed because their bytes could not be decoded. */
    public long malformedPackets() {
        return malformedPackets.sum();
    }

    /** Times a QoS 1/2 publisher was held back at an exhausted memory budget. */
    public long publisherPauses() {
        return publisherPauses.sum();
    }

    /** Connections closed for a protocol violation other than malformed bytes. */
    public long protocolErrors() {
        return protocolErrors.sum();
    }
}
