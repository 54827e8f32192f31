package io.corvid.broker.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.corvid.broker.codec.DecoderFeeder.Outcome;
import io.corvid.broker.codec.MqttDecoder.Role;
import io.corvid.broker.codec.PacketCatalogue.Case;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input must never hurt the decoder: random bytes and mutated valid packets give a packet,
 * "need more bytes" or a typed error with one of the reasons the decoder reports, never another
 * exception; and the decoder never allocates from a length it has not checked against the
 * maximum packet size. Allocation is measured per thread with
 * {@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()}.
 */
class GarbageInputTest {

    private static final long SEED = 0xBADC0DEL;
    /** The maximum packet size of the decoders fed garbage. */
    private static final int LIMIT = 4096;
    private static final int RANDOM_INPUTS = 4000;
    private static final int MUTATIONS_PER_SEED = 12;

    /**
     * What decoding one packet of at most {@link #LIMIT} bytes may allocate: the payload copy,
     * decoded strings (up to two bytes per char, plus the JDK's decoding buffer), the error
     * message, and small objects. Anything sized by an unchecked length would blow far past it.
     */
    private static final long ALLOCATION_BOUND = 8L * LIMIT + 64 * 1024;

    private static final Set<ReasonCode> DECODER_REASONS = EnumSet.of(ReasonCode.MALFORMED_PACKET,
            ReasonCode.PROTOCOL_ERROR, ReasonCode.PACKET_TOO_LARGE, ReasonCode.TOPIC_NAME_INVALID,
            ReasonCode.TOPIC_ALIAS_INVALID, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION);

    private static com.sun.management.ThreadMXBean threads;

