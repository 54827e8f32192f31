package io.corvid.broker.store.mvstore;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * Keys and values of every map of the store: byte arrays, written as a variable-length count
 * then the bytes, ordered as unsigned bytes. Unlike MVStore's own byte array type, a length
 * that does not fit in the page being read is reported as a corrupt file rather than allocated.
 */
final class BytesType extends BasicDataType<byte[]> {
    static final BytesType INSTANCE = new BytesType();

    private BytesType() {
    }

    @Override
    public int getMemory(byte[] data) {
        return data.length;
    }

    @Override
    public void write(WriteBuffer buffer, byte[] data) {
        buffer.putVarInt(data.length);
        buffer.put(data);
    }

    @Override
    public byte[] read(ByteBuffer buffer) {
        int length = DataUtils.readVarInt(buffer);
        if (length < 0 || length > buffer.remaining()) {
            throw DataUtils.newMVStoreException(DataUtils.ERROR_FILE_CORRUPT,
                    "File corrupted: a stored value of {0} bytes exceeds its page", length);
        }
        byte[] data = new byte[length];
        buffer.get(data);
        return data;
    }

    @Override
    public byte[][] createStorage(int size) {
        return new byte[size][];
    }

    @Override
    public int compare(byte[] one, byte[] two) {
        return Arrays.compareUnsigned(one, two);
    }
}
