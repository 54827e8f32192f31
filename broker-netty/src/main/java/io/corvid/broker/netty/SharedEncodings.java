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
 * subscribers costs one encoding and no copy per subscriber.
 *
 * <p>Recent packets are kept per thread in {@value #SLOTS} slots chosen by identity hash (a
 * packet may take any of {@value #WAYS} from its hash's), up to
 * {@value #MAX_CACHED_BYTES} bytes; an evicted encoding is released, and what is cached is
 * released when the thread ends. Why that many: a session sends its queue in runs of up to 256
 * deliveries, so when the next subscriber on the thread writes a message, up to 255 others have
 * been written since; with 8 slots nearly every subscriber encoded its own copy (measured on
 * fan-out 1 to 100, QoS 0: allocating those copies took a tenth of the broker's CPU).
 */
final class SharedEncodings {
    /** Packets larger than this are not kept whole; their payload is still shared by {@link SharedPayloads}. */
    static final int MAX_SHARED_SIZE = 64 * 1024;
    static final int SLOTS = 1024;
    /** A packet may sit in any of this many slots from its hash's: fewer evictions by collision. */
    private static final int WAYS = 4;
    /** Bytes kept per thread at most: a packet that does not fit is encoded for its caller only. */
    static final int MAX_CACHED_BYTES = 1 << 20;

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
    private int cachedBytes;
    private int victim;

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
        int hash = System.identityHashCode(publish);
        int first = (hash ^ (hash >>> 16) ^ version.ordinal()) & (SLOTS - 1);
        int free = -1;
        for (int way = 0; way < WAYS; way++) {
            int slot = (first + way) & (SLOTS - 1);
            if (publishes[slot] == publish && versions[slot] == version) {
                return encodings[slot].retainedDuplicate();
            }
            if (free < 0 && encodings[slot] == null) {
                free = slot;
            }
        }
        int slot = free >= 0 ? free : (first + victim++ % WAYS) & (SLOTS - 1);
        ByteBuf encoded = allocator.directBuffer(size, size);
        try {
            MqttEncoder.encode(publish, version, encoded.nioBuffer(0, size));
            encoded.writerIndex(size);
        } catch (RuntimeException e) {
            encoded.release();
            throw e;
        }
        evict(slot);
        if (cachedBytes + size > MAX_CACHED_BYTES) {
            return encoded;
        }
        publishes[slot] = publish;
        versions[slot] = version;
        encodings[slot] = encoded;
        cachedBytes += size;
        return encoded.retainedDuplicate();
    }

    private void evict(int slot) {
        ByteBuf evicted = encodings[slot];
        if (evicted != null) {
            cachedBytes -= evicted.readableBytes();
            evicted.release();
            encodings[slot] = null;
            publishes[slot] = null;
            versions[slot] = null;
        }
    }

    private void releaseAll() {
        for (int i = 0; i < SLOTS; i++) {
            evict(i);
        }
    }
}
