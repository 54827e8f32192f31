package io.corvid.broker.packet;

import java.util.List;
import java.util.Objects;

/**
 * UNSUBACK. MQTT 5.0 carries one reason code per topic filter; the MQTT 3.1.1 wire form
 * carries none, and decodes to an empty list.
 *
 * @param packetId    the packet identifier of the UNSUBSCRIBE
 * @param reasonCodes one code per filter (MQTT 5.0), empty for MQTT 3.1.1
 * @param properties  UNSUBACK properties (MQTT 5.0)
 */
public record UnsubAck(int packetId, List<ReasonCode> reasonCodes, Properties properties)
        implements MqttPacket {
    public UnsubAck {
        PacketIds.requireValid(packetId);
        reasonCodes = List.copyOf(reasonCodes);
        Objects.requireNonNull(properties, "properties");
        for (ReasonCode code : reasonCodes) {
            if (!code.isAllowedIn(PacketType.UNSUBACK)) {
                throw new IllegalArgumentException(code + " is not an UNSUBACK reason code");
            }
        }
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBACK;
    }
}
