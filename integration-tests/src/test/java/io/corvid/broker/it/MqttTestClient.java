package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.concurrent.BlockingQueue;

/**
 * The few operations the tests need from every client library, each waiting for its
 * acknowledgement (with {@link Await#TIMEOUT}) so that a test reads as a sequence of steps.
 * The underlying client stays reachable from each implementation for what only one library
 * can do.
 */
public interface MqttTestClient extends AutoCloseable {

    /** The client identifier. */
    String clientId();

    /** The library and protocol version, for test names and messages. */
    Library library();

    /** The Session Present flag of the CONNACK. */
    boolean sessionPresent();

    /** Subscribes and returns the SUBACK code (the granted QoS, or a failure code 0x80 and above). */
    int trySubscribe(String filter, int qos);

    /** Subscribes and fails the test unless the broker granted exactly {@code qos}. */
    default void subscribe(String filter, int qos) {
        int granted = trySubscribe(filter, qos);
        if (granted != qos) {
            throw new AssertionError(library() + " " + clientId() + ": SUBACK for " + filter + " at QoS " + qos
                    + " granted 0x" + Integer.toHexString(granted));
        }
    }

    /** Unsubscribes and waits for the UNSUBACK. */
    void unsubscribe(String filter);

    /** Publishes and waits until the publish flow completed (at once for QoS 0). */
    void publish(String topic, byte[] payload, int qos, boolean retain);

    default void publish(String topic, String payload, int qos, boolean retain) {
        publish(topic, payload.getBytes(UTF_8), qos, retain);
    }

    /** The messages received so far and from now on, in arrival order. */
    BlockingQueue<Received> received();

    /** Waits for the next message. */
    default Received next() {
        return Await.next("a message for " + library() + " client " + clientId(), received());
    }

    /** Whether the library considers itself connected. */
    boolean isConnected();

    /** Disconnects normally (sends DISCONNECT) and waits until done. */
    void disconnect();

    /** Disconnects if still connected and releases the client's threads; never throws. */
    @Override
    void close();
}
