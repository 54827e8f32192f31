package io.corvid.broker.packet;

/**
 * An MQTT control packet. There is one immutable type per packet; the same objects serve
 * every protocol version, and fields that a version lacks (properties, most reason codes in
 * 3.1.1) are simply not written in that version's wire form.
 */
public sealed interface MqttPacket
        permits Connect, ConnAck, Publish, PublishFlowPacket, Subscribe, SubAck,
        Unsubscribe, UnsubAck, PingReq, PingResp, Disconnect, Auth {

    /** The control packet type. */
    PacketType type();
}
