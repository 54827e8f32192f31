package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.codec.DecoderFeeder;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.transport.Connection;
import io.corvid.broker.transport.TransportInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link MqttChannelHandler} as the engine's {@link Connection}, in an embedded channel. */
class MqttChannelHandlerTest {
    private static final ProtocolVersion V5 = ProtocolVersion.MQTT_5;

    private final BlockingQueue<RecordingHandler> accepted = new LinkedBlockingQueue<>();
    private EmbeddedChannel channel;
    private RecordingHandler handler;
    private Connection connection;

    @BeforeEach
    void open() {
        channel = new EmbeddedChannel(new MqttFrameDecoder(1024 * 1024),
                new MqttChannelHandler(RecordingHandler.acceptorInto(accepted), TransportInfo.plain("embedded")));
        handler = accepted.poll();
        connection = handler.connection;
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    private byte[] written() {
        List<ByteBuf> buffers = new ArrayList<>();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            buffers.add(buf);
        }
        int size = buffers.stream().mapToInt(ByteBuf::readableBytes).sum();
        byte[] bytes = new byte[size];
        int offset = 0;
        for (ByteBuf b : buffers) {
            int n = b.readableBytes();
            b.readBytes(bytes, offset, n);
            offset += n;
            b.release();
        }
        return bytes;
    }

    private static List<MqttPacket> decodeAsClient(byte[] bytes, ProtocolVersion version) {
        DecoderFeeder.Outcome outcome = DecoderFeeder.decodeAvailable(
                MqttDecoder.forClient(version, MqttDecoder.MAX_PACKET_SIZE_LIMIT), ByteBuffer.wrap(bytes));
        assertNull(outcome.error());
        return outcome.packets();
    }

    @Test
    void acceptsOnceWhenActiveAndKnowsItsListener() {
        assertTrue(accepted.isEmpty(), "one accept per connection");
        assertEquals("embedded", connection.transportInfo().listenerName());
        assertFalse(connection.transportInfo().secure());
        assertSame(channel.eventLoop(), connection.executor());
        assertEquals(channel.remoteAddress(), connection.remoteAddress());
    }

    @Test
    void passesPacketsThenTheDecodeErrorWithTheVersion() throws InterruptedException {
        byte[] connect = MqttEncoder.encode(new Connect(V5, "x", true, 0, null, null, null, Properties.EMPTY), V5);
        byte[] ping = {(byte) 0xC0, 0};
        byte[] qos3 = {0x36, 0x06, 0x00, 0x03, 'a', '/', 'b', 0};
        channel.writeInbound(Unpooled.wrappedBuffer(DecoderFeeder.concat(connect, ping, qos3, ping)));
        assertInstanceOf(Connect.class, handler.next().value());
        assertSame(PingReq.INSTANCE, handler.next().value());
        RecordingHandler.Event error = handler.next();
        assertEquals("error", error.kind());
        DecodeFailure failure = (DecodeFailure) error.value();
        assertEquals(ReasonCode.MALFORMED_PACKET, failure.error().reasonCode());
        assertEquals(V5, failure.version());
        assertTrue(handler.events.isEmpty(), "nothing after the error: " + handler.events);
    }

    @Test
    void writesNothingBeforeFlushThenExactlyTheEncodedBytes() {
        connection.write(new ConnAck(false, ReasonCode.SUCCESS, Properties.EMPTY), ProtocolVersion.MQTT_3_1_1);
        connection.write(PingResp.INSTANCE, ProtocolVersion.MQTT_3_1_1);
        assertNull(channel.readOutbound(), "nothing reaches the network before flush");
        connection.flush();
        assertEquals(List.of(new ConnAck(false, ReasonCode.SUCCESS, Properties.EMPTY), PingResp.INSTANCE),
                decodeAsClient(written(), ProtocolVersion.MQTT_3_1_1));
    }

