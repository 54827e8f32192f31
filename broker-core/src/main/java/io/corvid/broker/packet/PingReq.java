package io.corvid.broker.packet;

/** PINGREQ: the client's keep-alive probe. It has no content; use {@link #INSTANCE}. */
public record PingReq() implements MqttPacket {
    /** The one PINGREQ. */
    public static final PingReq INSTANCE = new PingReq();

    @Override
    public PacketType type() {
        return PacketType.PINGREQ;
    }
}
