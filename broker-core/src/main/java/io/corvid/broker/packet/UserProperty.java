package io.corvid.broker.packet;

import java.util.Objects;

/**
 * An MQTT 5.0 user property: a name/value pair of UTF-8 strings. Names may repeat and the
 * order of user properties in a packet is significant.
 *
 * @param name  the property name
 * @param value the property value
 */
public record UserProperty(String name, String value) {
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
