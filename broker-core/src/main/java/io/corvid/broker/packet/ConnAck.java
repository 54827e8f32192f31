package io.corvid.broker.packet;

import java.util.Objects;

/**
 * CONNACK: the server's answer to CONNECT. In MQTT 3.1.1 the reason code travels as the
 * matching connect return code (0 to 5).
 *
 * @param sessionPresent whether the server resumed a stored session
 * @param reasonCode     the outcome
 * @param properties     CONNACK properties (MQTT 5.0)
 */
public record ConnAck(boolean sessionPresent, ReasonCode reasonCode, Properties properties)
        implements MqttPacket {
    public ConnAck {
        Objects.requireNonNull(reasonCode, "reasonCode");
        Objects.requireNonNull(properties, "properties");
        if (!reasonCode.isAllowedIn(PacketType.CONNACK)) {
            throw new IllegalArgumentException(reasonCode + " is not a CONNACK reason code");
        }
    }

    @Override
    public PacketType type() {
        return PacketType.CONNACK;
    }
}
