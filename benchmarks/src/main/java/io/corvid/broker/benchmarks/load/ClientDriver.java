package io.corvid.broker.benchmarks.load;

import io.corvid.broker.packet.QoS;
import java.util.concurrent.CompletableFuture;

/**
 * A kind of MQTT client that carries the publishers and subscribers of a throughput or latency
 * run: the generator's own Netty client or the HiveMQ MQTT client.
 */
public interface ClientDriver extends AutoCloseable {

    /** The name printed in results: "netty" or "hivemq". */
    String name();

    /** More about it for the summary line (transport, threads). */
    String description();

    /**
     * Connects a subscriber, subscribes to {@code filter} and completes once the SUBACK granted
     * {@code qos}. Messages go to {@code receiver}. With persistent subscribers (the driver's
     * setting) the session is persistent and must be new: a CONNACK with Session Present fails it.
     */
    CompletableFuture<Void> subscriber(String clientId, String filter, QoS qos, Receiver receiver);

    /**
     * Connects a publisher for {@code topic} and attaches it to {@code sender}; completes once
     * connected. The sender starts it later.
     */
    CompletableFuture<Void> publisher(String clientId, String topic, QoS qos, int payloadSize, Sender sender);

    /**
     * Ends a persistent session the run left on the broker: connects {@code clientId} with a
     * clean start (which discards the old session) and disconnects (which ends the new one).
     * Completes when done.
     */
    CompletableFuture<Void> discardSession(String clientId);

    /** Disconnects every client, waiting a few seconds at most. */
    void disconnectAll();

    /** Disconnects and releases the threads. */
    @Override
    void close();
}
