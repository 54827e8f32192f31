package io.corvid.broker.packet;

import java.util.Objects;

/**
 * PUBCOMP: the last packet of the QoS 2 flow, answering PUBREL.
 *
 * @param packetId   the packet identifier of the flow, 1 to 65,535
 * @param reasonCode the outcome (MQTT 5.0; always success on the MQTT 3.1.1 wire)
 * @param properties PUBCOMP properties (MQTT 5.0)
 */
public record PubComp(int packetId, ReasonCode reasonCode, Properties properties)
        implements PublishFlowPacket {
    public PubComp {
        PacketIds.requireValid(packetId);
        Objects.requireNonNull(reasonCode, "reasonCode");
        Objects.requireNonNull(properties, "properties");
        if (!reasonCode.isAllowedIn(PacketType.PUBCOMP)) {
            throw new IllegalArgumentException(reasonCode + " is not a PUBCOMP reason code");
        }
    }

    /** A successful PUBCOMP without properties. */
    public PubComp(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBCOMP;
    }
}
