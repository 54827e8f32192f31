package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.corvid.broker.codec.DecoderFeeder;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.codec.PacketCatalogue;
import io.corvid.broker.codec.PacketCatalogue.Case;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link MqttFrameDecoder} in an embedded channel: fragmentation, batching, errors, and the shared catalogue. */
class MqttFrameDecoderTest {
    private static final int MAX = 1024 * 1024;
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;

    private static byte[] connect(ProtocolVersion version) {
        return MqttEncoder.encode(new Connect(version, "c", true, 30, null, null, null, Properties.EMPTY), version);
    }

    private static byte[] publish(ProtocolVersion version, int size) {
        byte[] payload = new byte[size];
        new Random(size).nextBytes(payload);
        return MqttEncoder.encode(new Publish("a/b", QoS.AT_LEAST_ONCE, false, false, 9, payload, Properties.EMPTY),
                version);
    }

    private static List<Object> drain(EmbeddedChannel channel) {
        List<Object> out = new ArrayList<>();
        Object message;
        while ((message = channel.readInbound()) != null) {
            out.add(message);
        }
        return out;
    }

    private static List<Object> feed(EmbeddedChannel channel, byte[] bytes, int chunk) {
        List<Object> out = new ArrayList<>();
        for (int offset = 0; offset < bytes.length; offset += chunk) {
            channel.writeInbound(Unpooled.copiedBuffer(bytes, offset, Math.min(chunk, bytes.length - offset)));
            out.addAll(drain(channel));
        }
        return out;
    }

