package io.corvid.broker.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * One direct-memory copy per large payload per I/O thread. A message fanned out to many
 * subscribers shares one payload array; sockets need direct memory, so without this cache
 * every subscriber's write would copy the array into direct memory again. Here the first write
 * on a thread copies it, and later writes of the same array (by identity) send duplicates of
 * that copy. A few recent payloads are kept per thread; an evicted copy is released, and
 * whatever is cached is released when the thread ends.
 */
final class SharedPayloads {
    private static final int SLOTS = 16;

    private static final FastThreadLocal<SharedPayloads> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected SharedPayloads initialValue() {
            return new SharedPayloads();
        }

        @Override
        protected void onRemoval(SharedPayloads cache) {
            cache.releaseAll();
        }
    };

    private final byte[][] payloads = new byte[SLOTS][];
    private final ByteBuf[] copies = new ByteBuf[SLOTS];
    private int next;

    private SharedPayloads() {
    }

    /**
     * A readable buffer holding {@code payload}, which the caller owns (writes and thereby
     * releases). Call it on an I/O thread; the payload must never change (the engine's never do).
     */
    static ByteBuf of(ByteBufAllocator allocator, byte[] payload) {
        return PER_THREAD.get().lookup(allocator, payload);
    }

    private ByteBuf lookup(ByteBufAllocator allocator, byte[] payload) {
        for (int i = 0; i < SLOTS; i++) {
            if (payloads[i] == payload) {
                return copies[i].retainedDuplicate();
            }
        }
        ByteBuf copy = allocator.directBuffer(payload.length, payload.length).writeBytes(payload);
        if (copies[next] != null) {
            copies[next].release();
        }
        payloads[next] = payload;
        copies[next] = copy;
        next = (next + 1) % SLOTS;
        return copy.retainedDuplicate();
    }

    private void releaseAll() {
        for (int i = 0; i < SLOTS; i++) {
            if (copies[i] != null) {
                copies[i].release();
                copies[i] = null;
                payloads[i] = null;
            }
        }
    }
}
