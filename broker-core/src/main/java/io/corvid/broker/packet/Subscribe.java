package io.corvid.broker.packet;

import java.util.List;
import java.util.Objects;

/**
 * SUBSCRIBE: one or more topic filters with their options.
 *
 * @param packetId      the packet identifier, 1 to 65,535
 * @param subscriptions the filters, at least one
 * @param properties    SUBSCRIBE properties (MQTT 5.0: subscription identifier, user properties)
 */
public record Subscribe(int packetId, List<Subscription> subscriptions, Properties properties)
        implements MqttPacket {
    public Subscribe {
        PacketIds.requireValid(packetId);
        subscriptions = List.copyOf(subscriptions);
        Objects.requireNonNull(properties, "properties");
        if (subscriptions.isEmpty()) {
            throw new IllegalArgumentException("SUBSCRIBE needs at least one topic filter");
        }
    }

    @Override
    public PacketType type() {
        return PacketType.SUBSCRIBE;
    }
}
