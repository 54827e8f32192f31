package io.corvid.broker.codec;

import static io.corvid.broker.codec.MalformedPacketException.malformed;
import static io.corvid.broker.codec.MalformedPacketException.protocolError;

import io.corvid.broker.packet.Auth;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.RetainHandling;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import io.corvid.broker.packet.Will;
import io.corvid.broker.topic.Topics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental, strict MQTT decoder for one connection.
 *
 * <p>{@link #decode} looks at the bytes from the buffer's position to its limit and returns a
 * packet (moving the position past it), a request for more bytes (position untouched), or a
 * typed protocol error. The fixed header is checked first: a reserved type, wrong flags, a
 * remaining length over four bytes or a packet larger than the configured maximum is refused
 * before a single byte of the body is awaited, and nothing is ever allocated for a packet
 * whose bytes are not all present.
 *
 * <p>A server-side decoder learns the protocol version from CONNECT and then decodes the rest
 * of the connection in that version; a client-side decoder is given the version. Each side
 * refuses the packets only the other side may send. Not thread safe: one per connection.
 */
public final class MqttDecoder {

    /** Which end of the connection this decoder serves. */
    public enum Role {
        /** Decodes what clients send: CONNECT, PUBLISH, SUBSCRIBE ... */
        SERVER,
        /** Decodes what servers send: CONNACK, PUBLISH, SUBACK ... */
        CLIENT
    }

    /** The largest packet MQTT can express: 268,435,455 bytes of body plus a 5-byte header. */
    public static final int MAX_PACKET_SIZE_LIMIT = VariableByteInteger.MAX_VALUE + 5;

    private static final int CLIENT_ONLY = mask(PacketType.CONNECT, PacketType.SUBSCRIBE,
            PacketType.UNSUBSCRIBE, PacketType.PINGREQ);
    private static final int SERVER_ONLY = mask(PacketType.CONNACK, PacketType.SUBACK,
            PacketType.UNSUBACK, PacketType.PINGRESP);

    private final Role role;
    private final PacketReader reader = new PacketReader();
    private int maximumPacketSize;
    private ProtocolVersion protocolVersion;

    private MqttDecoder(Role role, ProtocolVersion protocolVersion, int maximumPacketSize) {
        this.role = role;
        this.protocolVersion = protocolVersion;
        maximumPacketSize(maximumPacketSize);
    }

    /**
     * A decoder for the server end of a connection; the version is learned from CONNECT.
     *
     * @param maximumPacketSize the largest whole packet (fixed header included) to accept
     */
    public static MqttDecoder forServer(int maximumPacketSize) {
        return new MqttDecoder(Role.SERVER, null, maximumPacketSize);
    }

    /**
     * A decoder for the client end of a connection speaking {@code version}.
     *
     * @param maximumPacketSize the largest whole packet (fixed header included) to accept
     */
    public static MqttDecoder forClient(ProtocolVersion version, int maximumPacketSize) {
        return new MqttDecoder(Role.CLIENT, version, maximumPacketSize);
    }

    /** The protocol version of the connection, or {@code null} before CONNECT was seen. */
    public ProtocolVersion protocolVersion() {
        return protocolVersion;
    }

    /** Which end this decoder serves. */
    public Role role() {
        return role;
    }

    /** The largest whole packet this decoder accepts. */
    public int maximumPacketSize() {
        return maximumPacketSize;
    }

    /** Changes the largest whole packet to accept, from the next packet on. */
    public void maximumPacketSize(int size) {
        if (size < 2) {
            throw new IllegalArgumentException("maximum packet size must be at least 2: " + size);
        }
        this.maximumPacketSize = Math.min(size, MAX_PACKET_SIZE_LIMIT);
    }

    /**
     * Decodes at most one packet from the buffer's position.
     *
     * @return {@link DecodeResult.Decoded} with the position moved past the packet,
     *         {@link DecodeResult.NeedMoreBytes} with the position unchanged, or
     *         {@link DecodeResult.Error}
     */
    public DecodeResult decode(ByteBuffer in) {
        int start = in.position();
        int limit = in.limit();
        if (start >= limit) {
            return DecodeResult.needMoreBytes();
        }
        int first = in.get(start) & 0xFF;
        PacketType type = PacketType.fromValue(first >>> 4);
        if (type == null) {
            return error(ReasonCode.MALFORMED_PACKET, "reserved packet type 0", null);
        }
        DecodeResult headerError = checkFixedHeader(type, first & 0x0F);
        if (headerError != null) {
            return headerError;
        }
        long lengthField = VariableByteInteger.read(in, start + 1, limit, protocolVersion == ProtocolVersion.MQTT_5);
        if (lengthField == VariableByteInteger.NOT_ENOUGH_BYTES) {
            return DecodeResult.needMoreBytes();
        }
        if (lengthField == VariableByteInteger.TOO_LARGE) {
            return error(ReasonCode.MALFORMED_PACKET, "remaining length is longer than four bytes", type);
        }
        if (lengthField == VariableByteInteger.NOT_MINIMUM_BYTES) {
            return error(ReasonCode.MALFORMED_PACKET, "remaining length not in the minimum number of bytes", type);
        }
        int remainingLength = VariableByteInteger.value(lengthField);
        int headerLength = 1 + VariableByteInteger.length(lengthField);
        boolean minimalLength = headerLength - 1 == VariableByteInteger.size(remainingLength);
        long packetSize = (long) headerLength + remainingLength;
        if (packetSize > maximumPacketSize) {
            return error(ReasonCode.PACKET_TOO_LARGE,
                    type + " of " + packetSize + " bytes exceeds the maximum packet size of " + maximumPacketSize, type);
        }
        if (limit - start < packetSize) {
            return DecodeResult.needMoreBytes();
        }
        int bodyStart = start + headerLength;
        int end = (int) (start + packetSize);
        reader.reset(in, bodyStart, end);
        try {
            MqttPacket packet = decodeBody(type, first & 0x0F);
            if (!minimalLength && v5()) {
                // Only a CONNECT gets here: its version was unknown when its header was read.
                // MQTT 5.0 section 1.5.5 [MQTT-1.5.5-1] requires the minimal encoding.
                throw malformed("remaining length not in the minimum number of bytes");
            }
            reader.requireEnd(type.toString());
            in.position(end);
            return new DecodeResult.Decoded(packet);
        } catch (MalformedPacketException e) {
            return error(e.reasonCode(), e.getMessage(), type);
        } finally {
            reader.release();
        }
    }

    private DecodeResult checkFixedHeader(PacketType type, int flags) {
        if (type.fixedFlags() >= 0 && flags != type.fixedFlags()) {
            return error(ReasonCode.MALFORMED_PACKET, "invalid fixed header flags 0x"
                    + Integer.toHexString(flags) + " for " + type, type);
        }
        if (type == PacketType.PUBLISH) {
            int qos = (flags >> 1) & 0x03;
            if (qos == 3) {
                return error(ReasonCode.MALFORMED_PACKET, "PUBLISH with QoS 3", type);
            }
            if (qos == 0 && (flags & 0x08) != 0) {
                return error(ReasonCode.MALFORMED_PACKET, "QoS 0 PUBLISH with the DUP flag set", type);
            }
        }
        int bit = 1 << type.value();
        if (role == Role.SERVER) {
            if ((SERVER_ONLY & bit) != 0) {
                return error(ReasonCode.PROTOCOL_ERROR, type + " may only be sent by a server", type);
            }
            if (protocolVersion == null && type != PacketType.CONNECT) {
                return error(ReasonCode.PROTOCOL_ERROR, "the first packet must be CONNECT, was " + type, type);
            }
            if (protocolVersion != null && type == PacketType.CONNECT) {
                return error(ReasonCode.PROTOCOL_ERROR, "a second CONNECT on one connection", type);
            }
        } else if ((CLIENT_ONLY & bit) != 0
                || type == PacketType.DISCONNECT && protocolVersion != ProtocolVersion.MQTT_5) {
            // Before MQTT 5.0 only clients send DISCONNECT (3.1.1 section 2.2.1, table 2.1).
            return error(ReasonCode.PROTOCOL_ERROR, type + " may only be sent by a client", type);
        }
        if (type == PacketType.AUTH && protocolVersion != null && !protocolVersion.isV5()) {
            return error(ReasonCode.MALFORMED_PACKET, "AUTH does not exist before MQTT 5.0", type);
        }
        return null;
    }

    private MqttPacket decodeBody(PacketType type, int flags) {
        return switch (type) {
            case CONNECT -> decodeConnect();
            case CONNACK -> decodeConnAck();
            case PUBLISH -> decodePublish(flags);
            case PUBACK -> {
                int id = readPacketId();
                ReasonCode code = readFlowReasonCode(type);
                yield new PubAck(id, code, readFlowProperties(type));
            }
            case PUBREC -> {
                int id = readPacketId();
                ReasonCode code = readFlowReasonCode(type);
                yield new PubRec(id, code, readFlowProperties(type));
            }
            case PUBREL -> {
                int id = readPacketId();
                ReasonCode code = readFlowReasonCode(type);
                yield new PubRel(id, code, readFlowProperties(type));
            }
            case PUBCOMP -> {
                int id = readPacketId();
                ReasonCode code = readFlowReasonCode(type);
                yield new PubComp(id, code, readFlowProperties(type));
            }
            case SUBSCRIBE -> decodeSubscribe();
            case SUBACK -> decodeSubAck();
            case UNSUBSCRIBE -> decodeUnsubscribe();
            case UNSUBACK -> decodeUnsubAck();
            case PINGREQ -> PingReq.INSTANCE;
            case PINGRESP -> PingResp.INSTANCE;
            case DISCONNECT -> decodeDisconnect();
            case AUTH -> decodeAuth();
        };
    }

    private boolean v5() {
        return protocolVersion == ProtocolVersion.MQTT_5;
    }

    private MqttPacket decodeConnect() {
        int nameLength = reader.readUnsignedShort("protocol name length");
        if (nameLength > 6) {
            throw malformed("unknown protocol name (" + nameLength + " bytes long)");
        }
        byte[] nameBytes = reader.readBytes(nameLength, "protocol name");
        String name = new String(nameBytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!name.equals("MQTT") && !name.equals("MQIsdp")) {
            throw malformed("unknown protocol name '" + printable(name) + "'");
        }
        int level = reader.readUnsignedByte("protocol level");
        ProtocolVersion version = ProtocolVersion.of(name, level);
        if (version == null) {
            throw new MalformedPacketException(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION,
                    "unsupported protocol level " + level + " for protocol name " + name);
        }
        protocolVersion = version;

        int flags = reader.readUnsignedByte("connect flags");
        if ((flags & 0x01) != 0) {
            throw malformed("reserved connect flag is set");
        }
        boolean cleanStart = (flags & 0x02) != 0;
        boolean willFlag = (flags & 0x04) != 0;
        int willQosValue = (flags >> 3) & 0x03;
        boolean willRetain = (flags & 0x20) != 0;
        boolean passwordFlag = (flags & 0x40) != 0;
        boolean usernameFlag = (flags & 0x80) != 0;
        if (!willFlag && (willQosValue != 0 || willRetain)) {
            throw malformed("will QoS or will retain set without the will flag");
        }
        if (willQosValue == 3) {
            throw malformed("will QoS 3");
        }
        if (!version.isV5() && passwordFlag && !usernameFlag) {
            throw malformed("password flag set without the user name flag");
        }
        int keepAlive = reader.readUnsignedShort("keep alive");
        Properties properties = Properties.EMPTY;
        if (version.isV5()) {
            properties = PropertiesCodec.read(reader, PacketType.CONNECT, false);
            requireMethodWithData(properties);
        }
        String clientId = reader.readString("client identifier");
        Will will = null;
        if (willFlag) {
            Properties willProperties = version.isV5()
                    ? PropertiesCodec.read(reader, PacketType.CONNECT, true) : Properties.EMPTY;
            String willTopic = reader.readString("will topic");
            if (!Topics.isValidTopicName(willTopic)) {
                throw new MalformedPacketException(ReasonCode.TOPIC_NAME_INVALID,
                        "will topic '" + willTopic + "' is not a valid topic name");
            }
            byte[] willPayload = reader.readBinary("will payload");
            will = new Will(willTopic, willPayload, QoS.fromValue(willQosValue), willRetain, willProperties);
        }
        String username = usernameFlag ? reader.readString("user name") : null;
        byte[] password = passwordFlag ? reader.readBinary("password") : null;
        return new Connect(version, clientId, cleanStart, keepAlive, username, password, will, properties);
    }

    private MqttPacket decodeConnAck() {
        int flags = reader.readUnsignedByte("connect acknowledge flags");
        if ((flags & 0xFE) != 0) {
            throw malformed("reserved connect acknowledge flags are set");
        }
        // MQTT 3.1 reserves the whole byte; only 3.1.1 and 5.0 carry the session present flag.
        boolean sessionPresent = (flags & 0x01) != 0 && protocolVersion != ProtocolVersion.MQTT_3_1;
        int codeValue = reader.readUnsignedByte("connect reason code");
        ReasonCode code;
        Properties properties = Properties.EMPTY;
        if (v5()) {
            code = ReasonCode.fromValue(codeValue, PacketType.CONNACK);
            if (code == null) {
                throw malformed("0x" + Integer.toHexString(codeValue) + " is not a CONNACK reason code");
            }
            properties = PropertiesCodec.read(reader, PacketType.CONNACK, false);
            requireMethodWithData(properties);
        } else {
            code = V3ReturnCodes.fromConnectReturnCode(codeValue);
            if (code == null) {
                throw malformed("connect return code " + codeValue + " does not exist in MQTT 3.1.1");
            }
        }
        if (sessionPresent && code != ReasonCode.SUCCESS) {
            throw protocolError("session present set on a refused connection");
        }
        return new ConnAck(sessionPresent, code, properties);
    }

    private MqttPacket decodePublish(int flags) {
        QoS qos = QoS.fromValue((flags >> 1) & 0x03);
        boolean dup = (flags & 0x08) != 0;
        boolean retain = (flags & 0x01) != 0;
        String topic = reader.readString("topic name");
        if (Topics.containsWildcard(topic)) {
            throw new MalformedPacketException(ReasonCode.TOPIC_NAME_INVALID,
                    "topic name '" + topic + "' contains a wildcard");
        }
        int packetId = qos == QoS.AT_MOST_ONCE ? 0 : readPacketId();
        Properties properties = Properties.EMPTY;
        if (v5()) {
            properties = PropertiesCodec.read(reader, PacketType.PUBLISH, false);
            if (role == Role.SERVER && properties.contains(Property.SUBSCRIPTION_IDENTIFIER)) {
                throw protocolError("a client's PUBLISH must not carry a Subscription Identifier");
            }
        }
        if (topic.isEmpty()) {
            if (!v5()) {
                throw malformed("empty topic name");
            }
            if (!properties.contains(Property.TOPIC_ALIAS)) {
                throw protocolError("empty topic name without a Topic Alias");
            }
        }
        byte[] payload = reader.readRest();
        return new Publish(topic, qos, retain, dup, packetId, payload, properties);
    }

    private MqttPacket decodeSubscribe() {
        int packetId = readPacketId();
        Properties properties = v5()
                ? PropertiesCodec.read(reader, PacketType.SUBSCRIBE, false) : Properties.EMPTY;
        List<Subscription> subscriptions = new ArrayList<>(2);
        while (reader.hasRemaining()) {
            String filter = reader.readString("topic filter");
            int options = reader.readUnsignedByte("subscription options");
            int qosValue = options & 0x03;
            if (qosValue == 3) {
                // 3.1.1 [MQTT-3-8.3-4] calls it malformed; 5.0 section 3.8.3.1 a Protocol Error.
                throw v5() ? protocolError("subscription with QoS 3") : malformed("subscription with QoS 3");
            }
            QoS qos = QoS.fromValue(qosValue);
            if (v5()) {
                if ((options & 0xC0) != 0) {
                    throw malformed("reserved subscription option bits are set");
                }
                RetainHandling retainHandling = RetainHandling.fromValue((options >> 4) & 0x03);
                if (retainHandling == null) {
                    throw protocolError("retain handling 3");
                }
                subscriptions.add(new Subscription(filter, qos, (options & 0x04) != 0,
                        (options & 0x08) != 0, retainHandling));
            } else {
                if ((options & 0xFC) != 0) {
                    throw malformed("reserved subscription option bits are set");
                }
                subscriptions.add(new Subscription(filter, qos));
            }
        }
        if (subscriptions.isEmpty()) {
            throw protocolError("SUBSCRIBE without a topic filter");
        }
        return new Subscribe(packetId, subscriptions, properties);
    }

    private MqttPacket decodeSubAck() {
        int packetId = readPacketId();
        Properties properties = v5()
                ? PropertiesCodec.read(reader, PacketType.SUBACK, false) : Properties.EMPTY;
        List<ReasonCode> codes = new ArrayList<>(2);
        while (reader.hasRemaining()) {
            int value = reader.readUnsignedByte("SUBACK reason code");
            ReasonCode code = v5() ? ReasonCode.fromValue(value, PacketType.SUBACK)
                    : V3ReturnCodes.fromSubscribeReturnCode(value);
            if (code == null) {
                throw malformed("0x" + Integer.toHexString(value) + " is not a SUBACK reason code");
            }
            codes.add(code);
        }
        if (codes.isEmpty()) {
            throw protocolError("SUBACK without a reason code");
        }
        return new SubAck(packetId, codes, properties);
    }

    private MqttPacket decodeUnsubscribe() {
        int packetId = readPacketId();
        Properties properties = v5()
                ? PropertiesCodec.read(reader, PacketType.UNSUBSCRIBE, false) : Properties.EMPTY;
        List<String> filters = new ArrayList<>(2);
        while (reader.hasRemaining()) {
            filters.add(reader.readString("topic filter"));
        }
        if (filters.isEmpty()) {
            throw protocolError("UNSUBSCRIBE without a topic filter");
        }
        return new Unsubscribe(packetId, filters, properties);
    }

    private MqttPacket decodeUnsubAck() {
        int packetId = readPacketId();
        if (!v5()) {
            return new UnsubAck(packetId, List.of(), Properties.EMPTY);
        }
        Properties properties = PropertiesCodec.read(reader, PacketType.UNSUBACK, false);
        List<ReasonCode> codes = new ArrayList<>(2);
        while (reader.hasRemaining()) {
            int value = reader.readUnsignedByte("UNSUBACK reason code");
            ReasonCode code = ReasonCode.fromValue(value, PacketType.UNSUBACK);
            if (code == null) {
                throw malformed("0x" + Integer.toHexString(value) + " is not an UNSUBACK reason code");
            }
            codes.add(code);
        }
        if (codes.isEmpty()) {
            throw protocolError("UNSUBACK without a reason code");
        }
        return new UnsubAck(packetId, codes, properties);
    }

    private MqttPacket decodeDisconnect() {
        if (!v5() || !reader.hasRemaining()) {
            return Disconnect.NORMAL;
        }
        int value = reader.readUnsignedByte("DISCONNECT reason code");
        ReasonCode code = ReasonCode.fromValue(value, PacketType.DISCONNECT);
        if (code == null) {
            throw malformed("0x" + Integer.toHexString(value) + " is not a DISCONNECT reason code");
        }
        Properties properties = reader.hasRemaining()
                ? PropertiesCodec.read(reader, PacketType.DISCONNECT, false) : Properties.EMPTY;
        if (role == Role.CLIENT && properties.contains(Property.SESSION_EXPIRY_INTERVAL)) {
            throw protocolError("a server's DISCONNECT must not carry a Session Expiry Interval");
        }
        return new Disconnect(code, properties);
    }

    private MqttPacket decodeAuth() {
        if (!reader.hasRemaining()) {
            return new Auth(ReasonCode.SUCCESS, Properties.EMPTY);
        }
        int value = reader.readUnsignedByte("AUTH reason code");
        ReasonCode code = ReasonCode.fromValue(value, PacketType.AUTH);
        if (code == null) {
            throw malformed("0x" + Integer.toHexString(value) + " is not an AUTH reason code");
        }
        if (code == ReasonCode.SUCCESS && !reader.hasRemaining()) {
            return new Auth(ReasonCode.SUCCESS, Properties.EMPTY);
        }
        // Only a Success AUTH may omit its property length (5.0 section 3.15.2.1), and every AUTH
        // that has properties must name the method (3.15.2.2.2).
        Properties properties = PropertiesCodec.read(reader, PacketType.AUTH, false);
        if (!properties.contains(Property.AUTHENTICATION_METHOD)) {
            throw protocolError("AUTH without an Authentication Method");
        }
        return new Auth(code, properties);
    }

    private int readPacketId() {
        int id = reader.readUnsignedShort("packet identifier");
        if (id == 0) {
            throw malformed("packet identifier 0");
        }
        return id;
    }

    /** PUBACK, PUBREC, PUBREL, PUBCOMP: v5 may omit the reason code, meaning success. */
    private ReasonCode readFlowReasonCode(PacketType type) {
        if (!v5() || !reader.hasRemaining()) {
            return ReasonCode.SUCCESS;
        }
        int value = reader.readUnsignedByte(type + " reason code");
        ReasonCode code = ReasonCode.fromValue(value, type);
        if (code == null) {
            throw malformed("0x" + Integer.toHexString(value) + " is not a " + type + " reason code");
        }
        return code;
    }

    private Properties readFlowProperties(PacketType type) {
        if (!v5() || !reader.hasRemaining()) {
            return Properties.EMPTY;
        }
        return PropertiesCodec.read(reader, type, false);
    }

    private static void requireMethodWithData(Properties properties) {
        if (properties.contains(Property.AUTHENTICATION_DATA)
                && !properties.contains(Property.AUTHENTICATION_METHOD)) {
            throw protocolError("Authentication Data without an Authentication Method");
        }
    }

    private static DecodeResult error(ReasonCode code, String message, PacketType type) {
        return new DecodeResult.Error(code, message, type);
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }

    private static int mask(PacketType... types) {
        int mask = 0;
        for (PacketType type : types) {
            mask |= 1 << type.value();
        }
        return mask;
    }
}
