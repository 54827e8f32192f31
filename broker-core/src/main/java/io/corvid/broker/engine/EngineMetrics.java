package io.corvid.broker.engine;

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

    /** Messages not delivered to a subscriber (queue full, expired, too large, offline QoS 0). */
    public long messagesDropped() {
        return messagesDropped.sum();
    }

    /** Connections closed because their bytes could not be decoded. */
    public long malformedPackets() {
        return malformedPackets.sum();
    }

    /** Times a QoS 1/2 publisher was held back because a subscriber could not keep up. */
    public long publisherPauses() {
        return publisherPauses.sum();
    }

    /** Connections closed for a protocol violation other than malformed bytes. */
    public long protocolErrors() {
        return protocolErrors.sum();
    }
}
