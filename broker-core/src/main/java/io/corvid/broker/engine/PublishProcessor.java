package io.corvid.broker.engine;

import io.corvid.broker.BrokerConfig;
import io.corvid.broker.codec.MqttUtf8;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.session.Message;
import io.corvid.broker.session.Session;
import io.corvid.broker.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound PUBLISH and the receiving side of the QoS 2 flow, plus PUBREC from the client for
 * the sending side. Runs in the session's executor.
 */
final class PublishProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(PublishProcessor.class);

    private final ProtocolHandler handler;
    /** Reused per PUBLISH: subscribers whose backlog holds this publisher back; made when first needed. */
    private java.util.Set<Session> overloaded;
    /** Publishes left before the next one is timed for the publish-to-deliver latency. */
    private int untilTimed = 1;
    /**
     * The store mark taken when the packet being processed arrived: its acknowledgement waits for
     * the store if processing it wrote there. Packets are processed one at a time, so one field serves.
     */
    private long storeMark;

    PublishProcessor(ProtocolHandler handler) {
        this.handler = handler;
    }

    /**
     * Resolves an MQTT 5.0 topic alias: records a new mapping, or fills in the topic of an
     * alias-only PUBLISH. Runs before interceptors, so they see the real topic and a mapping
     * set by a PUBLISH they reject still stands. Returns {@code null} after disconnecting the
     * client for a bad alias.
     */
    Publish resolveTopicAlias(Publish publish) {
        if (!handler.version.isV5()) {
            return publish;
        }
        int alias = publish.properties().getInt(Property.TOPIC_ALIAS, 0);
        if (alias == 0) {
            return publish;
        }
        int maximum = handler.engine.config().topicAliasMaximum();
        if (alias > maximum) {
            violation(ReasonCode.TOPIC_ALIAS_INVALID, "topic alias " + alias + " exceeds the maximum of " + maximum);
            return null;
        }
        String[] aliases = handler.inboundTopicAliases;
        if (!publish.topic().isEmpty()) {
            if (aliases == null) {
                // Made at the first alias: most clients never use one, and an idle connection should cost little.
                aliases = handler.inboundTopicAliases = new String[maximum + 1];
            }
            aliases[alias] = publish.topic();
            return publish;
        }
        String topic = aliases == null ? null : aliases[alias];
        if (topic == null) {
            violation(ReasonCode.PROTOCOL_ERROR, "topic alias " + alias + " was never set");
            return null;
        }
        return publish.withTopic(topic);
    }

    /** A PUBLISH whose topic alias, if any, {@link #resolveTopicAlias} has resolved. */
    void onPublish(Publish publish) {
        storeMark = handler.storeMark();
        BrokerConfig config = handler.engine.config();
        Session session = handler.session;
        boolean v5 = handler.version.isV5();
        if (publish.qos().value() > config.maximumQos().value()) {
            violation(ReasonCode.QOS_NOT_SUPPORTED, "QoS " + publish.qos().value() + " is above the broker's maximum");
            return;
        }
        if (publish.retain() && !config.retainAvailable()) {
            violation(ReasonCode.RETAIN_NOT_SUPPORTED, "retained messages are not supported");
            return;
        }
        String topic = publish.topic();
        String overLimit = handler.engine.topicLimits().violation(topic);
        if (overLimit != null) {
            // A valid name the broker will not carry: EMQX and HiveMQ disconnect with 0x90 too; a
            // QoS 0 publisher would not even learn of a refusal from an acknowledgement.
            handler.engine.metrics().topicLimitRefusals.increment();
            LOG.info("{} published to a {}; disconnecting", handler.describe(), overLimit);
            handler.disconnect(ReasonCode.TOPIC_NAME_INVALID, "published to a " + overLimit);
            return;
        }
        Properties properties = publish.properties();
        if (publish.qos() == QoS.EXACTLY_ONCE) {
            if (!session.registerInboundQos2(publish.packetId())) {
                // A resend of a message already received: acknowledge again, route nothing. The
                // first arrival's PUBREC may have been lost with its connection before the store
                // made that arrival durable: this one waits for it too.
                handler.writeAckAfterEarlierChanges(new PubRec(publish.packetId()));
                return;
            }
            if (v5 && session.inboundQos2Count() > config.receiveMaximum()) {
                violation(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "more than " + config.receiveMaximum()
                        + " QoS 2 messages unreleased");
                return;
            }
        }
        if (v5 && config.validatePayloadFormat() && properties.getInt(Property.PAYLOAD_FORMAT_INDICATOR, 0) == 1
                && !MqttUtf8.isValidPayload(publish.payload())) {
            if (publish.qos() == QoS.AT_MOST_ONCE) {
                violation(ReasonCode.PAYLOAD_FORMAT_INVALID, "payload is not the UTF-8 its format indicator promises");
            } else {
                acknowledge(publish, ReasonCode.PAYLOAD_FORMAT_INVALID, "payload is not valid UTF-8");
            }
            return;
        }
        if (Topics.isReservedForBroker(topic)) {
            // Whatever the authorization plug-in would say: subscribers must be able to trust $SYS.
            LOG.debug("{} may not publish to {}: $SYS topics are the broker's", handler.describe(), topic);
            acknowledge(publish, ReasonCode.NOT_AUTHORIZED, "$SYS topics are the broker's");
            return;
        }
        handler.await(AsyncDecisions.call(() -> handler.engine.authorization().canPublishAsync(handler.client,
                        topic, publish.qos(), publish.retain())),
                Boolean.FALSE, "publish authorization", session.executor(), allowed -> {
                    if (allowed) {
                        route(publish, topic);
                    } else {
                        LOG.debug("{} may not publish to {}", handler.describe(), topic);
                        acknowledge(publish, ReasonCode.NOT_AUTHORIZED, "not authorized to publish to " + topic);
                    }
                });
    }

    /** An interceptor rejected the PUBLISH: nothing is routed; the flow is acknowledged as refused. */
    void onRejected(Publish publish) {
        storeMark = handler.storeMark();
        if (publish.qos() == QoS.EXACTLY_ONCE && !handler.session.registerInboundQos2(publish.packetId())) {
            handler.writeAckAfterEarlierChanges(new PubRec(publish.packetId()));
            return;
        }
        acknowledge(publish, ReasonCode.NOT_AUTHORIZED, "rejected by an interceptor");
    }

    private void route(Publish publish, String topic) {
        Message message = new Message(topic, publish.payload(), publish.qos(), publish.retain(),
                Message.forwardableProperties(publish.properties()), handler.client.clientId(),
                handler.engine.expiresAt(publish.properties()));
        if (handler.engine.timesDeliveries() && --untilTimed <= 0) {
            untilTimed = io.corvid.broker.MetricsRecorder.LATENCY_SAMPLE_INTERVAL;
            message.timeFrom(System.nanoTime());
        }
        Publish original = publish;
        if (overloaded == null) {
            overloaded = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>(4));
        }
        overloaded.clear();
        int routed = handler.engine.publish(message, handler.client, original, overloaded);
        acknowledge(publish, routed == 0 ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS, null);
        if (!overloaded.isEmpty()) {
            handler.holdUntilDrained(overloaded);
        }
    }

    /**
     * Acknowledges a QoS 1/2 PUBLISH with a reason code. MQTT 3.1.1 has no failure
     * acknowledgement, so there the flow completes normally and the message is simply not
     * delivered (3.1.1 section 3.3.5). An MQTT 5.0 refusal of a QoS 2 PUBLISH ends its flow.
     */
    private void acknowledge(Publish publish, ReasonCode code, String reason) {
        boolean v5 = handler.version.isV5();
        ReasonCode wireCode = v5 ? code : ReasonCode.SUCCESS;
        Properties properties = v5 && code.isError() ? handler.problemProperties(reason) : Properties.EMPTY;
        switch (publish.qos()) {
            case AT_LEAST_ONCE -> handler.writeAck(handler.withinClientLimit(
                    new PubAck(publish.packetId(), wireCode, properties),
                    new PubAck(publish.packetId(), wireCode, Properties.EMPTY)), storeMark);
            case EXACTLY_ONCE -> {
                if (wireCode.isError()) {
                    handler.session.releaseInboundQos2(publish.packetId());
                }
                handler.writeAck(handler.withinClientLimit(new PubRec(publish.packetId(), wireCode, properties),
                        new PubRec(publish.packetId(), wireCode, Properties.EMPTY)), storeMark);
            }
            default -> {
                // QoS 0 has no acknowledgement.
            }
        }
    }

    void onPubRel(PubRel pubRel) {
        // The released identifier must be forgotten durably before PUBCOMP: the client may
        // reuse it at once, and a restart that still remembered it would drop the new message.
        long mark = handler.storeMark();
        boolean known = handler.session.releaseInboundQos2(pubRel.packetId());
        if (known || !handler.version.isV5()) {
            handler.writeAck(new PubComp(pubRel.packetId()), mark);
        } else {
            handler.writeAck(new PubComp(pubRel.packetId(), ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, Properties.EMPTY), mark);
        }
    }

    void onPubRec(PubRec pubRec) {
        // The PUBREL waits until the store has the PUBREC: once the client has the PUBREL it
        // completes and forgets the packet identifier, and a restart that had lost the PUBREC
        // would send the message again under it, to be delivered twice.
        long mark = handler.storeMark();
        boolean failed = pubRec.reasonCode().isError();
        boolean known = handler.session.onPubRec(pubRec.packetId(), failed);
        if (failed) {
            return;
        }
        if (known || !handler.version.isV5()) {
            handler.writeAck(new PubRel(pubRec.packetId()), mark);
        } else {
            handler.writeAck(new PubRel(pubRec.packetId(), ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, Properties.EMPTY),
                    mark);
        }
    }

    private void violation(ReasonCode code, String description) {
        handler.engine.metrics().protocolErrors.increment();
        LOG.info("{}: {}; disconnecting", handler.describe(), description);
        handler.disconnect(code, description);
    }
}
