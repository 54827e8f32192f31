package io.corvid.broker;

/**
 * What happens to a client that publishes faster than {@link BrokerConfig#maxPublishRate()} or
 * {@link BrokerConfig#maxPublishBytesRate()} allow (after its one-second burst).
 */
public enum PublishRatePolicy {
    /**
     * The broker stops reading from the client's connection until the client is back within
     * its rate, as HiveMQ and EMQX throttle: TCP back-pressure slows the client down, nothing is
     * lost, and other clients are not affected.
     */
    THROTTLE,
    /**
     * The client is disconnected (MQTT 5.0: DISCONNECT 0x96 Message rate too high) and the
     * PUBLISH that went over the rate is not processed (a QoS 1/2 one is not acknowledged, so
     * the client sends it again when it reconnects with its session).
     */
    DISCONNECT
}
