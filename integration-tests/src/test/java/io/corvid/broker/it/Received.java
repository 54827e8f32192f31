package io.corvid.broker.it;

import java.nio.charset.StandardCharsets;

/**
 * A message as a client library handed it to the application.
 *
 * @param topic    the topic name
 * @param payload  the payload
 * @param qos      the QoS it arrived with
 * @param retain   the RETAIN flag
 * @param dup      the DUP flag, where the library tells it (false otherwise)
 * @param packetId the packet identifier, where the library tells it (0 otherwise)
 */
public record Received(String topic, byte[] payload, int qos, boolean retain, boolean dup, int packetId) {

    /** The payload as UTF-8 text. */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Received[" + topic + " '" + text() + "' qos=" + qos + (retain ? " retain" : "") + (dup ? " dup" : "")
                + (packetId != 0 ? " id=" + packetId : "") + "]";
    }
}
