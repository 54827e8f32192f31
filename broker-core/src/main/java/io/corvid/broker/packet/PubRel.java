package io.corvid.broker.packet;

import java.util.Objects;

/**
 * PUBREL: the release of a QoS 2 PUBLISH, answering PUBREC.
 *
 * @param packetId   the packet identifier of the flow, 1 to 65,535
 * @param reasonCode the outcome (MQTT 5.0; always success on the MQTT 3.1.1 wire)
 * @param properties PUBREL properties (MQTT 5.0)
 */
public record PubRel(int packetId, ReasonCode reasonCode, Properties properties)
        implements PublishFlowPacket {
    public PubRel {
        PacketIds.requireValid(packetId);
        Objects.requireNonNull(reasonCode, "reasonCode");
        Objects.requireNonNull(properties, "properties");
        if (!reasonCode.isAllowedIn(PacketType.PUBREL)) {
            throw new IllegalArgumentException(reasonCode + " is not a PUBREL reason code");
        }
    }

    /** A successful PUBREL without properties. */
    public PubRel(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBREL;
    }
}
