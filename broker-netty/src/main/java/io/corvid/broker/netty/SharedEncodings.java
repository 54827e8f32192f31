package io.corvid.broker.netty;

import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Encodes a QoS 0 PUBLISH once per wire form and I/O thread. The engine hands every QoS 0
 * subscriber of a message the same PUBLISH instance (no packet identifier, nothing per
 * subscriber), so the first write on a thread encodes it into direct memory and later writes of
 * that instance in that version send duplicates of those bytes: a fan-out to a hundred
 * subscribers costs one encoding and no copy per subscriber. A few recent packets are kept per
 * thread; an evicted encoding is released, and what is cached is released when the thread ends.
 */
final class SharedEncodings {
    /** Packets larger than this are not kept whole; their payload is still shared by {@link SharedPayloads}. */
    static final int MAX_SHARED_SIZE = 64 * 1024;
    private static final int SLOTS = 8;

    private static final FastThreadLocal<SharedEncodings> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected SharedEncodings initialValue() {
            return new SharedEncodings();
        }

        @Override
        protected void onRemoval(SharedEncodings cache) {
            cache.releaseAll();
        }
    };

    private final Publish[] publishes = new Publish[SLOTS];
    private final ProtocolVersion[] versions = new ProtocolVersion[SLOTS];
    private final ByteBuf[] encodings = new ByteBuf[SLOTS];
    private int next;

    private SharedEncodings() {
    }

    /**
     * The encoded packet, which the caller owns (writes and thereby releases). Call it on an I/O
     * thread, for a QoS 0 PUBLISH of at most {@link #MAX_SHARED_SIZE} bytes.
     */
    static ByteBuf of(ByteBufAllocator allocator, Publish publish, ProtocolVersion version, int size) {
        return PER_THREAD.get().lookup(allocator, publish, version, size);
    }

    private ByteBuf lookup(ByteBufAllocator allocator, Publish publish, ProtocolVersion version, int size) {
        for (int i = 0; i < SLOTS; i++) {
            if (publishes[i] == publish && versions[i] == version) {
                return encodings[i].retainedDuplicate();
            }
        }
        ByteBuf encoded = allocator.directBuffer(size, size);
        try {
            MqttEncoder.encode(publish, version, encoded.nioBuffer(0, size));
            encoded.writerIndex(size);
        } catch (RuntimeException e) {
            encoded.release();
            throw e;
        }
        if (encodings[next] != null) {
            encodings[next].release();
        }
        publishes[next] = publish;
        versions[next] = version;
        encodings[next] = encoded;
        next = (next + 1) % SLOTS;
        return encoded.retainedDuplicate();
    }

    private void releaseAll() {
        for (int i = 0; i < SLOTS; i++) {
            if (encodings[i] != null) {
                encodings[i].release();
                encodings[i] = null;
                publishes[i] = null;
            }
        }
    }
}
