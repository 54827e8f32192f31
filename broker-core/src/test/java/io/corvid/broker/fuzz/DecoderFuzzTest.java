package io.corvid.broker.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.DecoderFeeder;
import io.corvid.broker.codec.DecoderFeeder.Outcome;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttDecoder.Role;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.codec.PacketCatalogue;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of {@link MqttDecoder}. The input's first byte picks the decoder
 * (a server decoder waiting for CONNECT, a server decoder that accepted the CONNECT of one
 * version, or a client decoder of one version), the next two bytes a split point, the rest is
 * the byte stream. Invariants:
 * <ul>
 *   <li>decoding ends in packets, "need more bytes" or a typed error, never in an exception;</li>
 *   <li>the stream fed whole and fed split (at the chosen point, and at every point for short
 *       streams) decodes to the same packets and the same error;</li>
 *   <li>decoding allocates no more than a small multiple of the bytes it was given, whatever a
 *       length field claims (the maximum packet size is bounded at {@value #MAXIMUM_PACKET_SIZE});</li>
 *   <li>every decoded packet re-encodes (MqttEncoder) to bytes that decode to an equal packet.</li>
 * </ul>
 * A plain test run replays the corpus under {@code src/test/resources/io/corvid/broker/fuzz/
 * DecoderFuzzTestInputs/decode/}; see docs/testing.md for fuzzing runs.
 */
class DecoderFuzzTest {

    static final int MAXIMUM_PACKET_SIZE = 64 * 1024;

    /** Streams up to this long are also split at every point; longer ones at the chosen point. */
    private static final int SPLIT_EVERYWHERE_UP_TO = 64;

    /** Allowed allocation per decoded input byte, plus a fixed allowance for bookkeeping. */
    private static final long ALLOCATION_PER_BYTE = 64;
    private static final long ALLOCATION_ALLOWANCE = 256 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The decoder set-ups the first input byte chooses from. */
    private enum Setup {
        SERVER_AWAITING_CONNECT(Role.SERVER, null),
        SERVER_3_1(Role.SERVER, ProtocolVersion.MQTT_3_1),
        SERVER_3_1_1(Role.SERVER, ProtocolVersion.MQTT_3_1_1),
        SERVER_5(Role.SERVER, ProtocolVersion.MQTT_5),
        CLIENT_3_1(Role.CLIENT, ProtocolVersion.MQTT_3_1),
        CLIENT_3_1_1(Role.CLIENT, ProtocolVersion.MQTT_3_1_1),
        CLIENT_5(Role.CLIENT, ProtocolVersion.MQTT_5);

        final Role role;
        final ProtocolVersion version;

        Setup(Role role, ProtocolVersion version) {
            this.role = role;
            this.version = version;
        }

        MqttDecoder decoder() {
            return PacketCatalogue.decoder(role, version, MAXIMUM_PACKET_SIZE);
        }
    }

    @FuzzTest(maxDuration = FuzzBudget.PER_TARGET)
    void decode(byte[] input) {
        if (input.length < 3) {
            return;
        }
        Setup setup = Setup.values()[(input[0] & 0xFF) % Setup.values().length];
        int split = ((input[1] & 0xFF) << 8) | (input[2] & 0xFF);
        byte[] stream = Arrays.copyOfRange(input, 3, input.length);

        Outcome whole = decodeMeasured(setup, stream, new int[0]);
        assertSameOutcome(whole, decodeMeasured(setup, stream, new int[] {split % (stream.length + 1)}), setup, split);
        if (stream.length <= SPLIT_EVERYWHERE_UP_TO) {
            for (int at = 1; at < stream.length; at++) {
                assertSameOutcome(whole, DecoderFeeder.feed(setup.decoder(), stream, new int[] {at}), setup, at);
            }
        }
        ProtocolVersion version = setup.version;
        for (MqttPacket packet : whole.packets()) {
            if (packet instanceof Connect connect) {
                version = connect.protocolVersion();
            }
            assertReencodes(setup.role, version, packet);
        }
    }

    /**
     * Decodes and checks what the decoding allocated on this thread. The first decoding of a
     * kind loads and initialises classes, so an excess is measured a second time before it
     * counts: only an allocation that repeats is the decoder's.
     */
    private static Outcome decodeMeasured(Setup setup, byte[] stream, int[] chunks) {
        long allowed = ALLOCATION_ALLOWANCE + ALLOCATION_PER_BYTE * stream.length;
        long allocated = 0;
        Outcome outcome = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            MqttDecoder decoder = setup.decoder();
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                outcome = DecoderFeeder.feed(decoder, stream, chunks);
            } catch (OutOfMemoryError e) {
                throw new AssertionError(setup + ": decoding " + stream.length + " bytes ran out of memory", e);
            }
            allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            if (before < 0 || allocated <= allowed) {
                return outcome;
            }
        }
        throw new AssertionError(setup + ": decoding " + stream.length + " bytes allocated " + allocated
                + " bytes (allowed " + allowed + "): an unchecked length?");
    }

    private static void assertSameOutcome(Outcome expected, Outcome actual, Setup setup, int split) {
        String where = setup + " split at " + split;
        assertEquals(expected.packets(), actual.packets(), where);
        assertEquals(describe(expected.error()), describe(actual.error()), where);
    }

    private static String describe(DecodeResult.Error error) {
        return error == null ? "no error" : error.reasonCode() + " on " + error.packetType();
    }

    /**
     * Encodes a decoded packet in the decoder's version and decodes it again with a fresh
     * decoder in the same state. A CONNECT carries its own version (the server decoder learns
     * it, and decodes what follows in it), so it is re-decoded by a server decoder awaiting CONNECT.
     */
    private static void assertReencodes(Role role, ProtocolVersion version, MqttPacket packet) {
        byte[] encoded = MqttEncoder.encode(packet, version);
        MqttDecoder decoder = packet instanceof Connect
                ? PacketCatalogue.decoder(Role.SERVER, null, MqttDecoder.MAX_PACKET_SIZE_LIMIT)
                : PacketCatalogue.decoder(role, version, MqttDecoder.MAX_PACKET_SIZE_LIMIT);
        DecodeResult again = decoder.decode(ByteBuffer.wrap(encoded));
        if (!(again instanceof DecodeResult.Decoded decoded)) {
            throw new AssertionError(version + " " + role + ": " + packet + " re-encoded to bytes that decode to " + again);
        }
        assertEquals(packet, decoded.packet(), version + " " + role + ": re-encoded packet differs");
    }
}
