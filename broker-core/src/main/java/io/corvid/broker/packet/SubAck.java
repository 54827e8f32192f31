package io.corvid.broker.packet;

import java.util.List;
import java.util.Objects;

/**
 * SUBACK: one reason code per topic filter of the SUBSCRIBE it answers. In MQTT 3.1.1 only the
 * granted QoS codes and 0x80 (failure) exist.
 *
 * @param packetId    the packet identifier of the SUBSCRIBE
 * @param reasonCodes one code per filter, in order
 * @param properties  SUBACK properties (MQTT 5.0)
 */
public record SubAck(int packetId, List<ReasonCode> reasonCodes, Properties properties)
        implements MqttPacket {
    public SubAck {
        PacketIds.requireValid(packetId);
        reasonCodes = List.copyOf(reasonCodes);
        Objects.requireNonNull(properties, "properties");
        for (ReasonCode code : reasonCodes) {
            if (!code.isAllowedIn(PacketType.SUBACK)) {
                throw new IllegalArgumentException(code + " is not a SUBACK reason code");
            }
        }
    }

    @Override
    public PacketType type() {
        return PacketType.SUBACK;
    }
}
