package io.corvid.broker.store.mvstore;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes one record, in the manner of a {@code DataOutput}: fixed-width integers big-endian,
 * unsigned variable-length integers in 7-bit groups (least significant first, high bit set on
 * every byte but the last), strings and byte arrays as a variable-length byte count then the
 * bytes (strings in UTF-8).
 *
 * <p>{@link #seal} appends the CRC-32C of the key and the record, which {@link RecordReader#open}
 * checks.
 */
final class RecordWriter {
    private byte[] buffer;
    private int size;

    RecordWriter(int expectedSize) {
        buffer = new byte[Math.max(16, expectedSize)];
    }

    RecordWriter writeByte(int value) {
        ensure(1);
        buffer[size++] = (byte) value;
        return this;
    }

    RecordWriter writeBoolean(boolean value) {
        return writeByte(value ? 1 : 0);
    }

    RecordWriter writeLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    RecordWriter writeInt(int value) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** An int read as unsigned: 1 to 5 bytes. */
    RecordWriter writeVarInt(int value) {
        return writeVarLong(value & 0xFFFF_FFFFL);
    }

    /** A long read as unsigned: 1 to 10 bytes. */
    RecordWriter writeVarLong(long value) {
        ensure(10);
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            buffer[size++] = (byte) ((rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        buffer[size++] = (byte) rest;
        return this;
    }

    RecordWriter writeBytes(byte[] bytes) {
        writeVarInt(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
        return this;
    }

    RecordWriter writeString(String text) {
        return writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Appends the CRC-32C of {@code key} followed by everything written so far, and returns the
     * record. The key is covered so that a record read under another key is found out.
     */
    byte[] seal(byte[] key) {
        CRC32C crc = new CRC32C();
        crc.update(key, 0, key.length);
        crc.update(buffer, 0, size);
        writeInt((int) crc.getValue());
        return Arrays.copyOf(buffer, size);
    }

    private void ensure(int more) {
        if (size + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
        }
    }
}