    @Test
    void decodesPacketsArrivingOneByteAtATime() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttFrameDecoder(MAX));
        byte[] bytes = DecoderFeeder.concat(connect(V311), publish(V311, 300));
        List<Object> out = feed(channel, bytes, 1);
        assertEquals(2, out.size(), out::toString);
        assertInstanceOf(Connect.class, out.get(0));
        assertEquals(300, assertInstanceOf(Publish.class, out.get(1)).payload().length);
        channel.finishAndReleaseAll();
    }

    @Test
    void decodesEveryPacketOfOneRead() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttFrameDecoder(MAX));
        byte[] ping = {(byte) 0xC0, 0};
        byte[] bytes = DecoderFeeder.concat(connect(ProtocolVersion.MQTT_5), publish(ProtocolVersion.MQTT_5, 10),
                ping, publish(ProtocolVersion.MQTT_5, 70_000), ping);
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        List<Object> out = drain(channel);
        assertEquals(5, out.size(), out::toString);
        assertInstanceOf(Connect.class, out.get(0));
        assertInstanceOf(PingReq.class, out.get(2));
        assertEquals(70_000, assertInstanceOf(Publish.class, out.get(3)).payload().length);
        channel.finishAndReleaseAll();
    }

    @Test
    void decodesAcrossReadsThatSplitSeveralPackets() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttFrameDecoder(MAX));
        List<byte[]> parts = new ArrayList<>();
        parts.add(connect(ProtocolVersion.MQTT_5));
        for (int i = 0; i < 50; i++) {
            parts.add(publish(ProtocolVersion.MQTT_5, i * 97));
        }
        byte[] bytes = DecoderFeeder.concat(parts.toArray(byte[][]::new));
        List<Object> out = new ArrayList<>();
        Random random = new Random(7);
        for (int offset = 0; offset < bytes.length; ) {
            int chunk = Math.min(1 + random.nextInt(600), bytes.length - offset);
            channel.writeInbound(Unpooled.copiedBuffer(bytes, offset, chunk));
            out.addAll(drain(channel));
            offset += chunk;
        }
        assertEquals(51, out.size());
        for (int i = 0; i < 50; i++) {
            assertEquals(i * 97, ((Publish) out.get(i + 1)).payload().length);
        }
        channel.finishAndReleaseAll();
    }

    @Test
    void reportsTheFirstErrorOnceAndDiscardsEverythingAfterIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttFrameDecoder(MAX));
        byte[] qos3 = {0x36, 0x05, 0x00, 0x03, 'a', '/', 'b'};
        byte[] ping = {(byte) 0xC0, 0};
        channel.writeInbound(Unpooled.wrappedBuffer(DecoderFeeder.concat(connect(V311), ping, qos3, ping)));
        List<Object> out = drain(channel);
        assertEquals(3, out.size(), out::toString);
        DecodeFailure failure = assertInstanceOf(DecodeFailure.class, out.get(2));
        assertEquals(ReasonCode.MALFORMED_PACKET, failure.error().reasonCode());
        assertEquals(V311, failure.version());

        ByteBuf later = Unpooled.wrappedBuffer(DecoderFeeder.concat(ping, ping));
        channel.writeInbound(later);
        assertNull(channel.readInbound(), "nothing is decoded after an error");
        assertEquals(0, later.refCnt(), "discarded input is released");
        channel.finishAndReleaseAll();
    }

    @Test
    void refusesAHugeRemainingLengthWithoutWaitingForTheBody() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttFrameDecoder(MAX));
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}));
        DecodeFailure failure = assertInstanceOf(DecodeFailure.class, channel.readInbound());
        assertEquals(ReasonCode.PACKET_TOO_LARGE, failure.error().reasonCode());
        assertNull(failure.version(), "no CONNECT was decoded");
        channel.finishAndReleaseAll();
    }

    @Test
    void reportsTheVersionOfABadV5Connect() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttFrameDecoder(MAX));
        // A 5.0 CONNECT whose reserved connect flag is set.
        byte[] bad = connect(ProtocolVersion.MQTT_5);
        bad[9] |= 0x01;
        channel.writeInbound(Unpooled.wrappedBuffer(bad));
        DecodeFailure failure = assertInstanceOf(DecodeFailure.class, channel.readInbound());
        assertEquals(ReasonCode.MALFORMED_PACKET, failure.error().reasonCode());
        assertEquals(ProtocolVersion.MQTT_5, failure.version());
        channel.finishAndReleaseAll();
    }

    static Stream<Case> serverCases() {
        return PacketCatalogue.CASES.stream()
                .filter(c -> c.role() == MqttDecoder.Role.SERVER)
                // The channel's decoder has one limit from the start, so it must admit the CONNECT.
                .filter(c -> c.maximumPacketSize() >= 64);
    }

    /** Every server-side catalogue case, after its CONNECT and followed by a PINGREQ, in random chunks. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("serverCases")
    void decodesTheCatalogueLikeTheCoreDecoder(Case c) {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttFrameDecoder(c.maximumPacketSize()));
        byte[] prefix = c.version() == null ? new byte[0] : PacketCatalogue.connectFor(c.version());
        byte[] bytes = DecoderFeeder.concat(prefix, c.bytes(), PacketCatalogue.keepAliveFor(MqttDecoder.Role.SERVER));
        List<Object> out = new ArrayList<>();
        Random random = new Random(c.name().hashCode());
        for (int offset = 0; offset < bytes.length; ) {
            int chunk = Math.min(1 + random.nextInt(8), bytes.length - offset);
            channel.writeInbound(Unpooled.copiedBuffer(bytes, offset, chunk));
            out.addAll(drain(channel));
            offset += chunk;
        }
        List<Object> expected = new ArrayList<>();
        if (c.version() != null) {
            expected.add(PacketCatalogue.connectPacketFor(c.version()));
        }
        if (c.isError()) {
            assertEquals(expected.size() + 1, out.size(), () -> "decoded " + out);
            assertEquals(expected, out.subList(0, expected.size()));
            DecodeFailure failure = assertInstanceOf(DecodeFailure.class, out.get(expected.size()));
            assertEquals(c.error(), failure.error().reasonCode(), failure.error().message());
        } else {
            expected.add(c.packet());
            expected.add(PacketCatalogue.keepAlivePacketFor(MqttDecoder.Role.SERVER));
            assertEquals(expected, out);
            for (Object packet : out) {
                assertInstanceOf(MqttPacket.class, packet);
            }
        }
        channel.finishAndReleaseAll();
    }
}
