package io.corvid.broker.packet;

import java.util.List;
import java.util.Objects;

/**
 * UNSUBSCRIBE: one or more topic filters to remove.
 *
 * @param packetId     the packet identifier, 1 to 65,535
 * @param topicFilters the filters, at least one
 * @param properties   UNSUBSCRIBE properties (MQTT 5.0: user properties)
 */
public record Unsubscribe(int packetId, List<String> topicFilters, Properties properties)
        implements MqttPacket {
    public Unsubscribe {
        PacketIds.requireValid(packetId);
        topicFilters = List.copyOf(topicFilters);
        Objects.requireNonNull(properties, "properties");
        if (topicFilters.isEmpty()) {
            throw new IllegalArgumentException("UNSUBSCRIBE needs at least one topic filter");
        }
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBSCRIBE;
    }
}
