package io.corvid.broker.packet;

import java.util.Objects;

/**
 * PUBACK: the answer to a QoS 1 PUBLISH.
 *
 * @param packetId   the packet identifier of the flow, 1 to 65,535
 * @param reasonCode the outcome (MQTT 5.0; always success on the MQTT 3.1.1 wire)
 * @param properties PUBACK properties (MQTT 5.0)
 */
public record PubAck(int packetId, ReasonCode reasonCode, Properties properties)
        implements PublishFlowPacket {
    public PubAck {
        PacketIds.requireValid(packetId);
        Objects.requireNonNull(reasonCode, "reasonCode");
        Objects.requireNonNull(properties, "properties");
        if (!reasonCode.isAllowedIn(PacketType.PUBACK)) {
            throw new IllegalArgumentException(reasonCode + " is not a PUBACK reason code");
        }
    }

    /** A successful PUBACK without properties. */
    public PubAck(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBACK;
    }
}