    @BeforeAll
    static void allocationCounting() {
        threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported(), "no per-thread allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    /** Every decoder state: a server before and after CONNECT of each version, a client of each version. */
    static Stream<Arguments> decoders() {
        List<Arguments> decoders = new ArrayList<>();
        decoders.add(Arguments.of(Role.SERVER, null));
        for (ProtocolVersion version : ProtocolVersion.values()) {
            decoders.add(Arguments.of(Role.SERVER, version));
            decoders.add(Arguments.of(Role.CLIENT, version));
        }
        return decoders.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("decoders")
    void randomBytesGiveOnlyPacketsNeedMoreBytesOrTypedErrors(Role role, ProtocolVersion version) {
        Random random = new Random(SEED + 17L * role.ordinal() + (version == null ? 0 : version.ordinal() + 1));
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < RANDOM_INPUTS; i++) {
            inputs.add(garbage(random));
        }
        checkAll(role, version, inputs, random);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("decoders")
    void mutatedValidPacketsGiveOnlyPacketsNeedMoreBytesOrTypedErrors(Role role, ProtocolVersion version) {
        Random random = new Random(SEED * 7 + 17L * role.ordinal() + (version == null ? 0 : version.ordinal() + 1));
        List<byte[]> originals = new ArrayList<>();
        for (Case c : PacketCatalogue.CASES) {
            if (c.role() == role && c.version() == version && c.length() <= 2 * LIMIT) {
                originals.add(c.bytes());
            }
        }
        RandomPackets packets = new RandomPackets(random);
        for (int i = 0; i < 200; i++) {
            if (version == null) {
                ProtocolVersion any = ProtocolVersion.values()[random.nextInt(3)];
                originals.add(MqttEncoder.encode(packets.connect(any), any));
            } else {
                originals.add(MqttEncoder.encode(packets.any(role, version), version));
            }
        }
        List<byte[]> inputs = new ArrayList<>();
        for (byte[] original : originals) {
            for (int m = 0; m < MUTATIONS_PER_SEED; m++) {
                inputs.add(mutate(original, random));
            }
        }
        checkAll(role, version, inputs, random);
    }

    /**
     * Decodes each input whole and in random chunks and checks: no exception, only known
     * reasons, the same outcome however the bytes are cut, every decoded packet survives
     * re-encoding, and (on a second, warmed-up pass) every decode call stays within the
     * allocation bound.
     */
    private void checkAll(Role role, ProtocolVersion version, List<byte[]> inputs, Random random) {
        int withPackets = 0;
        int withErrors = 0;
        for (byte[] input : inputs) {
            Outcome whole = decodeSafely(PacketCatalogue.decoder(role, version, LIMIT), input, null);
            Outcome chunked = decodeSafely(PacketCatalogue.decoder(role, version, LIMIT), input, random);
            assertEquals(whole.packets(), chunked.packets(), () -> "cut differently: " + Hex.format(input));
            assertEquals(reason(whole), reason(chunked), () -> "cut differently: " + Hex.format(input));
            if (whole.error() != null) {
                assertTrue(DECODER_REASONS.contains(whole.error().reasonCode()), () -> whole.error().toString());
                assertNotNull(whole.error().message());
            }
            checkReencoding(role, version, whole.packets(), input);
            withPackets += whole.packets().isEmpty() ? 0 : 1;
            withErrors += whole.error() == null ? 0 : 1;
        }
        // Guard the generators: inputs that never reach a body parser, or never fail, test little.
        assertTrue(withErrors > inputs.size() / 4, withErrors + " of " + inputs.size() + " inputs failed");
        if (version != null) {
            assertTrue(withPackets > inputs.size() / 200, withPackets + " of " + inputs.size() + " inputs decoded");
        }
        // Second pass: the code paths are warm now, so class loading and call-site linking
        // do not count as allocation by the decoder.
        for (byte[] input : inputs) {
            MqttDecoder decoder = PacketCatalogue.decoder(role, version, LIMIT);
            ByteBuffer in = ByteBuffer.wrap(input);
            while (true) {
                long before = threads.getCurrentThreadAllocatedBytes();
                DecodeResult result = decoder.decode(in);
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated <= ALLOCATION_BOUND,
                        () -> allocated + " bytes allocated decoding " + Hex.format(input));
                if (!(result instanceof DecodeResult.Decoded)) {
                    break;
                }
            }
        }
    }

    private static ReasonCode reason(Outcome outcome) {
        return outcome.error() == null ? null : outcome.error().reasonCode();
    }

    /** Whole ({@code random == null}) or in random chunks; any exception fails with the input. */
    private static Outcome decodeSafely(MqttDecoder decoder, byte[] input, Random random) {
        try {
            return random == null
                    ? DecoderFeeder.decodeAvailable(decoder, ByteBuffer.wrap(input))
                    : DecoderFeeder.feedRandomly(decoder, input, random, 1 + random.nextInt(16));
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("the decoder threw on " + Hex.format(input), t);
        }
    }

    /** What the decoder accepted the encoder must write back, and decoding that must agree. */
    private static void checkReencoding(Role role, ProtocolVersion version, List<MqttPacket> packets, byte[] input) {
        ProtocolVersion current = version;
        for (MqttPacket packet : packets) {
            ProtocolVersion encodeIn = packet instanceof Connect connect ? connect.protocolVersion() : current;
            byte[] again;
            try {
                again = MqttEncoder.encode(packet, encodeIn);
            } catch (RuntimeException e) {
                throw new AssertionError("cannot re-encode " + packet + " decoded from " + Hex.format(input), e);
            }
            MqttDecoder fresh = packet instanceof Connect
                    ? MqttDecoder.forServer(LIMIT * 2) : PacketCatalogue.decoder(role, current, LIMIT * 2);
            DecodeResult result = fresh.decode(ByteBuffer.wrap(again));
            DecodeResult.Decoded decoded = assertInstanceOf(DecodeResult.Decoded.class, result,
                    () -> packet + " re-encoded as " + Hex.format(again) + " does not decode: " + result);
            assertEquals(packet, decoded.packet());
            current = encodeIn;
        }
    }

    // ------------------------------------------------------------------ allocation before checks

    @Test
    void aOneMebibyteClaimAgainstA64KibLimitAllocatesFarLessThanTheClaim() {
        MqttDecoder decoder = PacketCatalogue.decoder(Role.SERVER, ProtocolVersion.MQTT_5, 64 * 1024);
        byte[] header = Hex.parse("30 80 80 40"); // PUBLISH, remaining length 1,048,576
        long allocated = worstAllocation(() -> decoder.decode(ByteBuffer.wrap(header)), result -> {
            DecodeResult.Error error = assertInstanceOf(DecodeResult.Error.class, result);
            assertEquals(ReasonCode.PACKET_TOO_LARGE, error.reasonCode());
        });
        assertTrue(allocated < 8 * 1024, allocated + " bytes allocated to refuse a 1 MiB claim");
    }

    @Test
    void aFullClaimOverTheLimitIsRefusedEvenWhenTheBodyFollows() {
        // The same claim with a good part of the body present: still refused from the header,
        // not buffered or parsed.
        byte[] bytes = new byte[4 + 200_000];
        System.arraycopy(Hex.parse("30 80 80 40"), 0, bytes, 0, 4);
        MqttDecoder decoder = PacketCatalogue.decoder(Role.CLIENT, ProtocolVersion.MQTT_3_1_1, 64 * 1024);
        long allocated = worstAllocation(() -> decoder.decode(ByteBuffer.wrap(bytes)), result ->
                assertEquals(ReasonCode.PACKET_TOO_LARGE, assertInstanceOf(DecodeResult.Error.class, result).reasonCode()));
        assertTrue(allocated < 8 * 1024, allocated + " bytes allocated");
    }

    @Test
    void anIncompletePacketWithinTheLimitAllocatesNothingForItsBody() {
        byte[] bytes = new byte[1000];
        System.arraycopy(Hex.parse("30 E0 D4 03 00 03 61 2F 62"), 0, bytes, 0, 9); // claims 60,000
        MqttDecoder decoder = PacketCatalogue.decoder(Role.SERVER, ProtocolVersion.MQTT_3_1_1, 64 * 1024);
        long allocated = worstAllocation(() -> decoder.decode(ByteBuffer.wrap(bytes)),
                result -> assertSame(DecodeResult.needMoreBytes(), result));
        assertTrue(allocated < 1024, allocated + " bytes allocated while waiting for the body");
    }

    @Test
    void everyRemainingLengthClaimIsRefusedOrAwaitedWithoutAllocatingIt() {
        Random random = new Random(SEED);
        for (int limit : new int[] {64 * 1024, MqttDecoder.MAX_PACKET_SIZE_LIMIT}) {
            for (int i = 0; i < 300; i++) {
                int claim = i == 0 ? VariableByteInteger.MAX_VALUE : random.nextInt(VariableByteInteger.MAX_VALUE + 1);
                ByteBuffer header = ByteBuffer.allocate(5);
                header.put((byte) 0x30);
                VariableByteInteger.write(header, claim);
                header.flip();
                byte[] bytes = new byte[header.remaining() + Math.min(claim, 64)];
                header.get(bytes, 0, header.limit());
                MqttDecoder decoder = PacketCatalogue.decoder(Role.SERVER, ProtocolVersion.MQTT_5, limit);
                boolean fits = 1L + VariableByteInteger.size(claim) + claim <= limit;
                long allocated = worstAllocation(() -> decoder.decode(ByteBuffer.wrap(bytes)), result -> {
                    if (fits && claim > 64) {
                        assertSame(DecodeResult.needMoreBytes(), result, "claim " + claim);
                    } else if (!fits) {
                        assertEquals(ReasonCode.PACKET_TOO_LARGE,
                                assertInstanceOf(DecodeResult.Error.class, result).reasonCode(), "claim " + claim);
                    }
                });
                assertTrue(allocated < 8 * 1024, allocated + " bytes allocated for a claim of " + claim);
            }
        }
    }

    /** Lengths inside a packet that run past its end are refused before anything is read into an array. */
    @Test
    void innerLengthsThatOverrunThePacketAllocateNothingOfTheirSize() {
        String[] packets = {
            "10 0E 00 04 \"MQTT\" 04 02 00 3C FF FF \"ab\"",          // client id of 65,535 bytes
            "10 11 00 04 \"MQTT\" 04 06 00 3C 00 00 00 01 \"t\" FF FF", // will payload of 65,535 bytes
            "30 0A 00 03 \"a/b\" 04 09 FF FF 01",                      // correlation data of 65,535 bytes
            "30 0A 00 03 \"a/b\" FF FF FF 7F 01",                      // property length 268,435,455
            "30 05 FF FF \"a/b\"",                                     // topic of 65,535 bytes
        };
        for (String hex : packets) {
            byte[] bytes = Hex.parse(hex);
            Role role = bytes[0] == 0x10 ? Role.SERVER : Role.CLIENT;
            ProtocolVersion version = bytes[0] == 0x10 ? null : ProtocolVersion.MQTT_5;
            long allocated = worstAllocation(
                    () -> PacketCatalogue.decoder(role, version, 64 * 1024).decode(ByteBuffer.wrap(bytes)),
                    result -> assertEquals(ReasonCode.MALFORMED_PACKET,
                            assertInstanceOf(DecodeResult.Error.class, result, hex).reasonCode(), hex),
                    () -> PacketCatalogue.decoder(role, version, 64 * 1024));
            assertTrue(allocated < 16 * 1024, allocated + " bytes allocated for " + hex);
        }
    }

    /** Runs the action warm, then reports the most it allocated in ten measured runs. */
    private static long worstAllocation(Supplier<DecodeResult> action, java.util.function.Consumer<DecodeResult> check) {
        return worstAllocation(action, check, () -> null);
    }

    /**
     * Like {@link #worstAllocation(Supplier, java.util.function.Consumer)}, subtracting what
     * {@code baseline} (the setup part of {@code action}) allocates on its own.
     */
    private static long worstAllocation(Supplier<DecodeResult> action, java.util.function.Consumer<DecodeResult> check,
                                        Supplier<Object> baseline) {
        for (int i = 0; i < 20; i++) {
            check.accept(action.get());
            baseline.get();
        }
        long worst = 0;
        for (int i = 0; i < 10; i++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            baseline.get();
            long setup = threads.getCurrentThreadAllocatedBytes() - before;
            before = threads.getCurrentThreadAllocatedBytes();
            DecodeResult result = action.get();
            long allocated = threads.getCurrentThreadAllocatedBytes() - before - setup;
            check.accept(result);
            worst = Math.max(worst, allocated);
        }
        return worst;
    }

    // ------------------------------------------------------------------ generators

    /** Random bytes, often shaped like a packet so that the body parsers are reached too. */
    private static byte[] garbage(Random random) {
        int kind = random.nextInt(10);
        if (kind < 3) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            return bytes;
        }
        PacketType type = PacketType.values()[random.nextInt(PacketType.values().length)];
        int flags = type.fixedFlags() >= 0 && random.nextInt(8) != 0 ? type.fixedFlags() : random.nextInt(16);
        byte[] body = kind < 6 ? randomBytes(random, random.nextInt(64)) : structuredBody(random);
        ByteBuffer packet = ByteBuffer.allocate(5 + body.length);
        packet.put((byte) (type.value() << 4 | flags));
        VariableByteInteger.write(packet, body.length);
        packet.put(body);
        return Arrays.copyOf(packet.array(), packet.position());
    }

