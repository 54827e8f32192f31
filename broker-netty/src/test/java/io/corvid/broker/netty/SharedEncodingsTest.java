package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedEncodingsTest {

    /** Counts the direct buffers it hands out: one per encoding. */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        int allocated;

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            allocated++;
            return Unpooled.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    private static Publish publish(int i, int payloadSize) {
        return new Publish("t/" + i, QoS.AT_MOST_ONCE, false, false, 0, new byte[payloadSize], Properties.EMPTY);
    }

    private static ByteBuf encode(CountingAllocator allocator, Publish publish, ProtocolVersion version) {
        return SharedEncodings.of(allocator, publish, version, MqttEncoder.encodedSize(publish, version));
    }

    private static byte[] expected(Publish publish, ProtocolVersion version) {
        ByteBuffer buffer = ByteBuffer.allocate(MqttEncoder.encodedSize(publish, version));
        MqttEncoder.encode(publish, version, buffer);
        return buffer.array();
    }

    /** Runs {@code test} on a thread of its own: the cache is per thread and released when the thread ends. */
    private static void onItsOwnThread(Runnable test) throws InterruptedException {
        List<Throwable> failures = new ArrayList<>();
        Thread thread = new io.netty.util.concurrent.FastThreadLocalThread(() -> {
            try {
                test.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        thread.start();
        thread.join();
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.get(0));
        }
    }

    @Test
    void aMessageIsEncodedOncePerVersionEvenWhenManyOthersWereWrittenSince() throws Exception {
        onItsOwnThread(() -> {
            CountingAllocator allocator = new CountingAllocator();
            List<Publish> batch = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                batch.add(publish(i, 64));
            }
            for (int subscriber = 0; subscriber < 3; subscriber++) {
                for (Publish publish : batch) {
                    ByteBuf encoded = encode(allocator, publish, ProtocolVersion.MQTT_3_1_1);
                    assertEquals(new String(expected(publish, ProtocolVersion.MQTT_3_1_1), StandardCharsets.ISO_8859_1),
                            new String(ByteBufUtil.getBytes(encoded), StandardCharsets.ISO_8859_1));
                    encoded.release();
                }
            }
            // Slots are chosen by hash: now and then more than four messages crowd one place
            // (about 258 encodings on average, 275 the most in 20,000 simulated runs).
            int encodings = allocator.allocated;
            org.junit.jupiter.api.Assertions.assertTrue(encodings <= 256 + 48,
                    "256 messages written to 3 subscribers took " + encodings + " encodings");
            ByteBuf v5 = encode(allocator, batch.get(0), ProtocolVersion.MQTT_5);
            assertEquals(encodings + 1, allocator.allocated, "another version is another encoding");
            v5.release();
        });
    }

    @Test
    void whatExceedsTheByteBoundIsEncodedButNotKept() throws Exception {
        onItsOwnThread(() -> {
            CountingAllocator allocator = new CountingAllocator();
            int size = 60 * 1024;
            List<Publish> large = new ArrayList<>();
            for (int i = 0; i < SharedEncodings.MAX_CACHED_BYTES / size + 4; i++) {
                large.add(publish(i, size));
            }
            for (int round = 0; round < 2; round++) {
                for (Publish publish : large) {
                    ByteBuf encoded = encode(allocator, publish, ProtocolVersion.MQTT_3_1_1);
                    assertEquals(MqttEncoder.encodedSize(publish, ProtocolVersion.MQTT_3_1_1), encoded.readableBytes());
                    encoded.release();
                }
            }
            org.junit.jupiter.api.Assertions.assertTrue(allocator.allocated > large.size(),
                    "beyond the byte bound packets are encoded again: " + allocator.allocated);
        });
    }
}
