package io.corvid.broker.packet;

import java.util.Objects;

/**
 * PUBREC: the first answer to a QoS 2 PUBLISH.
 *
 * @param packetId   the packet identifier of the flow, 1 to 65,535
 * @param reasonCode the outcome (MQTT 5.0; always success on the MQTT 3.1.1 wire)
 * @param properties PUBREC properties (MQTT 5.0)
 */
public record PubRec(int packetId, ReasonCode reasonCode, Properties properties)
        implements PublishFlowPacket {
    public PubRec {
        PacketIds.requireValid(packetId);
        Objects.requireNonNull(reasonCode, "reasonCode");
        Objects.requireNonNull(properties, "properties");
        if (!reasonCode.isAllowedIn(PacketType.PUBREC)) {
            throw new IllegalArgumentException(reasonCode + " is not a PUBREC reason code");
        }
    }

    /** A successful PUBREC without properties. */
    public PubRec(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBREC;
    }
}
