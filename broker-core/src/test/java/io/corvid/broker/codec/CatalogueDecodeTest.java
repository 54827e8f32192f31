package io.corvid.broker.codec;

import static io.corvid.broker.codec.DecoderFeeder.concat;
import static io.corvid.broker.codec.MqttDecoder.Role.CLIENT;
import static io.corvid.broker.codec.MqttDecoder.Role.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.corvid.broker.codec.DecoderFeeder.Outcome;
import io.corvid.broker.codec.MqttDecoder.Role;
import io.corvid.broker.codec.PacketCatalogue.Case;
import io.corvid.broker.packet.Auth;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.PublishFlowPacket;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every {@link PacketCatalogue} case through the decoder: whole, from every kind of
 * buffer, one byte at a time, and packed with other packets in one buffer. Also checks that
 * the catalogue keeps covering what it claims to cover.
 */
class CatalogueDecodeTest {

    static List<Case> cases() {
        return PacketCatalogue.CASES;
    }

    static List<Case> packetCases() {
        return PacketCatalogue.packets();
    }

    static List<Case> errorCases() {
        return PacketCatalogue.errors();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesWhole(Case c) {
        MqttDecoder decoder = PacketCatalogue.decoderFor(c);
        ByteBuffer in = c.buffer();
        DecodeResult result = decoder.decode(in);
        assertExpected(c, result);
        if (!c.isError()) {
            assertEquals(c.length(), in.position(), "the position must move past the whole packet");
            if (c.packet() instanceof Connect connect) {
                assertEquals(connect.protocolVersion(), decoder.protocolVersion(), "CONNECT sets the version");
            }
        }
    }

    /** Heap, direct, read-only, sliced and offset buffers take different paths in the reader. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesTheSameFromEveryKindOfBuffer(Case c) {
        byte[] bytes = c.bytes();

        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes).flip();
        assertExpected(c, PacketCatalogue.decoderFor(c).decode(direct));

        assertExpected(c, PacketCatalogue.decoderFor(c).decode(ByteBuffer.wrap(bytes).asReadOnlyBuffer()));

        // Junk on both sides, so that an offset mistake reads junk instead of the packet.
        byte[] framed = new byte[bytes.length + 20];
        Arrays.fill(framed, (byte) 0xEE);
        System.arraycopy(bytes, 0, framed, 7, bytes.length);
        ByteBuffer offset = ByteBuffer.wrap(framed, 7, bytes.length);
        DecodeResult fromOffset = PacketCatalogue.decoderFor(c).decode(offset);
        assertExpected(c, fromOffset);
        if (!c.isError()) {
            assertEquals(7 + bytes.length, offset.position());
        }

        ByteBuffer slice = ByteBuffer.wrap(framed, 7, bytes.length).slice();
        assertExpected(c, PacketCatalogue.decoderFor(c).decode(slice));
    }

    /**
     * A transport may hand over any prefix of a packet. Every proper prefix of a good packet
     * must ask for more bytes without moving the position; a bad packet may be refused as
     * soon as the bytes that break the rules are in, but never decoded.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesOneByteAtATime(Case c) {
        byte[] bytes = c.bytes();
        MqttDecoder decoder = PacketCatalogue.decoderFor(c);
        for (int available = 1; available <= bytes.length; available++) {
            ByteBuffer in = ByteBuffer.wrap(bytes, 0, available);
            DecodeResult result = decoder.decode(in);
            if (result instanceof DecodeResult.NeedMoreBytes) {
                assertEquals(0, in.position(), "NeedMoreBytes must not move the position");
                continue;
            }
            if (!c.isError()) {
                assertEquals(bytes.length, available, "a good packet decoded from a prefix: " + result);
            }
            assertExpected(c, result);
            return;
        }
        fail("still asking for more bytes after all " + bytes.length + " bytes");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesOneByteAtATimeThroughACompactingBuffer(Case c) {
        Outcome outcome = DecoderFeeder.feedByteByByte(PacketCatalogue.decoderFor(c), c.bytes());
        if (c.isError()) {
            assertTrue(outcome.packets().isEmpty(), "decoded " + outcome.packets());
            assertNotNull(outcome.error(), "no error reported");
            assertEquals(c.error(), outcome.error().reasonCode(), outcome.error().message());
        } else {
            assertNull(outcome.error());
            assertEquals(List.of(c.packet()), outcome.packets());
        }
    }

    /** A good packet followed by more packets in one buffer: each comes out in turn. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("packetCases")
    void decodesPackedSeveralToABuffer(Case c) {
        Role role = c.role();
        // A second CONNECT would be refused, so a CONNECT is followed by keep-alives only.
        boolean repeatable = c.version() != null;
        byte[] second = repeatable ? c.bytes() : PacketCatalogue.keepAliveFor(role);
        MqttPacket secondPacket = repeatable ? c.packet() : PacketCatalogue.keepAlivePacketFor(role);
        byte[] stream = concat(c.bytes(), second, PacketCatalogue.keepAliveFor(role));
        List<MqttPacket> expected = List.of(c.packet(), secondPacket, PacketCatalogue.keepAlivePacketFor(role));

        ByteBuffer in = ByteBuffer.wrap(stream);
        Outcome whole = DecoderFeeder.decodeAvailable(PacketCatalogue.decoderFor(c), in);
        assertNull(whole.error());
        assertEquals(expected, whole.packets());
        assertEquals(stream.length, in.position());

        Outcome byteByByte = DecoderFeeder.feedByteByByte(PacketCatalogue.decoderFor(c), stream);
        assertNull(byteByByte.error());
        assertEquals(expected, byteByByte.packets());
    }

    /** An error case packed after a good packet: the good packet first, then the error. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("errorCases")
    void reportsTheErrorAfterAGoodPacketInTheSameBuffer(Case c) {
        byte[] keepAlive = PacketCatalogue.keepAliveFor(c.role());
        // Before CONNECT no good packet but CONNECT exists, and it would change the state the
        // case needs; there the error case comes first and other bytes follow it.
        boolean connected = c.version() != null;
        byte[] stream = connected ? concat(keepAlive, c.bytes(), keepAlive) : concat(c.bytes(), keepAlive);
        List<MqttPacket> expectedBefore = connected
                ? List.of(PacketCatalogue.keepAlivePacketFor(c.role())) : List.of();

        for (Outcome outcome : List.of(
                DecoderFeeder.decodeAvailable(PacketCatalogue.decoderFor(c), ByteBuffer.wrap(stream)),
                DecoderFeeder.feedByteByByte(PacketCatalogue.decoderFor(c), stream))) {
            assertEquals(expectedBefore, outcome.packets());
            assertNotNull(outcome.error(), "the error was not reported");
            assertEquals(c.error(), outcome.error().reasonCode(), outcome.error().message());
        }
    }

    static Stream<Arguments> connections() {
        List<Arguments> connections = new ArrayList<>();
        for (Role role : Role.values()) {
            for (ProtocolVersion version : ProtocolVersion.values()) {
                connections.add(Arguments.of(role, version));
            }
        }
        return connections.stream();
    }

    /**
     * Every good case of one kind of connection, as one stream cut into random chunks, the way
     * TCP delivers it. Seeded, so a failure can be replayed.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("connections")
    void decodesAllGoodCasesOfAConnectionAsOneStreamInRandomChunks(Role role, ProtocolVersion version) {
        List<Case> selected = PacketCatalogue.packets().stream()
                .filter(c -> c.role() == role && c.version() == version
                        && c.maximumPacketSize() == PacketCatalogue.DEFAULT_MAXIMUM_PACKET_SIZE)
                .toList();
        assertTrue(selected.size() >= 3, "too few cases for " + role + " " + version + ": " + selected);
        byte[] stream = concat(selected.stream().map(Case::bytes).toArray(byte[][]::new));
        List<MqttPacket> expected = selected.stream().map(Case::packet).toList();
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            Outcome outcome = DecoderFeeder.feedRandomly(
                    PacketCatalogue.decoder(role, version), stream, random, 1 + random.nextInt(300));
            assertNull(outcome.error(), "seed " + seed);
            assertEquals(expected, outcome.packets(), "seed " + seed);
        }
    }

    // ------------------------------------------------------------------ what the catalogue covers

    @Test
    void holdsAtLeast150NamedCases() {
        assertTrue(PacketCatalogue.CASES.size() >= 150, "only " + PacketCatalogue.CASES.size() + " cases");
        assertTrue(PacketCatalogue.packets().size() >= 60);
        assertTrue(PacketCatalogue.errors().size() >= 90);
    }

    @Test
    void hasAGoodCaseForEveryPacketTypeInEveryVersion() {
        for (ProtocolVersion version : ProtocolVersion.values()) {
            Set<PacketType> types = EnumSet.noneOf(PacketType.class);
            for (Case c : PacketCatalogue.packets()) {
                if (c.encodingVersion() == version) {
                    types.add(c.packet().type());
                }
            }
            Set<PacketType> expected = EnumSet.allOf(PacketType.class);
            if (!version.isV5()) {
                expected.remove(PacketType.AUTH);
            }
            assertEquals(expected, types, "packet types with a good case in " + version);
        }
    }

    @Test
    void hasAnErrorCaseForEveryPacketType() {
        Set<PacketType> types = EnumSet.noneOf(PacketType.class);
        for (Case c : PacketCatalogue.errors()) {
            PacketType type = PacketType.fromValue((c.bytes()[0] & 0xFF) >>> 4);
            if (type != null) {
                types.add(type);
            }
        }
        assertEquals(EnumSet.allOf(PacketType.class), types);
    }

    @Test
    void carriesEveryPropertyInAGoodCase() {
        Set<Property> seen = EnumSet.noneOf(Property.class);
        for (Case c : PacketCatalogue.packets()) {
            for (Properties properties : propertiesOf(c.packet())) {
                for (Property property : Property.values()) {
                    if (properties.contains(property)) {
                        seen.add(property);
                    }
                }
            }
        }
        assertEquals(EnumSet.allOf(Property.class), seen);
    }

    @Test
    void expectsEveryReasonCodeTheDecoderCanReport() {
        Set<ReasonCode> seen = EnumSet.noneOf(ReasonCode.class);
        PacketCatalogue.errors().forEach(c -> seen.add(c.error()));
        assertEquals(EnumSet.of(ReasonCode.MALFORMED_PACKET, ReasonCode.PROTOCOL_ERROR, ReasonCode.PACKET_TOO_LARGE,
                ReasonCode.TOPIC_NAME_INVALID, ReasonCode.TOPIC_ALIAS_INVALID,
                ReasonCode.UNSUPPORTED_PROTOCOL_VERSION), seen);
    }

    @Test
    void namesCasesUniquelyAndFindsThemByName() {
        for (Case c : PacketCatalogue.CASES) {
            assertEquals(c, PacketCatalogue.named(c.name()));
        }
    }

    @Test
    void buildsServerDecodersThatHaveSeenConnectAndClientDecodersOfTheVersion() {
        for (ProtocolVersion version : ProtocolVersion.values()) {
            assertEquals(version, PacketCatalogue.decoder(SERVER, version).protocolVersion());
            assertEquals(version, PacketCatalogue.decoder(CLIENT, version).protocolVersion());
            assertEquals(PacketCatalogue.connectPacketFor(version), decodeOne(
                    MqttDecoder.forServer(1024), PacketCatalogue.connectFor(version)));
        }
        assertNull(PacketCatalogue.decoder(SERVER, null).protocolVersion());
    }

    // ------------------------------------------------------------------ helpers

    static void assertExpected(Case c, DecodeResult result) {
        if (c.isError()) {
            DecodeResult.Error error = assertInstanceOf(DecodeResult.Error.class, result,
                    "expected " + c.error() + " for " + Hex.format(c.bytes()));
            assertEquals(c.error(), error.reasonCode(), "wrong reason; decoder said: " + error.message());
            assertNotNull(error.message());
        } else {
            DecodeResult.Decoded decoded = assertInstanceOf(DecodeResult.Decoded.class, result,
                    "expected " + c.packet() + " from " + Hex.format(c.bytes()));
            assertEquals(c.packet(), decoded.packet());
        }
    }

    static MqttPacket decodeOne(MqttDecoder decoder, byte[] bytes) {
        DecodeResult result = decoder.decode(ByteBuffer.wrap(bytes));
        return assertInstanceOf(DecodeResult.Decoded.class, result, () -> "got " + result).packet();
    }

    /** The property lists a packet carries: its own and, for CONNECT, the will's. */
    static List<Properties> propertiesOf(MqttPacket packet) {
        List<Properties> lists = new ArrayList<>();
        // Java 17: no pattern matching in switch yet.
        if (packet instanceof Connect p) {
            lists.add(p.properties());
            if (p.will() != null) {
                lists.add(p.will().properties());
            }
        } else if (packet instanceof ConnAck p) {
            lists.add(p.properties());
        } else if (packet instanceof Publish p) {
            lists.add(p.properties());
        } else if (packet instanceof PublishFlowPacket p) {
            lists.add(p.properties());
        } else if (packet instanceof Subscribe p) {
            lists.add(p.properties());
        } else if (packet instanceof SubAck p) {
            lists.add(p.properties());
        } else if (packet instanceof Unsubscribe p) {
            lists.add(p.properties());
        } else if (packet instanceof UnsubAck p) {
            lists.add(p.properties());
        } else if (packet instanceof Disconnect p) {
            lists.add(p.properties());
        } else if (packet instanceof Auth p) {
            lists.add(p.properties());
        }
        return lists;
    }
}
