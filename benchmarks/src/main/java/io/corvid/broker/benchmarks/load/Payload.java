package io.corvid.broker.benchmarks.load;

import io.netty.buffer.ByteBuf;

/**
 * The first {@value #HEADER_SIZE} bytes of every payload the generator sends, so that the
 * receiving end can tell which publisher sent a message, whether it counts for the measured
 * period, its place in that publisher's sequence (for loss and duplicates) and when it was
 * meant to be sent (for latency). The rest of the payload is zeros.
 *
 * <pre>
 * bytes 0-3   publisher index; bit 31 set when sent during the measured period
 * bytes 4-7   sequence number, 0, 1, 2 ... per publisher
 * bytes 8-15  send time, System.nanoTime() of the generator (the intended time at a fixed rate)
 * </pre>
 *
 * <p>Big-endian, like the rest of MQTT. Publishers and subscribers run in one JVM, so the
 * nanoTime clock is shared.
 */
public final class Payload {
    /** The smallest payload the generator can send. */
    public static final int HEADER_SIZE = 16;

    private static final int MEASURED_BIT = 0x8000_0000;

    private Payload() {
    }

    /** Writes the header at the buffer's writer index. */
    public static void write(ByteBuf out, int publisher, int sequence, long sendNanos, boolean measured) {
        out.writeInt(publisher | (measured ? MEASURED_BIT : 0));
        out.writeInt(sequence);
        out.writeLong(sendNanos);
    }

    /** A whole payload of {@code size} bytes: the header, then zeros. */
    public static byte[] create(int size, int publisher, int sequence, long sendNanos, boolean measured) {
        if (size < HEADER_SIZE) {
            throw new IllegalArgumentException("payload must be at least " + HEADER_SIZE + " bytes: " + size);
        }
        byte[] bytes = new byte[size];
        putInt(bytes, 0, publisher | (measured ? MEASURED_BIT : 0));
        putInt(bytes, 4, sequence);
        putInt(bytes, 8, (int) (sendNanos >>> 32));
        putInt(bytes, 12, (int) sendNanos);
        return bytes;
    }

    /** Whether the payload is long enough to carry a header. */
    public static boolean hasHeader(byte[] payload) {
        return payload.length >= HEADER_SIZE;
    }

    /** The publisher index. */
    public static int publisher(byte[] payload) {
        return getInt(payload, 0) & ~MEASURED_BIT;
    }

    /** Whether the message was sent during the measured period. */
    public static boolean measured(byte[] payload) {
        return (getInt(payload, 0) & MEASURED_BIT) != 0;
    }

    /** The publisher's sequence number. */
    public static int sequence(byte[] payload) {
        return getInt(payload, 4);
    }

    /** The (intended) send time in System.nanoTime() terms. */
    public static long sendNanos(byte[] payload) {
        return ((long) getInt(payload, 8) << 32) | (getInt(payload, 12) & 0xFFFF_FFFFL);
    }

    private static void putInt(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
    }

    private static int getInt(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) << 24 | (bytes[at + 1] & 0xFF) << 16 | (bytes[at + 2] & 0xFF) << 8
                | bytes[at + 3] & 0xFF;
    }
}
