package io.corvid.broker.codec;

import static io.corvid.broker.codec.MalformedPacketException.malformed;

import java.nio.ByteBuffer;

/**
 * Reads the primitives of the MQTT wire format from one packet's bytes, which the decoder has
 * already bounded: nothing is read, and nothing allocated, past the end of the packet. Every
 * shortfall or bad encoding raises {@link MalformedPacketException}. One reader is reused for
 * every packet of a connection.
 */
final class PacketReader {
    private static final int MAX_SCRATCH_KEPT = 4096;
    /**
     * Where strings of a direct buffer are copied to be checked and decoded: one array per
     * thread rather than per connection (a connection's packets are read on one thread, a
     * string at a time), so that an idle connection holds none.
     */
    private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[][] {new byte[128]});

    private ByteBuffer buffer;
    private int position;
    private int end;

    /** Points the reader at bytes [{@code start}, {@code end}) of {@code source}. */
    void reset(ByteBuffer source, int start, int endExclusive) {
        this.buffer = source;
        this.position = start;
        this.end = endExclusive;
    }

    /** Drops the reference to the caller's buffer. */
    void release() {
        buffer = null;
    }

    int position() {
        return position;
    }

    /** Narrows the readable range to end at {@code newEnd}; returns the old end for {@link #restoreEnd}. */
    int limitTo(int newEnd) {
        int oldEnd = end;
        end = newEnd;
        return oldEnd;
    }

    void restoreEnd(int oldEnd) {
        end = oldEnd;
    }

    int remaining() {
        return end - position;
    }

    boolean hasRemaining() {
        return position < end;
    }

    private void require(int count, String what) {
        if (count > end - position) {
            throw malformed(what + " runs past the end of the packet");
        }
    }

    int readUnsignedByte(String what) {
        require(1, what);
        return buffer.get(position++) & 0xFF;
    }

    int readUnsignedShort(String what) {
        require(2, what);
        int value = ((buffer.get(position) & 0xFF) << 8) | (buffer.get(position + 1) & 0xFF);
        position += 2;
        return value;
    }

    long readUnsignedInt(String what) {
        require(4, what);
        // Byte by byte, like readUnsignedShort: ByteBuffer.getInt would follow the caller's byte order.
        long value = ((long) (buffer.get(position) & 0xFF) << 24)
                | ((buffer.get(position + 1) & 0xFF) << 16)
                | ((buffer.get(position + 2) & 0xFF) << 8)
                | (buffer.get(position + 3) & 0xFF);
        position += 4;
        return value;
    }

    /** A variable byte integer; MQTT 5.0 requires the minimal encoding. */
    int readVariableByteInteger(String what, boolean requireMinimal) {
        long result = VariableByteInteger.read(buffer, position, end, requireMinimal);
        if (result == VariableByteInteger.NOT_ENOUGH_BYTES) {
            throw malformed(what + " runs past the end of the packet");
        }
        if (result == VariableByteInteger.TOO_LARGE) {
            throw malformed(what + " is longer than four bytes");
        }
        if (result == VariableByteInteger.NOT_MINIMUM_BYTES) {
            throw malformed(what + " is not encoded in the minimum number of bytes");
        }
        position += VariableByteInteger.length(result);
        return VariableByteInteger.value(result);
    }

    /** A length-prefixed UTF-8 string, strictly validated. */
    String readString(String what) {
        int length = readUnsignedShort(what + " length");
        require(length, what);
        if (length == 0) {
            return "";
        }
        byte[] source;
        int offset;
        if (buffer.hasArray()) {
            source = buffer.array();
            offset = buffer.arrayOffset() + position;
        } else {
            byte[][] holder = SCRATCH.get();
            byte[] scratch = holder[0];
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
                if (scratch.length <= MAX_SCRATCH_KEPT) {
                    holder[0] = scratch; // a rare long string gets an array of its own, not kept
                }
            }
            buffer.get(position, scratch, 0, length);
            source = scratch;
            offset = 0;
        }
        String problem = MqttUtf8.validate(source, offset, length);
        if (problem != null) {
            throw malformed(what + ": " + problem);
        }
        position += length;
        return MqttUtf8.decodeValidated(source, offset, length);
    }

    /** Length-prefixed binary data. */
    byte[] readBinary(String what) {
        int length = readUnsignedShort(what + " length");
        return readBytes(length, what);
    }

    /** {@code length} raw bytes; the caller has checked the length against the packet. */
    byte[] readBytes(int length, String what) {
        require(length, what);
        byte[] bytes = new byte[length];
        buffer.get(position, bytes, 0, length);
        position += length;
        return bytes;
    }

    /** All bytes up to the end of the packet (the PUBLISH payload). */
    byte[] readRest() {
        return readBytes(end - position, "payload");
    }

    /** The packet must end here. */
    void requireEnd(String packetName) {
        if (position != end) {
            throw malformed(packetName + " has " + (end - position) + " unexpected trailing bytes");
        }
    }
}
