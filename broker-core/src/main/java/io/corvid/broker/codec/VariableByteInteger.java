package io.corvid.broker.codec;

import java.nio.ByteBuffer;

/**
 * The MQTT variable byte integer (specification 1.5.5): seven bits per byte, least significant
 * group first, at most four bytes, so at most 268,435,455.
 */
public final class VariableByteInteger {
    /** The largest encodable value. */
    public static final int MAX_VALUE = 268_435_455;

    /** {@link #read} result: the buffer ends before the last byte of the integer. */
    public static final int NOT_ENOUGH_BYTES = -1;
    /** {@link #read} result: a fourth byte still has its continuation bit set. */
    public static final int TOO_LARGE = -2;
    /** {@link #read} result: the value was not encoded in the fewest bytes. */
    public static final int NOT_MINIMUM_BYTES = -3;

    private VariableByteInteger() {
    }

    /** The number of bytes {@code value} takes on the wire. */
    public static int size(int value) {
        if (value < 0 || value > MAX_VALUE) {
            throw new IllegalArgumentException("variable byte integer out of range: " + value);
        }
        if (value < 128) {
            return 1;
        }
        if (value < 16_384) {
            return 2;
        }
        if (value < 2_097_152) {
            return 3;
        }
        return 4;
    }

    /** Writes {@code value} at the buffer's position. */
    public static void write(ByteBuffer out, int value) {
        if (value < 0 || value > MAX_VALUE) {
            throw new IllegalArgumentException("variable byte integer out of range: " + value);
        }
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            if (value > 0) {
                digit |= 0x80;
            }
            out.put((byte) digit);
        } while (value > 0);
    }

    /**
     * Reads an integer starting at absolute index {@code index} without moving the position.
     * Returns the value in the low 32 bits and the number of bytes read in the high 32 bits, or
     * one of the negative sentinels {@link #NOT_ENOUGH_BYTES}, {@link #TOO_LARGE} and
     * {@link #NOT_MINIMUM_BYTES} (the latter only if {@code requireMinimal}).
     */
    public static long read(ByteBuffer in, int index, int limit, boolean requireMinimal) {
        int value = 0;
        int shift = 0;
        for (int count = 1; count <= 4; count++) {
            if (index >= limit) {
                return NOT_ENOUGH_BYTES;
            }
            int digit = in.get(index++) & 0xFF;
            value |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                if (requireMinimal && count > 1 && digit == 0) {
                    return NOT_MINIMUM_BYTES;
                }
                return ((long) count << 32) | value;
            }
            shift += 7;
        }
        return TOO_LARGE;
    }

    /** The value part of a successful {@link #read} result. */
    public static int value(long readResult) {
        return (int) readResult;
    }

    /** The byte count part of a successful {@link #read} result. */
    public static int length(long readResult) {
        return (int) (readResult >>> 32);
    }
}
