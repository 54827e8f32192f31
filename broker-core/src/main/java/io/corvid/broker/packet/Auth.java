package io.corvid.broker.packet;

import java.util.Objects;

/**
 * AUTH (MQTT 5.0 only): a step of an enhanced authentication exchange or a re-authentication.
 *
 * @param reasonCode success, continue authentication or re-authenticate
 * @param properties AUTH properties: authentication method and data, reason string, user properties
 */
public record Auth(ReasonCode reasonCode, Properties properties) implements MqttPacket {
    public Auth {
        Objects.requireNonNull(reasonCode, "reasonCode");
        Objects.requireNonNull(properties, "properties");
        if (!reasonCode.isAllowedIn(PacketType.AUTH)) {
            throw new IllegalArgumentException(reasonCode + " is not an AUTH reason code");
        }
    }

    @Override
    public PacketType type() {
        return PacketType.AUTH;
    }
}
