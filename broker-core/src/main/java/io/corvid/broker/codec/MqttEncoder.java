package io.corvid.broker.codec;

import static io.corvid.broker.codec.PropertiesCodec.stringSize;
import static io.corvid.broker.codec.PropertiesCodec.writeString;

import io.corvid.broker.packet.Auth;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.PublishFlowPacket;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import io.corvid.broker.packet.Will;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Stateless MQTT encoder. {@link #encodedSize} computes the exact size of a packet in a
 * protocol version's wire form; {@link #encode} then writes exactly that many bytes, so a
 * transport can allocate once and write straight into its own buffer. The same packet objects
 * serve every version: MQTT 5.0-only content (properties, most reason codes) is left out of
 * the 3.1 and 3.1.1 forms.
 *
 * <p>For fan-out, {@link #encodePublishHeader} writes a PUBLISH without its payload, so that
 * one payload array can follow many headers without being copied.
 */
public final class MqttEncoder {
    private MqttEncoder() {
    }

    /**
     * The size in bytes of the packet's wire form in {@code version}, fixed header included.
     *
     * @throws IllegalArgumentException if the packet cannot be expressed in that version (AUTH
     *                                  before 5.0, a string over 65,535 bytes, a QoS 1/2
     *                                  PUBLISH without a packet identifier ...)
     */
    public static int encodedSize(MqttPacket packet, ProtocolVersion version) {
        int remaining = remainingLength(packet, version);
        return 1 + VariableByteInteger.size(remaining) + remaining;
    }

    /** Encodes into a new array of exactly the right size. */
    public static byte[] encode(MqttPacket packet, ProtocolVersion version) {
        byte[] bytes = new byte[encodedSize(packet, version)];
        encode(packet, version, ByteBuffer.wrap(bytes));
        return bytes;
    }

    /**
     * Writes the packet at the buffer's position and moves it past the packet. The buffer must
     * have {@link #encodedSize} bytes remaining.
     */
    public static void encode(MqttPacket packet, ProtocolVersion version, ByteBuffer out) {
        // MQTT is big-endian; the writers use putShort/putInt, which follow the buffer's order.
        ByteOrder order = out.order();
        out.order(ByteOrder.BIG_ENDIAN);
        try {
            write(packet, version, out);
        } finally {
            out.order(order);
        }
    }

    private static void write(MqttPacket packet, ProtocolVersion version, ByteBuffer out) {
        boolean v5 = version.isV5();
        switch (packet.type()) {
            case CONNECT -> writeConnect((Connect) packet, out);
            case CONNACK -> writeConnAck((ConnAck) packet, version, out);
            case PUBLISH -> {
                Publish publish = (Publish) packet;
                writePublishHeader(publish, v5, out);
                out.put(publish.payload());
            }
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> writeFlow((PublishFlowPacket) packet, v5, out);
            case SUBSCRIBE -> writeSubscribe((Subscribe) packet, v5, out);
            case SUBACK -> writeSubAck((SubAck) packet, v5, out);
            case UNSUBSCRIBE -> writeUnsubscribe((Unsubscribe) packet, v5, out);
            case UNSUBACK -> writeUnsubAck((UnsubAck) packet, v5, out);
            case PINGREQ, PINGRESP -> {
                out.put((byte) (packet.type().value() << 4));
                out.put((byte) 0);
            }
            case DISCONNECT -> writeDisconnect((Disconnect) packet, v5, out);
            case AUTH -> writeAuth((Auth) packet, v5, out);
        }
    }

    /** The size of a PUBLISH without its payload: what {@link #encodePublishHeader} writes. */
    public static int publishHeaderSize(Publish publish, ProtocolVersion version) {
        return encodedSize(publish, version) - publish.payload().length;
    }

    /**
     * Writes a PUBLISH up to, not including, its payload; the caller sends the payload after
     * it. The remaining length written counts the payload.
     */
    public static void encodePublishHeader(Publish publish, ProtocolVersion version, ByteBuffer out) {
        ByteOrder order = out.order();
        out.order(ByteOrder.BIG_ENDIAN);
        try {
            writePublishHeader(publish, version.isV5(), out);
        } finally {
            out.order(order);
        }
    }

    // ---------------------------------------------------------------- sizes

    private static int remainingLength(MqttPacket packet, ProtocolVersion version) {
        boolean v5 = version.isV5();
        int length = switch (packet.type()) {
            case CONNECT -> connectLength((Connect) packet);
            case CONNACK -> 2 + (v5 ? PropertiesCodec.sizeWithLength(((ConnAck) packet).properties()) : 0);
            case PUBLISH -> publishLength((Publish) packet, v5);
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> flowLength((PublishFlowPacket) packet, v5);
            case SUBSCRIBE -> subscribeLength((Subscribe) packet, v5);
            case SUBACK -> {
                SubAck subAck = (SubAck) packet;
                yield 2 + (v5 ? PropertiesCodec.sizeWithLength(subAck.properties()) : 0) + subAck.reasonCodes().size();
            }
            case UNSUBSCRIBE -> unsubscribeLength((Unsubscribe) packet, v5);
            case UNSUBACK -> {
                UnsubAck unsubAck = (UnsubAck) packet;
                yield v5 ? 2 + PropertiesCodec.sizeWithLength(unsubAck.properties()) + unsubAck.reasonCodes().size() : 2;
            }
            case PINGREQ, PINGRESP -> 0;
            case DISCONNECT -> reasonAndPropertiesLength(((Disconnect) packet).reasonCode(),
                    ((Disconnect) packet).properties(), v5);
            case AUTH -> {
                if (!v5) {
                    throw new IllegalArgumentException("AUTH does not exist before MQTT 5.0");
                }
                yield reasonAndPropertiesLength(((Auth) packet).reasonCode(), ((Auth) packet).properties(), true);
            }
        };
        if (length > VariableByteInteger.MAX_VALUE) {
            throw new IllegalArgumentException(packet.type() + " too large for MQTT: " + length);
        }
        return length;
    }

    private static int connectLength(Connect connect) {
        ProtocolVersion version = connect.protocolVersion();
        boolean v5 = version.isV5();
        int length = stringSize(version.protocolName()) + 1 + 1 + 2;
        if (v5) {
            length += PropertiesCodec.sizeWithLength(connect.properties());
        }
        length += stringSize(connect.clientId());
        Will will = connect.will();
        if (will != null) {
            if (v5) {
                length += PropertiesCodec.sizeWithLength(will.properties());
            }
            length += stringSize(will.topic()) + binarySize(will.payload());
        }
        if (connect.username() != null) {
            length += stringSize(connect.username());
        }
        if (connect.password() != null) {
            length += binarySize(connect.password());
        }
        return length;
    }

    private static int publishLength(Publish publish, boolean v5) {
        return publishLength(publish, v5 ? PropertiesCodec.size(publish.properties()) : -1);
    }

    /** @param propertiesSize the size of the property list without its length prefix, or -1 before 5.0 */
    private static int publishLength(Publish publish, int propertiesSize) {
        if (publish.qos() != QoS.AT_MOST_ONCE && publish.packetId() == 0) {
            throw new IllegalArgumentException("a QoS " + publish.qos().value() + " PUBLISH needs a packet identifier");
        }
        int length = stringSize(publish.topic()) + (publish.qos() == QoS.AT_MOST_ONCE ? 0 : 2);
        if (propertiesSize >= 0) {
            length += VariableByteInteger.size(propertiesSize) + propertiesSize;
        }
        if (length + (long) publish.payload().length > VariableByteInteger.MAX_VALUE) {
            throw new IllegalArgumentException("PUBLISH too large for MQTT: " + (length + (long) publish.payload().length));
        }
        return length + publish.payload().length;
    }

    private static int flowLength(PublishFlowPacket packet, boolean v5) {
        if (!v5) {
            return 2;
        }
        if (packet.properties().isEmpty()) {
            return packet.reasonCode() == ReasonCode.SUCCESS ? 2 : 3;
        }
        return 3 + PropertiesCodec.sizeWithLength(packet.properties());
    }

    private static int subscribeLength(Subscribe subscribe, boolean v5) {
        int length = 2 + (v5 ? PropertiesCodec.sizeWithLength(subscribe.properties()) : 0);
        for (Subscription subscription : subscribe.subscriptions()) {
            length += stringSize(subscription.topicFilter()) + 1;
        }
        return length;
    }

    private static int unsubscribeLength(Unsubscribe unsubscribe, boolean v5) {
        int length = 2 + (v5 ? PropertiesCodec.sizeWithLength(unsubscribe.properties()) : 0);
        for (String filter : unsubscribe.topicFilters()) {
            length += stringSize(filter);
        }
        return length;
    }

    /** DISCONNECT and AUTH: empty when the code is 0x00 and there are no properties. */
    private static int reasonAndPropertiesLength(ReasonCode code, Properties properties, boolean v5) {
        if (!v5) {
            return 0;
        }
        if (properties.isEmpty()) {
            return code.value() == 0 ? 0 : 1;
        }
        return 1 + PropertiesCodec.sizeWithLength(properties);
    }

    private static int binarySize(byte[] bytes) {
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("binary data longer than 65,535 bytes");
        }
        return 2 + bytes.length;
    }

    // ---------------------------------------------------------------- writers

    private static void writeFixedHeader(ByteBuffer out, int firstByte, int remainingLength) {
        out.put((byte) firstByte);
        VariableByteInteger.write(out, remainingLength);
    }

    private static void writeProperties(ByteBuffer out, Properties properties) {
        PropertiesCodec.write(out, properties, PropertiesCodec.size(properties));
    }

    private static void writeConnect(Connect connect, ByteBuffer out) {
        ProtocolVersion version = connect.protocolVersion();
        boolean v5 = version.isV5();
        writeFixedHeader(out, PacketType.CONNECT.value() << 4, connectLength(connect));
        writeString(out, version.protocolName());
        out.put((byte) version.level());
        Will will = connect.will();
        int flags = 0;
        if (connect.cleanStart()) {
            flags |= 0x02;
        }
        if (will != null) {
            flags |= 0x04 | (will.qos().value() << 3) | (will.retain() ? 0x20 : 0);
        }
        if (connect.password() != null) {
            flags |= 0x40;
        }
        if (connect.username() != null) {
            flags |= 0x80;
        }
        out.put((byte) flags);
        out.putShort((short) connect.keepAlive());
        if (v5) {
            writeProperties(out, connect.properties());
        }
        writeString(out, connect.clientId());
        if (will != null) {
            if (v5) {
                writeProperties(out, will.properties());
            }
            writeString(out, will.topic());
            writeBinary(out, will.payload());
        }
        if (connect.username() != null) {
            writeString(out, connect.username());
        }
        if (connect.password() != null) {
            writeBinary(out, connect.password());
        }
    }

    private static void writeConnAck(ConnAck connAck, ProtocolVersion version, ByteBuffer out) {
        boolean v5 = version.isV5();
        int remaining = 2 + (v5 ? PropertiesCodec.sizeWithLength(connAck.properties()) : 0);
        writeFixedHeader(out, PacketType.CONNACK.value() << 4, remaining);
        // MQTT 3.1 has no session present flag: the byte is reserved and stays 0.
        out.put((byte) (connAck.sessionPresent() && version != ProtocolVersion.MQTT_3_1 ? 1 : 0));
        if (v5) {
            out.put((byte) connAck.reasonCode().value());
            writeProperties(out, connAck.properties());
        } else {
            out.put((byte) V3ReturnCodes.toConnectReturnCode(connAck.reasonCode()));
        }
    }

    /** Writes everything of a PUBLISH but its payload; the property list is sized once. */
    private static void writePublishHeader(Publish publish, boolean v5, ByteBuffer out) {
        int propertiesSize = v5 ? PropertiesCodec.size(publish.properties()) : -1;
        int first = (PacketType.PUBLISH.value() << 4)
                | (publish.dup() ? 0x08 : 0)
                | (publish.qos().value() << 1)
                | (publish.retain() ? 0x01 : 0);
        writeFixedHeader(out, first, publishLength(publish, propertiesSize));
        writeString(out, publish.topic());
        if (publish.qos() != QoS.AT_MOST_ONCE) {
            out.putShort((short) publish.packetId());
        }
        if (v5) {
            PropertiesCodec.write(out, publish.properties(), propertiesSize);
        }
    }

    private static void writeFlow(PublishFlowPacket packet, boolean v5, ByteBuffer out) {
        PacketType type = packet.type();
        int first = (type.value() << 4) | type.fixedFlags();
        int remaining = flowLength(packet, v5);
        writeFixedHeader(out, first, remaining);
        out.putShort((short) packet.packetId());
        if (remaining > 2) {
            out.put((byte) packet.reasonCode().value());
            if (remaining > 3) {
                writeProperties(out, packet.properties());
            }
        }
    }

    private static void writeSubscribe(Subscribe subscribe, boolean v5, ByteBuffer out) {
        writeFixedHeader(out, (PacketType.SUBSCRIBE.value() << 4) | PacketType.SUBSCRIBE.fixedFlags(),
                subscribeLength(subscribe, v5));
        out.putShort((short) subscribe.packetId());
        if (v5) {
            writeProperties(out, subscribe.properties());
        }
        for (Subscription subscription : subscribe.subscriptions()) {
            writeString(out, subscription.topicFilter());
            int options = subscription.maxQos().value();
            if (v5) {
                options |= (subscription.noLocal() ? 0x04 : 0)
                        | (subscription.retainAsPublished() ? 0x08 : 0)
                        | (subscription.retainHandling().value() << 4);
            }
            out.put((byte) options);
        }
    }

    private static void writeSubAck(SubAck subAck, boolean v5, ByteBuffer out) {
        List<ReasonCode> codes = subAck.reasonCodes();
        int remaining = 2 + (v5 ? PropertiesCodec.sizeWithLength(subAck.properties()) : 0) + codes.size();
        writeFixedHeader(out, PacketType.SUBACK.value() << 4, remaining);
        out.putShort((short) subAck.packetId());
        if (v5) {
            writeProperties(out, subAck.properties());
        }
        for (ReasonCode code : codes) {
            out.put((byte) (v5 ? code.value() : V3ReturnCodes.toSubscribeReturnCode(code)));
        }
    }

    private static void writeUnsubscribe(Unsubscribe unsubscribe, boolean v5, ByteBuffer out) {
        writeFixedHeader(out, (PacketType.UNSUBSCRIBE.value() << 4) | PacketType.UNSUBSCRIBE.fixedFlags(),
                unsubscribeLength(unsubscribe, v5));
        out.putShort((short) unsubscribe.packetId());
        if (v5) {
            writeProperties(out, unsubscribe.properties());
        }
        for (String filter : unsubscribe.topicFilters()) {
            writeString(out, filter);
        }
    }

    private static void writeUnsubAck(UnsubAck unsubAck, boolean v5, ByteBuffer out) {
        if (!v5) {
            writeFixedHeader(out, PacketType.UNSUBACK.value() << 4, 2);
            out.putShort((short) unsubAck.packetId());
            return;
        }
        List<ReasonCode> codes = unsubAck.reasonCodes();
        writeFixedHeader(out, PacketType.UNSUBACK.value() << 4,
                2 + PropertiesCodec.sizeWithLength(unsubAck.properties()) + codes.size());
        out.putShort((short) unsubAck.packetId());
        writeProperties(out, unsubAck.properties());
        for (ReasonCode code : codes) {
            out.put((byte) code.value());
        }
    }

    private static void writeDisconnect(Disconnect disconnect, boolean v5, ByteBuffer out) {
        writeReasonAndProperties(PacketType.DISCONNECT, disconnect.reasonCode(), disconnect.properties(), v5, out);
    }

    private static void writeAuth(Auth auth, boolean v5, ByteBuffer out) {
        if (!v5) {
            throw new IllegalArgumentException("AUTH does not exist before MQTT 5.0");
        }
        writeReasonAndProperties(PacketType.AUTH, auth.reasonCode(), auth.properties(), true, out);
    }

    private static void writeReasonAndProperties(PacketType type, ReasonCode code, Properties properties,
                                                 boolean v5, ByteBuffer out) {
        int remaining = reasonAndPropertiesLength(code, properties, v5);
        writeFixedHeader(out, type.value() << 4, remaining);
        if (remaining > 0) {
            out.put((byte) code.value());
            if (remaining > 1) {
                writeProperties(out, properties);
            }
        }
    }

    private static void writeBinary(ByteBuffer out, byte[] bytes) {
        out.putShort((short) bytes.length);
        out.put(bytes);
    }
}
