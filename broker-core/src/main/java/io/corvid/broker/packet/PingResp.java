package io.corvid.broker.packet;

/** PINGRESP: the server's answer to PINGREQ. It has no content; use {@link #INSTANCE}. */
public record PingResp() implements MqttPacket {
    /** The one PINGRESP. */
    public static final PingResp INSTANCE = new PingResp();

    @Override
    public PacketType type() {
        return PacketType.PINGRESP;
    }
}
