package io.corvid.broker.cluster.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * How the cluster's retained messages merge after a split brain: per topic, the value with the
 * newer {@link RetainedVersion} wins, deletions included, exactly as a write would have decided
 * (see {@link WriteRetained}). Hazelcast makes it from its class name, so it keeps a no-argument
 * constructor and no state.
 */
final class LatestRetainedMergePolicy
        implements SplitBrainMergePolicy<RetainedValue, MergingValue<RetainedValue>, Object>, IdentifiedDataSerializable {

    /** Made by Hazelcast from the map's configuration. */
    LatestRetainedMergePolicy() {
    }

    @Override
    public Object merge(MergingValue<RetainedValue> merging, MergingValue<RetainedValue> existing) {
        if (existing == null) {
            return merging.getRawValue();
        }
        RetainedValue incoming = merging.getDeserializedValue();
        RetainedValue current = existing.getDeserializedValue();
        if (current == null) {
            return merging.getRawValue();
        }
        if (incoming == null) {
            return existing.getRawValue();
        }
        return incoming.version().isNewerThan(current.version()) ? merging.getRawValue() : existing.getRawValue();
    }

    @Override
    public int getFactoryId() {
        return ClusterSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return ClusterSerialization.MERGE_POLICY;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
        // No state.
    }

    @Override
    public void readData(ObjectDataInput in) {
        // No state.
    }
}
