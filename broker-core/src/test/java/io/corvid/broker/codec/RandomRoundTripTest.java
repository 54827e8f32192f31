package io.corvid.broker.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.corvid.broker.codec.DecoderFeeder.Outcome;
import io.corvid.broker.codec.MqttDecoder.Role;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property test: thousands of random valid packets of every type, in MQTT 3.1, 3.1.1 and 5.0,
 * in both directions, must decode to exactly what was encoded, and the encoder must write
 * exactly {@link MqttEncoder#encodedSize} bytes. The seed is fixed so that a failure names an
 * iteration that can be replayed.
 */
class RandomRoundTripTest {

    private static final long SEED = 20_240_611L;
    private static final int PACKETS_PER_CONNECTION = 3000;
    private static final int CONNECTS_PER_VERSION = 2000;
    private static final int BATCHES_PER_CONNECTION = 300;

    static Stream<Arguments> connections() {
        List<Arguments> connections = new ArrayList<>();
        for (Role role : Role.values()) {
            for (ProtocolVersion version : ProtocolVersion.values()) {
                connections.add(Arguments.of(role, version));
            }
        }
        return connections.stream();
    }

    private static Random random(Object... context) {
        return new Random(SEED * 31 + List.of(context).hashCode());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("connections")
    void randomPacketsDecodeToWhatWasEncoded(Role role, ProtocolVersion version) {
        RandomPackets packets = new RandomPackets(random(role.name(), version.name()));
        MqttDecoder decoder = PacketCatalogue.decoder(role, version);
        for (int i = 0; i < PACKETS_PER_CONNECTION; i++) {
            MqttPacket packet = packets.any(role, version);
            int iteration = i;
            byte[] bytes = encodeAndCheckSize(packet, version, "iteration " + i);
            ByteBuffer in = ByteBuffer.wrap(bytes);
            DecodeResult result = decoder.decode(in);
            DecodeResult.Decoded decoded = assertInstanceOf(DecodeResult.Decoded.class, result,
                    () -> "iteration " + iteration + ": " + packet + " encoded as " + Hex.format(bytes));
            assertEquals(packet, decoded.packet(), () -> "iteration " + iteration + ": " + Hex.format(bytes));
            assertEquals(bytes.length, in.position());
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void randomConnectsDecodeToWhatWasEncoded(ProtocolVersion version) {
        RandomPackets packets = new RandomPackets(random("CONNECT", version.name()));
        for (int i = 0; i < CONNECTS_PER_VERSION; i++) {
            Connect connect = packets.connect(version);
            byte[] bytes = encodeAndCheckSize(connect, version, "iteration " + i);
            MqttDecoder decoder = MqttDecoder.forServer(PacketCatalogue.DEFAULT_MAXIMUM_PACKET_SIZE);
            DecodeResult result = decoder.decode(ByteBuffer.wrap(bytes));
            int iteration = i;
            DecodeResult.Decoded decoded = assertInstanceOf(DecodeResult.Decoded.class, result,
                    () -> "iteration " + iteration + ": " + connect + " encoded as " + Hex.format(bytes));
            assertEquals(connect, decoded.packet(), "iteration " + i);
            assertEquals(version, decoder.protocolVersion());
        }
    }

    /** Several packets back to back, cut at random points, as TCP delivers them. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("connections")
    void randomBatchesDecodeFromRandomlyCutStreams(Role role, ProtocolVersion version) {
        Random random = random("batch", role.name(), version.name());
        RandomPackets packets = new RandomPackets(random);
        for (int batch = 0; batch < BATCHES_PER_CONNECTION; batch++) {
            List<MqttPacket> sent = new ArrayList<>();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            MqttDecoder decoder;
            if (role == Role.SERVER && random.nextInt(4) == 0) {
                // Start at the very beginning of a connection now and then.
                Connect connect = packets.connect(version);
                sent.add(connect);
                stream.writeBytes(MqttEncoder.encode(connect, version));
                decoder = MqttDecoder.forServer(PacketCatalogue.DEFAULT_MAXIMUM_PACKET_SIZE);
            } else {
                decoder = PacketCatalogue.decoder(role, version);
            }
            int count = 1 + random.nextInt(8);
            for (int i = 0; i < count; i++) {
                MqttPacket packet = packets.any(role, version);
                sent.add(packet);
                stream.writeBytes(MqttEncoder.encode(packet, version));
            }
            int maxChunk = random.nextBoolean() ? 1 + random.nextInt(8) : 1 + random.nextInt(2000);
            Outcome outcome = DecoderFeeder.feedRandomly(decoder, stream.toByteArray(), random, maxChunk);
            assertNull(outcome.error(), "batch " + batch);
            assertEquals(sent, outcome.packets(), "batch " + batch);
        }
    }

    /** The generator must really produce every type, or the tests above prove less than they claim. */
    @Test
    void generatesEveryPacketType() {
        RandomPackets packets = new RandomPackets(random("coverage"));
        Set<PacketType> seen = EnumSet.noneOf(PacketType.class);
        seen.add(packets.connect(ProtocolVersion.MQTT_5).type());
        for (int i = 0; i < 500; i++) {
            seen.add(packets.any(Role.SERVER, ProtocolVersion.MQTT_5).type());
            seen.add(packets.any(Role.CLIENT, ProtocolVersion.MQTT_5).type());
        }
        assertEquals(EnumSet.allOf(PacketType.class), seen);
    }

    /**
     * Encodes three ways (new array, heap buffer at an offset, direct buffer) and checks each
     * writes exactly {@code encodedSize} bytes and the same bytes.
     */
    static byte[] encodeAndCheckSize(MqttPacket packet, ProtocolVersion version, String context) {
        int size = MqttEncoder.encodedSize(packet, version);
        byte[] bytes = MqttEncoder.encode(packet, version);
        assertEquals(size, bytes.length, context + ": encodedSize disagrees with encode for " + packet);

        ByteBuffer heap = ByteBuffer.allocate(size + 16);
        heap.position(5);
        MqttEncoder.encode(packet, version, heap);
        assertEquals(5 + size, heap.position(), context + ": bytes written into a buffer");
        byte[] fromHeap = new byte[size];
        heap.get(5, fromHeap);
        assertArrayEquals(bytes, fromHeap, context);

        ByteBuffer direct = ByteBuffer.allocateDirect(size);
        MqttEncoder.encode(packet, version, direct);
        assertEquals(size, direct.position(), context + ": bytes written into a direct buffer");
        byte[] fromDirect = new byte[size];
        direct.get(0, fromDirect);
        assertArrayEquals(bytes, fromDirect, context);

        if (packet instanceof Publish publish) {
            int headerSize = MqttEncoder.publishHeaderSize(publish, version);
            assertEquals(size - publish.payload().length, headerSize, context);
            ByteBuffer header = ByteBuffer.allocate(headerSize);
            MqttEncoder.encodePublishHeader(publish, version, header);
            assertEquals(headerSize, header.position(), context + ": publish header bytes written");
            assertArrayEquals(bytes, DecoderFeeder.concat(header.array(), publish.payload()), context);
        }
        return bytes;
    }
}
