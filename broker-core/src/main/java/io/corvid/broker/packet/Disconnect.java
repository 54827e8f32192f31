package io.corvid.broker.packet;

import java.util.Objects;

/**
 * DISCONNECT: sent by a client to end the connection normally and, in MQTT 5.0, by the server
 * too, with the reason it is closing the connection.
 *
 * @param reasonCode the reason (always normal disconnection on the MQTT 3.1.1 wire)
 * @param properties DISCONNECT properties (MQTT 5.0)
 */
public record Disconnect(ReasonCode reasonCode, Properties properties) implements MqttPacket {
    /** A normal disconnection without properties, the only DISCONNECT MQTT 3.1.1 has. */
    public static final Disconnect NORMAL = new Disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.EMPTY);

    public Disconnect {
        Objects.requireNonNull(reasonCode, "reasonCode");
        Objects.requireNonNull(properties, "properties");
        if (!reasonCode.isAllowedIn(PacketType.DISCONNECT)) {
            throw new IllegalArgumentException(reasonCode + " is not a DISCONNECT reason code");
        }
    }

    /** A DISCONNECT with a reason and no properties. */
    public Disconnect(ReasonCode reasonCode) {
        this(reasonCode, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.DISCONNECT;
    }
}