    @ParameterizedTest(name = "{0}, {1}-byte payload")
    @CsvSource({"MQTT_5, 0", "MQTT_5, 1023", "MQTT_5, 1024", "MQTT_3_1_1, 4096", "MQTT_3_1, 200000"})
    void writesPublishesWholeAndSharesLargePayloads(ProtocolVersion version, int size) {
        byte[] payload = new byte[size];
        new Random(size).nextBytes(payload);
        Properties properties = version.isV5()
                ? Properties.builder().put(Property.CONTENT_TYPE, "application/octet-stream").build()
                : Properties.EMPTY;
        Publish publish = new Publish("fan/out", QoS.AT_LEAST_ONCE, true, false, 77, payload, properties);
        connection.write(publish, version);
        connection.flush();
        if (size >= PacketWriter.WRAP_PAYLOAD_FROM) {
            ByteBuf header = channel.readOutbound();
            ByteBuf body = channel.readOutbound();
            assertEquals(MqttEncoder.publishHeaderSize(publish, version), header.readableBytes());
            assertTrue(body.isDirect(), "the payload goes out from direct memory");
            byte[] bytes = DecoderFeeder.concat(bytesOf(header), bytesOf(body));
            header.release();

            // The same payload array again (another subscriber): the same direct copy is sent.
            connection.write(publish.withPacketId(78), version);
            connection.flush();
            ByteBuf secondHeader = channel.readOutbound();
            ByteBuf secondBody = channel.readOutbound();
            assertEquals(body.memoryAddress(), secondBody.memoryAddress(), "one direct copy per payload and thread");
            secondHeader.release();
            secondBody.release();
            body.release();
            assertEquals(List.of(publish), decodeAsClient(bytes, version));
        } else {
            assertEquals(List.of(publish), decodeAsClient(written(), version));
        }
    }

    @Test
    void aQos0PublishSharedBySubscribersIsEncodedOnceAndItsBytesShared() {
        Publish shared = Publish.atMostOnce("fan/out", new byte[] {1, 2, 3}, false);
        connection.write(shared, V5);
        connection.write(shared, V5);
        connection.write(shared, ProtocolVersion.MQTT_3_1_1);
        connection.flush();
        ByteBuf first = channel.readOutbound();
        ByteBuf second = channel.readOutbound();
        ByteBuf otherVersion = channel.readOutbound();
        assertEquals(first.memoryAddress(), second.memoryAddress(), "one encoding per packet, version and thread");
        assertTrue(first.memoryAddress() != otherVersion.memoryAddress(), "each wire form is encoded on its own");
        assertEquals(List.of(shared), decodeAsClient(bytesOf(first), V5));
        assertEquals(List.of(shared), decodeAsClient(bytesOf(second), V5));
        assertEquals(List.of(shared), decodeAsClient(bytesOf(otherVersion), ProtocolVersion.MQTT_3_1_1));
        first.release();
        second.release();
        otherVersion.release();
    }

    @Test
    void closeWritesWhatIsQueuedThenReportsOnClosedOnce() {
        connection.write(new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN), V5);
        connection.close();
        connection.close();
        assertFalse(channel.isOpen());
        assertEquals(List.of(new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN)), decodeAsClient(written(), V5));
        assertEquals(1, handler.closedCount.get());
        assertNull(handler.closeCause);
        connection.write(PingResp.INSTANCE, V5); // dropped quietly
        connection.flush();
        assertNull(channel.readOutbound());
        channel.close();
        assertEquals(1, handler.closedCount.get());
        assertEquals(0, handler.callsAfterClose.get());
    }

    @Test
    void readsNothingMoreOnceClosing() {
        connection.close();
        connection.setReadEnabled(true);
        assertFalse(channel.config().isAutoRead());
    }

    @Test
    void anEngineFailureClosesTheConnectionWithTheCause() {
        IllegalStateException bug = new IllegalStateException("engine bug");
        handler.onPacket = packet -> {
            throw bug;
        };
        byte[] connect = MqttEncoder.encode(new Connect(V5, "x", true, 0, null, null, null, Properties.EMPTY), V5);
        channel.writeInbound(Unpooled.wrappedBuffer(connect));
        assertFalse(channel.isOpen());
        assertEquals(1, handler.closedCount.get());
        assertSame(bug, handler.closeCause);
    }

    @Test
    void reportsWritabilityChanges() throws InterruptedException {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(16, 32));
        assertTrue(connection.isWritable());
        connection.write(Publish.atMostOnce("t", new byte[100], false), V5);
        assertFalse(connection.isWritable());
        assertEquals(new RecordingHandler.Event("writable", false), handler.next());
        connection.flush();
        assertTrue(connection.isWritable());
        assertEquals(new RecordingHandler.Event("writable", true), handler.next());
        written();
    }

    @Test
    void togglesReading() {
        connection.setReadEnabled(false);
        assertFalse(channel.config().isAutoRead());
        connection.setReadEnabled(true);
        assertTrue(channel.config().isAutoRead());
    }

    @Test
    void schedulesOnTheEventLoopAndCancels() {
        AtomicInteger ran = new AtomicInteger();
        channel.freezeTime();
        connection.schedule(ran::incrementAndGet, 5, TimeUnit.SECONDS);
        Connection.Cancellable cancelled = connection.schedule(() -> ran.addAndGet(100), 5, TimeUnit.SECONDS);
        cancelled.cancel();
        channel.advanceTimeBy(4, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(0, ran.get());
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(1, ran.get());
    }

    /** A buffer's readable bytes, without moving its reader index. */
    private static byte[] bytesOf(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        return bytes;
    }
}
