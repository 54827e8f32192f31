package io.corvid.broker.store.mvstore;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads what a {@link RecordWriter} wrote. Every read is checked against the end of the record;
 * a read past it, an over-long variable-length integer or a length that does not fit throws
 * {@link CorruptRecordException}.
 */
final class RecordReader {
    private static final int CHECKSUM_LENGTH = 4;

    private final byte[] data;
    private final int end;
    private int position;

    private RecordReader(byte[] data, int end) {
        this.data = data;
        this.end = end;
    }

    /** Checks a sealed record's CRC-32C against its key, and reads it from its first byte. */
    static RecordReader open(byte[] key, byte[] record) {
        if (record.length < 1 + CHECKSUM_LENGTH) {
            throw new CorruptRecordException("record of " + record.length + " bytes is too short");
        }
        int end = record.length - CHECKSUM_LENGTH;
        CRC32C crc = new CRC32C();
        crc.update(key, 0, key.length);
        crc.update(record, 0, end);
        RecordReader trailer = new RecordReader(record, record.length);
        trailer.position = end;
        int stored = trailer.readInt();
        if (stored != (int) crc.getValue()) {
            throw new CorruptRecordException("record checksum mismatch");
        }
        return new RecordReader(record, end);
    }

    int readByte() {
        require(1);
        return data[position++] & 0xFF;
    }

    boolean readBoolean() {
        int value = readByte();
        if (value > 1) {
            throw new CorruptRecordException("boolean byte " + value);
        }
        return value == 1;
    }

    long readLong() {
        require(8);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (data[position++] & 0xFF);
        }
        return value;
    }

    int readInt() {
        require(4);
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value = (value << 8) | (data[position++] & 0xFF);
        }
        return value;
    }

    int readVarInt() {
        long value = readVarLong();
        if ((value & ~0xFFFF_FFFFL) != 0) {
            throw new CorruptRecordException("variable-length int out of range: " + value);
        }
        return (int) value;
    }

    long readVarLong() {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = readByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new CorruptRecordException("variable-length integer longer than 10 bytes");
    }

    /** A count of items that each take at least one byte: never more than what is left. */
    int readCount() {
        int count = readVarInt();
        if (count < 0 || count > end - position) {
            throw new CorruptRecordException("count " + (count & 0xFFFF_FFFFL) + " exceeds the record");
        }
        return count;
    }

    byte[] readBytes() {
        int length = readVarInt();
        if (length < 0 || length > end - position) {
            throw new CorruptRecordException("length " + (length & 0xFFFF_FFFFL) + " exceeds the record");
        }
        byte[] bytes = Arrays.copyOfRange(data, position, position + length);
        position += length;
        return bytes;
    }

    String readString() {
        return new String(readBytes(), StandardCharsets.UTF_8);
    }

    /** Fails unless the whole record was read. */
    void expectEnd() {
        if (position != end) {
            throw new CorruptRecordException((end - position) + " unread bytes at the end of the record");
        }
    }

    private void require(int length) {
        if (end - position < length) {
            throw new CorruptRecordException("record ends early");
        }
    }
}
