package io.corvid.broker.engine;

import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Topic aliases the broker chooses for what it sends to one MQTT 5.0 connection, up to the
 * Topic Alias Maximum the client announced. The first message on a topic carries the topic and
 * a new alias; later ones carry the alias and an empty topic. When every alias is taken, the
 * least recently used one is given to the new topic (the message that re-maps it carries the
 * topic, as the specification requires). Confined to the connection's thread.
 */
final class OutboundTopicAliases {
    private final int maximum;
    private final LinkedHashMap<String, Integer> aliasesByTopic;

    OutboundTopicAliases(int maximum) {
        this.maximum = maximum;
        this.aliasesByTopic = new LinkedHashMap<>(16, 0.75f, true);
    }

    /**
     * The form of {@code publish} to send: with the topic replaced by a known alias, or with a
     * new alias established. Nothing is remembered until {@link #commit} confirms the packet
     * went out.
     */
    Publish apply(Publish publish) {
        Integer alias = aliasesByTopic.get(publish.topic());
        if (alias != null) {
            return publish.withTopic("").withProperties(publish.properties().with(Property.TOPIC_ALIAS, alias));
        }
        int next = aliasesByTopic.size() < maximum ? aliasesByTopic.size() + 1 : leastRecentlyUsed().getValue();
        return publish.withProperties(publish.properties().with(Property.TOPIC_ALIAS, next));
    }

    /**
     * Records the mapping a sent packet established (a packet with a topic and an alias). A
     * packet that used a known alias changes nothing but its recency, which {@link #apply}
     * already updated.
     */
    void commit(Publish sent) {
        if (sent.topic().isEmpty()) {
            return;
        }
        int alias = sent.properties().getInt(Property.TOPIC_ALIAS, 0);
        if (alias == 0) {
            return;
        }
        aliasesByTopic.values().remove(alias);
        aliasesByTopic.put(sent.topic(), alias);
    }

    private Map.Entry<String, Integer> leastRecentlyUsed() {
        return aliasesByTopic.entrySet().iterator().next();
    }
}
