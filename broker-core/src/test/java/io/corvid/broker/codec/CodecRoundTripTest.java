package io.corvid.broker.codec;

import static io.corvid.broker.packet.QoS.AT_LEAST_ONCE;
import static io.corvid.broker.packet.QoS.AT_MOST_ONCE;
import static io.corvid.broker.packet.QoS.EXACTLY_ONCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.codec.MqttDecoder.Role;
import io.corvid.broker.codec.PacketCatalogue.Case;
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
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.RetainHandling;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import io.corvid.broker.packet.Will;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hand-made round trips: a full-featured packet of every type in every version, every property
 * in every packet (and will) that may carry it, what 3.1.1 drops, the encoder's refusals, and
 * buffer details (byte order, lenient forms).
 */
class CodecRoundTripTest {

    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

    // ------------------------------------------------------------------ every packet type

    static Stream<Arguments> typesAndVersions() {
        List<Arguments> arguments = new ArrayList<>();
        for (ProtocolVersion version : ProtocolVersion.values()) {
            for (PacketType type : PacketType.values()) {
                if (type != PacketType.AUTH || version.isV5()) {
                    arguments.add(Arguments.of(type, version));
                }
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("typesAndVersions")
    void everyPacketTypeRoundTripsInEveryVersion(PacketType type, ProtocolVersion version) {
        MqttPacket packet = sample(type, version);
        assertEquals(type, packet.type());
        byte[] bytes = MqttEncoder.encode(packet, version);
        assertEquals(MqttEncoder.encodedSize(packet, version), bytes.length);
        assertEquals(packet, decode(type, version, bytes));
    }

    /** A packet of the type using what the version can carry. */
    static MqttPacket sample(PacketType type, ProtocolVersion version) {
        boolean v5 = version.isV5();
        Properties reason = v5 ? Properties.builder().put(Property.REASON_STRING, "why").userProperty("k", "v").build()
                : Properties.EMPTY;
        return switch (type) {
            case CONNECT -> new Connect(version, "client-1", false, 120, "user", "secret".getBytes(StandardCharsets.UTF_8),
                    new Will("last/will", PAYLOAD, EXACTLY_ONCE, true,
                            v5 ? Properties.builder().put(Property.WILL_DELAY_INTERVAL, 10L).build() : Properties.EMPTY),
                    v5 ? Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 300L).build() : Properties.EMPTY);
            case CONNACK -> new ConnAck(false, v5 ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.NOT_AUTHORIZED, reason);
            case PUBLISH -> new Publish("a/b/c", EXACTLY_ONCE, true, true, 513, PAYLOAD,
                    v5 ? Properties.builder().put(Property.MESSAGE_EXPIRY_INTERVAL, 5L).subscriptionIdentifier(3).build()
                            : Properties.EMPTY);
            case PUBACK -> new PubAck(1, v5 ? ReasonCode.NOT_AUTHORIZED : ReasonCode.SUCCESS, reason);
            case PUBREC -> new PubRec(2, v5 ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS, reason);
            case PUBREL -> new PubRel(3, v5 ? ReasonCode.PACKET_IDENTIFIER_NOT_FOUND : ReasonCode.SUCCESS, reason);
            case PUBCOMP -> new PubComp(65535, v5 ? ReasonCode.PACKET_IDENTIFIER_NOT_FOUND : ReasonCode.SUCCESS, reason);
            case SUBSCRIBE -> new Subscribe(4, List.of(
                    v5 ? new Subscription("a/+", AT_LEAST_ONCE, true, true, RetainHandling.SEND_IF_NEW_SUBSCRIPTION)
                            : new Subscription("a/+", AT_LEAST_ONCE),
                    new Subscription("$share/g/#", EXACTLY_ONCE)),
                    v5 ? Properties.builder().subscriptionIdentifier(99).build() : Properties.EMPTY);
            case SUBACK -> new SubAck(4, List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.UNSPECIFIED_ERROR), reason);
            case UNSUBSCRIBE -> new Unsubscribe(5, List.of("a/+", "b/#"),
                    v5 ? Properties.builder().userProperty("k", "v").build() : Properties.EMPTY);
            case UNSUBACK -> new UnsubAck(5, v5 ? List.of(ReasonCode.SUCCESS, ReasonCode.NO_SUBSCRIPTION_EXISTED)
                    : List.of(), reason);
            case PINGREQ -> PingReq.INSTANCE;
            case PINGRESP -> PingResp.INSTANCE;
            case DISCONNECT -> v5 ? new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN, reason) : Disconnect.NORMAL;
            case AUTH -> new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                    Properties.builder().put(Property.AUTHENTICATION_METHOD, "m")
                            .put(Property.AUTHENTICATION_DATA, new byte[] {9}).build());
        };
    }

    // ------------------------------------------------------------------ every property

    /** Each property with each packet that may carry it; "WILL" stands for the will properties. */
    static Stream<Arguments> propertiesAndHosts() {
        List<Arguments> arguments = new ArrayList<>();
        for (Property property : Property.values()) {
            for (PacketType type : PacketType.values()) {
                if (property.isAllowedIn(type)) {
                    arguments.add(Arguments.of(property, type.name()));
                }
            }
            if (property.isAllowedInWill()) {
                arguments.add(Arguments.of(property, "WILL"));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("propertiesAndHosts")
    void everyPropertyRoundTripsInEveryPacketThatMayCarryIt(Property property, String host) {
        Properties properties = withValue(Properties.builder(), property).build();
        MqttPacket packet = hostWith(host, properties, ProtocolVersion.MQTT_5);
        PacketType type = packet.type();
        byte[] bytes = MqttEncoder.encode(packet, ProtocolVersion.MQTT_5);
        MqttPacket decoded = decode(type, ProtocolVersion.MQTT_5, bytes);
        assertEquals(packet, decoded);
        Properties carried = host.equals("WILL") ? ((Connect) decoded).will().properties()
                : CatalogueDecodeTest.propertiesOf(decoded).get(0);
        assertTrue(carried.contains(property), property + " lost in " + host);
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("propertiesAndHosts")
    void mqtt311LeavesEveryPropertyOut(Property property, String host) {
        if (host.equals("AUTH")) {
            return; // AUTH has no 3.1.1 form; see authDoesNotExistBeforeMqtt5
        }
        Properties properties = withValue(Properties.builder(), property).build();
        ProtocolVersion v311 = ProtocolVersion.MQTT_3_1_1;
        MqttPacket packet = hostWith(host, properties, v311);
        byte[] bytes = MqttEncoder.encode(packet, v311);
        MqttPacket decoded = decode(packet.type(), v311, bytes);
        for (Properties carried : CatalogueDecodeTest.propertiesOf(decoded)) {
            assertSame(Properties.EMPTY, carried, "3.1.1 has no properties");
        }
        assertEquals(hostWith(host, Properties.EMPTY, v311), decoded);
    }

    /** A valid value for each property; AUTH-related ones bring the method they need. */
    static Properties.Builder withValue(Properties.Builder builder, Property property) {
        switch (property) {
            case PAYLOAD_FORMAT_INDICATOR -> builder.put(property, 1);
            case MESSAGE_EXPIRY_INTERVAL -> builder.put(property, 3600L);
            case CONTENT_TYPE -> builder.put(property, "text/plain; charset=utf-8");
            case RESPONSE_TOPIC -> builder.put(property, "re/ply");
            case CORRELATION_DATA -> builder.put(property, new byte[] {1, 2, 3});
            case SUBSCRIPTION_IDENTIFIER -> builder.subscriptionIdentifier(268_435_455);
            case SESSION_EXPIRY_INTERVAL -> builder.put(property, 0xFFFF_FFFFL);
            case ASSIGNED_CLIENT_IDENTIFIER -> builder.put(property, "auto-1");
            case SERVER_KEEP_ALIVE -> builder.put(property, 65535);
            case AUTHENTICATION_METHOD -> builder.put(property, "SCRAM-SHA-1");
            case AUTHENTICATION_DATA -> builder.put(Property.AUTHENTICATION_METHOD, "m").put(property, new byte[] {7});
            case REQUEST_PROBLEM_INFORMATION -> builder.put(property, 0);
            case WILL_DELAY_INTERVAL -> builder.put(property, 30L);
            case REQUEST_RESPONSE_INFORMATION -> builder.put(property, 1);
            case RESPONSE_INFORMATION -> builder.put(property, "info");
            case SERVER_REFERENCE -> builder.put(property, "other.example:1883");
            case REASON_STRING -> builder.put(property, "because");
            case RECEIVE_MAXIMUM -> builder.put(property, 65535);
            case TOPIC_ALIAS_MAXIMUM -> builder.put(property, 65535);
            case TOPIC_ALIAS -> builder.put(property, 65535);
            case MAXIMUM_QOS -> builder.put(property, 0);
            case RETAIN_AVAILABLE -> builder.put(property, 1);
            case USER_PROPERTY -> builder.userProperty("name", "value").userProperty("name", "other");
            case MAXIMUM_PACKET_SIZE -> builder.put(property, 268_435_460L);
            case WILDCARD_SUBSCRIPTION_AVAILABLE -> builder.put(property, 0);
            case SUBSCRIPTION_IDENTIFIER_AVAILABLE -> builder.put(property, 1);
            case SHARED_SUBSCRIPTION_AVAILABLE -> builder.put(property, 0);
        }
        return builder;
    }

    /** A packet of the host type carrying the properties (for "WILL": a CONNECT whose will does). */
    static MqttPacket hostWith(String host, Properties properties, ProtocolVersion version) {
        if (host.equals("WILL")) {
            return new Connect(version, "c", true, 30, null, null,
                    new Will("w/t", PAYLOAD, AT_LEAST_ONCE, false, properties), Properties.EMPTY);
        }
        boolean v5 = version.isV5();
        return switch (PacketType.valueOf(host)) {
            case CONNECT -> new Connect(version, "c", true, 30, null, null, null, properties);
            case CONNACK -> new ConnAck(false, ReasonCode.SUCCESS, properties);
            case PUBLISH -> new Publish("a/b", AT_LEAST_ONCE, false, false, 7, PAYLOAD, properties);
            case PUBACK -> new PubAck(7, ReasonCode.SUCCESS, properties);
            case PUBREC -> new PubRec(7, ReasonCode.SUCCESS, properties);
            case PUBREL -> new PubRel(7, ReasonCode.SUCCESS, properties);
            case PUBCOMP -> new PubComp(7, ReasonCode.SUCCESS, properties);
            case SUBSCRIBE -> new Subscribe(7, List.of(new Subscription("a/+", AT_LEAST_ONCE)), properties);
            case SUBACK -> new SubAck(7, List.of(ReasonCode.GRANTED_QOS_1), properties);
            case UNSUBSCRIBE -> new Unsubscribe(7, List.of("a/+"), properties);
            case UNSUBACK -> new UnsubAck(7, v5 ? List.of(ReasonCode.SUCCESS) : List.of(), properties);
            case DISCONNECT -> new Disconnect(ReasonCode.NORMAL_DISCONNECTION, properties);
            case AUTH -> new Auth(ReasonCode.CONTINUE_AUTHENTICATION, properties.contains(Property.AUTHENTICATION_METHOD)
                    ? properties : properties.with(Property.AUTHENTICATION_METHOD, "m"));
            default -> throw new IllegalArgumentException("no properties in " + host);
        };
    }

    // ------------------------------------------------------------------ what the encoder refuses

    @Test
    void authDoesNotExistBeforeMqtt5() {
        Auth auth = new Auth(ReasonCode.SUCCESS, Properties.EMPTY);
        assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encodedSize(auth, ProtocolVersion.MQTT_3_1_1));
        assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(auth, ProtocolVersion.MQTT_3_1));
    }

    @Test
    void refusesAQos1PublishWithoutPacketId() {
        Publish queued = new Publish("a", AT_LEAST_ONCE, false, false, 0, PAYLOAD, Properties.EMPTY);
        assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(queued, ProtocolVersion.MQTT_5));
        assertEquals(queued.withPacketId(1), decode(PacketType.PUBLISH, ProtocolVersion.MQTT_5,
                MqttEncoder.encode(queued.withPacketId(1), ProtocolVersion.MQTT_5)));
    }

    @Test
    void refusesStringsMqttCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(
                Publish.atMostOnce("a\u0000b", PAYLOAD, false), ProtocolVersion.MQTT_3_1_1));
        assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(
                new Connect(ProtocolVersion.MQTT_5, "bad\uD800", true, 0, null, null, null, Properties.EMPTY),
                ProtocolVersion.MQTT_5));
        String tooLong = "x".repeat(65_536);
        assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encodedSize(
                Publish.atMostOnce(tooLong, PAYLOAD, false), ProtocolVersion.MQTT_5));
        assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(
                new Connect(ProtocolVersion.MQTT_3_1_1, "c", true, 0, "u", new byte[65_536], null, Properties.EMPTY),
                ProtocolVersion.MQTT_3_1_1));
    }

    @Test
    void carriesTheLongestStringsAndBinariesMqttAllows() {
        String longest = "é".repeat(32_767) + "x"; // 65,535 bytes of UTF-8
        byte[] longestBinary = new byte[65_535];
        new Random(1).nextBytes(longestBinary);
        Connect connect = new Connect(ProtocolVersion.MQTT_5, longest, true, 0, longest, longestBinary,
                new Will(longest, longestBinary, AT_MOST_ONCE, false, Properties.EMPTY),
                Properties.builder().put(Property.AUTHENTICATION_METHOD, longest)
                        .put(Property.AUTHENTICATION_DATA, longestBinary).build());
        assertEquals(connect, decode(PacketType.CONNECT, ProtocolVersion.MQTT_5,
                MqttEncoder.encode(connect, ProtocolVersion.MQTT_5)));
    }

    // ------------------------------------------------------------------ buffers

    /** MQTT is big-endian whatever order the transport's buffer is set to. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.corvid.broker.codec.CatalogueDecodeTest#cases")
    void decodesTheSameFromLittleEndianBuffers(Case c) {
        ByteBuffer heap = c.buffer().order(ByteOrder.LITTLE_ENDIAN);
        CatalogueDecodeTest.assertExpected(c, PacketCatalogue.decoderFor(c).decode(heap));
        ByteBuffer direct = ByteBuffer.allocateDirect(c.length()).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(c.bytes()).flip();
        CatalogueDecodeTest.assertExpected(c, PacketCatalogue.decoderFor(c).decode(direct));
    }

    @Test
    void encodesTheSameIntoLittleEndianBuffersAndLeavesTheirOrderAlone() {
        RandomPackets packets = new RandomPackets(new Random(3));
        for (int i = 0; i < 2000; i++) {
            ProtocolVersion version = ProtocolVersion.values()[i % 3];
            MqttPacket packet = i % 10 == 0 ? packets.connect(version)
                    : packets.any(i % 2 == 0 ? Role.SERVER : Role.CLIENT, version);
            byte[] expected = MqttEncoder.encode(packet, version);
            ByteBuffer little = ByteBuffer.allocate(expected.length).order(ByteOrder.LITTLE_ENDIAN);
            MqttEncoder.encode(packet, version, little);
            assertArrayEquals(expected, little.array(), () -> packet.toString());
            assertEquals(ByteOrder.LITTLE_ENDIAN, little.order());
            if (packet instanceof Publish publish) {
                ByteBuffer header = ByteBuffer.allocate(MqttEncoder.publishHeaderSize(publish, version))
                        .order(ByteOrder.LITTLE_ENDIAN);
                MqttEncoder.encodePublishHeader(publish, version, header);
                assertArrayEquals(java.util.Arrays.copyOf(expected, header.capacity()), header.array());
                assertEquals(ByteOrder.LITTLE_ENDIAN, header.order());
            }
        }
    }

    static Stream<Case> lenientCases() {
        return PacketCatalogue.packets().stream().filter(c -> !c.canonical());
    }

    /** Lenient forms decode; what they decode to is encoded in the canonical, shorter form. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lenientCases")
    void lenientFormsReencodeCanonically(Case c) {
        byte[] canonical = MqttEncoder.encode(c.packet(), c.encodingVersion());
        assertTrue(canonical.length < c.length(), "the canonical form should be shorter");
        MqttDecoder decoder = c.version() == null ? MqttDecoder.forServer(1024) : PacketCatalogue.decoderFor(c);
        DecodeResult result = decoder.decode(ByteBuffer.wrap(canonical));
        assertEquals(c.packet(), assertInstanceOf(DecodeResult.Decoded.class, result).packet());
    }

    // ------------------------------------------------------------------ decoder settings

    @Test
    void theMaximumPacketSizeHasAFloorAndACeilingAndAppliesToTheNextPacket() {
        MqttDecoder decoder = MqttDecoder.forClient(ProtocolVersion.MQTT_5, 100);
        assertThrows(IllegalArgumentException.class, () -> decoder.maximumPacketSize(1));
        decoder.maximumPacketSize(Integer.MAX_VALUE);
        assertEquals(MqttDecoder.MAX_PACKET_SIZE_LIMIT, decoder.maximumPacketSize());

        byte[] fourBytes = Hex.parse("40 02 00 01"); // PUBACK
        decoder.maximumPacketSize(3);
        assertEquals(ReasonCode.PACKET_TOO_LARGE,
                assertInstanceOf(DecodeResult.Error.class, decoder.decode(ByteBuffer.wrap(fourBytes))).reasonCode());
        decoder.maximumPacketSize(4);
        assertInstanceOf(DecodeResult.Decoded.class, decoder.decode(ByteBuffer.wrap(fourBytes)));
        assertEquals(Role.CLIENT, decoder.role());
    }

    @Test
    void anEmptyBufferNeedsMoreBytes() {
        ByteBuffer empty = ByteBuffer.allocate(0);
        assertSame(DecodeResult.needMoreBytes(), MqttDecoder.forServer(100).decode(empty));
        assertSame(DecodeResult.needMoreBytes(), PacketCatalogue.decoder(Role.CLIENT, ProtocolVersion.MQTT_5).decode(empty));
    }

    @Test
    void aRefusedConnectLeavesTheVersionUnknownButABadBodyStillTeachesIt() {
        MqttDecoder unsupported = MqttDecoder.forServer(1024);
        unsupported.decode(PacketCatalogue.named("CONNECT MQTT level 6").buffer());
        assertNull(unsupported.protocolVersion(), "no version to answer in for an unsupported level");

        // A 5.0 CONNECT with a bad property: the engine answers with a 5.0 CONNACK, so the
        // decoder must have learned the version even though the packet was refused.
        MqttDecoder badProperty = MqttDecoder.forServer(1024);
        DecodeResult result = badProperty.decode(PacketCatalogue.named("CONNECT 5.0 Receive Maximum 0").buffer());
        assertEquals(ReasonCode.PROTOCOL_ERROR, assertInstanceOf(DecodeResult.Error.class, result).reasonCode());
        assertEquals(ProtocolVersion.MQTT_5, badProperty.protocolVersion());
    }

    @Test
    void errorsNameTheOffendingPacketType() {
        DecodeResult.Error error = assertInstanceOf(DecodeResult.Error.class, PacketCatalogue.decoderFor(
                PacketCatalogue.named("PUBLISH 5.0 Topic Alias 0")).decode(
                PacketCatalogue.named("PUBLISH 5.0 Topic Alias 0").buffer()));
        assertEquals(PacketType.PUBLISH, error.packetType());
        DecodeResult.Error reserved = assertInstanceOf(DecodeResult.Error.class, PacketCatalogue.decoderFor(
                PacketCatalogue.named("reserved packet type 0 on a 5.0 connection")).decode(ByteBuffer.wrap(new byte[2])));
        assertNull(reserved.packetType());
        assertNotEquals("", reserved.message());
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Decodes with a decoder that receives this type: a fresh server for CONNECT, a client for
     * what servers send and for PUBLISH (which may then carry subscription identifiers), a
     * server for the rest (DISCONNECT included: only a client's may carry a session expiry).
     */
    static MqttPacket decode(PacketType type, ProtocolVersion version, byte[] bytes) {
        MqttDecoder decoder = switch (type) {
            case CONNECT -> MqttDecoder.forServer(PacketCatalogue.DEFAULT_MAXIMUM_PACKET_SIZE);
            case CONNACK, SUBACK, UNSUBACK, PINGRESP, PUBLISH -> PacketCatalogue.decoder(Role.CLIENT, version);
            default -> PacketCatalogue.decoder(Role.SERVER, version);
        };
        ByteBuffer in = ByteBuffer.wrap(bytes);
        DecodeResult result = decoder.decode(in);
        MqttPacket packet = assertInstanceOf(DecodeResult.Decoded.class, result,
                () -> "got " + result + " from " + Hex.format(bytes)).packet();
        assertEquals(bytes.length, in.position());
        return packet;
    }
}