    /** Plausible pieces: length-prefixed strings, property identifiers with values, varints. */
    private static byte[] structuredBody(Random random) {
        ByteBuffer body = ByteBuffer.allocate(512);
        int pieces = random.nextInt(8);
        for (int i = 0; i < pieces && body.remaining() > 80; i++) {
            switch (random.nextInt(6)) {
                case 0 -> { // a string, with a length that may lie
                    int length = random.nextInt(12);
                    body.putShort((short) (random.nextInt(4) == 0 ? random.nextInt(65536) : length));
                    body.put(randomBytes(random, length));
                }
                case 1 -> body.putShort((short) random.nextInt(3)); // packet id 0, 1 or 2
                case 2 -> VariableByteInteger.write(body, random.nextInt(300)); // a property length
                case 3 -> { // a property identifier and a few bytes of value
                    body.put((byte) random.nextInt(0x2C));
                    body.put(randomBytes(random, random.nextInt(6)));
                }
                case 4 -> body.put(new byte[] {0, 4, 'M', 'Q', 'T', 'T', (byte) (3 + random.nextInt(3))});
                default -> body.put((byte) random.nextInt(256));
            }
        }
        return Arrays.copyOf(body.array(), body.position());
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** One to three random edits of a valid packet. */
    private static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && bytes.length > 0; e++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(8)) {
                case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes[at] = (byte) new int[] {0x00, 0x01, 0x7F, 0x80, 0xFF}[random.nextInt(5)];
                case 2 -> bytes[at] = (byte) random.nextInt(256);
                case 3 -> { // insert a byte
                    byte[] longer = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                    bytes = longer;
                }
                case 4 -> { // delete a byte
                    byte[] shorter = new byte[bytes.length - 1];
                    System.arraycopy(bytes, 0, shorter, 0, at);
                    System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
                    bytes = shorter;
                }
                case 5 -> bytes = Arrays.copyOf(bytes, at); // truncate
                case 6 -> { // nudge the remaining length, so that the body is read with the wrong bounds
                    if (bytes.length > 1) {
                        bytes[1] = (byte) (bytes[1] + (random.nextBoolean() ? 1 : -1));
                    }
                }
                default -> { // the same packet twice, the second one damaged by later edits
                    bytes = DecoderFeeder.concat(bytes, bytes);
                }
            }
        }
        return bytes;
    }
}
