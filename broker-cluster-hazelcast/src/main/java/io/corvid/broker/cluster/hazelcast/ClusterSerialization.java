package io.corvid.broker.cluster.hazelcast;

import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * Makes this module's objects that cross between Hazelcast members (the retained map's values,
 * its entry processors and merge policy) from their identifiers: faster and smaller than Java
 * serialization, and no reflection. Every member registers it (see {@link HazelcastSettings}).
 */
final class ClusterSerialization implements DataSerializableFactory {
    /** This factory's identifier; Hazelcast's own factories use negative ones. */
    static final int FACTORY_ID = 0x436F7276; // "Corv"
    static final int RETAINED_VALUE = 1;
    static final int WRITE_RETAINED = 2;
    static final int READ_RETAINED = 3;
    static final int MERGE_POLICY = 4;

    @Override
    public IdentifiedDataSerializable create(int classId) {
        return switch (classId) {
            case RETAINED_VALUE -> new RetainedValue();
            case WRITE_RETAINED -> new WriteRetained();
            case READ_RETAINED -> new ReadRetained();
            case MERGE_POLICY -> new LatestRetainedMergePolicy();
            default -> null; // Hazelcast reports an unknown class identifier itself
        };
    }
}
