package io.corvid.broker.cluster.hazelcast;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.util.Map;

/**
 * Reads a topic's retained message from the cluster's map as it stands now, on the member that
 * stores it, so that its seconds left are counted by that member's clock (see
 * {@link RetainedValue#asOf}). Changes nothing.
 */
final class ReadRetained implements EntryProcessor<String, RetainedValue, RetainedValue>, ReadOnly,
        IdentifiedDataSerializable {

    @Override
    public RetainedValue process(Map.Entry<String, RetainedValue> entry) {
        RetainedValue value = entry.getValue();
        return value == null ? null : value.asOf(System.currentTimeMillis());
    }

    @Override
    public EntryProcessor<String, RetainedValue, RetainedValue> getBackupProcessor() {
        return null;
    }

    @Override
    public int getFactoryId() {
        return ClusterSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return ClusterSerialization.READ_RETAINED;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
        // Nothing to send: the processor is the same for every entry.
    }

    @Override
    public void readData(ObjectDataInput in) {
        // Nothing was sent.
    }
}
