package io.corvid.broker.cluster.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes a topic's retained message (or its deletion) into the cluster's map unless the map
 * holds a newer one: the last writer by {@link RetainedVersion} wins, decided on the member that
 * owns the key, one write at a time. Answers {@code null} when the write was taken, otherwise the
 * value that won (as of now).
 */
final class WriteRetained implements EntryProcessor<String, RetainedValue, RetainedValue>, IdentifiedDataSerializable {
    private RetainedValue value;
    private long tombstoneSeconds;

    /** For Hazelcast's deserialization only. */
    WriteRetained() {
    }

    WriteRetained(RetainedValue value, long tombstoneSeconds) {
        this.value = value;
        this.tombstoneSeconds = tombstoneSeconds;
    }

    @Override
    public RetainedValue process(Map.Entry<String, RetainedValue> entry) {
        RetainedValue current = entry.getValue();
        long now = System.currentTimeMillis();
        if (current != null && !value.version().isNewerThan(current.version())) {
            return current.asOf(now);
        }
        RetainedValue written = value.writtenAt(now);
        ((ExtendedMapEntry<String, RetainedValue>) entry).setValue(written, written.ttlSeconds(tombstoneSeconds),
                TimeUnit.SECONDS);
        return null;
    }

    @Override
    public int getFactoryId() {
        return ClusterSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return ClusterSerialization.WRITE_RETAINED;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeObject(value);
        out.writeLong(tombstoneSeconds);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        value = in.readObject();
        tombstoneSeconds = in.readLong();
    }
}
