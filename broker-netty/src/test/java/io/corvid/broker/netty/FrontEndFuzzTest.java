package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.corvid.broker.Listener;
import io.corvid.broker.packet.MqttPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Coverage-guided fuzzing of the transport's front ends (part of issue #16): arbitrary bytes
 * into the real pipeline that {@link MqttChannelInitializer} builds, on an
 * {@link EmbeddedChannel}, with a {@link RecordingHandler} where the engine would be.
 *
 * <p>Input: the first byte picks the listener (bit 0: PROXY protocol, bit 1: WebSocket on
 * {@code /mqtt}; neither is plain TCP); then come the peer's reads, each a length byte {@code n}
 * and {@code n + 1} bytes. Separate reads let a seed wait for the WebSocket upgrade before its
 * first frame, as RFC 6455 (4.1) asks of clients; the fuzzer is free to merge and cut them.
 *
 * <p>Invariants: no exception leaves the pipeline unhandled ({@link EmbeddedChannel} rethrows
 * what reaches its tail); once the channel is closed, the engine's handler has been told so
 * exactly once and nothing after it; no read buffer is left unreleased; every packet that
 * reaches the handler comes before any close. It sits in the transport's package because the
 * pipeline pieces are package-private. Corpus:
 * {@code src/test/resources/io/corvid/broker/netty/FrontEndFuzzTestInputs/bytesFromThePeer/}.
 */
class FrontEndFuzzTest {

    private static final int MAXIMUM_PACKET_SIZE = 16 * 1024;

    /** The fuzzing time of a {@code JAZZER_FUZZ=1} run (the fuzz-front-ends execution of mvn verify). */
    @FuzzTest(maxDuration = "3s")
    void bytesFromThePeer(byte[] input) {
        if (input.length < 1) {
            return;
        }
        boolean proxy = (input[0] & 1) != 0;
        boolean webSocket = (input[0] & 2) != 0;
        Listener listener = (webSocket ? Listener.webSocket("127.0.0.1", 0, "/mqtt") : Listener.tcp("127.0.0.1", 0))
                .withProxyProtocol(proxy);
        BlockingQueue<RecordingHandler> accepted = new LinkedBlockingQueue<>();
        Set<Channel> open = ConcurrentHashMap.newKeySet();
        MqttChannelInitializer initializer = new MqttChannelInitializer(RecordingHandler.acceptorInto(accepted),
                listener, MAXIMUM_PACKET_SIZE, null,
                new ConnectionLimits(Integer.MAX_VALUE).forListener("fuzz", Integer.MAX_VALUE), open);
        EmbeddedChannel channel = new EmbeddedChannel(initializer);
        List<ByteBuf> reads = new ArrayList<>();
        try {
            for (int at = 1; at + 1 < input.length && channel.isOpen(); ) {
                int length = Math.min((input[at++] & 0xFF) + 1, input.length - at);
                ByteBuf read = Unpooled.copiedBuffer(input, at, length);
                at += length;
                reads.add(read);
                channel.writeInbound(read);
                channel.runPendingTasks();
            }
            channel.checkException();
        } catch (Throwable t) {
            throw new AssertionError("an exception left the pipeline unhandled", t);
        }
        channel.finishAndReleaseAll();
        for (ByteBuf read : reads) {
            assertEquals(0, read.refCnt(), "a read buffer was not released");
        }
        RecordingHandler handler = accepted.poll();
        assertTrue(handler != null, "the engine was not told of the connection");
        assertEquals(1, handler.closedCount.get(), "onClosed calls once the channel is closed");
        assertEquals(0, handler.callsAfterClose.get(), "calls after onClosed");
        List<RecordingHandler.Event> events = new ArrayList<>(handler.events);
        RecordingHandler.Event last = events.get(events.size() - 1);
        assertEquals("closed", last.kind(), "onClosed is the last call");
        for (RecordingHandler.Event event : events) {
            if (event.kind().equals("packet")) {
                assertTrue(event.value() instanceof MqttPacket, event::toString);
            }
        }
        assertTrue(open.isEmpty(), "the closed channel is still counted as open");
    }
}
