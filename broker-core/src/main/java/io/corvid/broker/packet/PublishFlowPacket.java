package io.corvid.broker.packet;

/**
 * The four acknowledgement packets of the QoS 1 and QoS 2 flows (PUBACK, PUBREC, PUBREL,
 * PUBCOMP), which share one wire layout.
 */
public sealed interface PublishFlowPacket extends MqttPacket permits PubAck, PubRec, PubRel, PubComp {

    /** The packet identifier of the flow. */
    int packetId();

    /** The outcome. */
    ReasonCode reasonCode();

    /** The MQTT 5.0 properties. */
    Properties properties();
}
