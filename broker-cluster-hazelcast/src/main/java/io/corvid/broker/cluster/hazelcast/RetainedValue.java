package io.corvid.broker.cluster.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.corvid.broker.ClusterMessage;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One topic's retained message in the cluster's map (see {@link RetainedSync}), or its deletion
 * (a tombstone, so that a node that was away learns that the message is gone): the message, its
 * {@link RetainedVersion}, and its expiry.
 *
 * <p>Expiry follows {@link ClusterMessage}'s "seconds left" rule rather than a wall-clock
 * instant, so that the publishing node's clock does not matter: the value holds the seconds left
 * when it was written and the instant it was written by the clock of the member that stores it
 * (the entry processors that write and read it run there); reading it later subtracts the time
 * since, by the same member's clock. Immutable.
 */
final class RetainedValue implements IdentifiedDataSerializable {
    private static final byte[] NO_BODY = new byte[0];

    private long stamp;
    private String node;
    private long writtenAtMillis;
    private long expirySeconds;
    private boolean deleted;
    /** The message as a data-plane MESSAGE body without its expiry; empty for a deletion. */
    private byte[] body;

    /** For Hazelcast's deserialization only. */
    RetainedValue() {
    }

    private RetainedValue(RetainedVersion version, long writtenAtMillis, long expirySeconds, boolean deleted,
                          byte[] body) {
        this.stamp = version.stamp();
        this.node = version.node();
        this.writtenAtMillis = writtenAtMillis;
        this.expirySeconds = expirySeconds;
        this.deleted = deleted;
        this.body = body;
    }

    /** The value for a retained message (an empty payload: its deletion) at {@code version}. */
    static RetainedValue of(ClusterMessage message, RetainedVersion version) {
        if (message.payload().length == 0) {
            return new RetainedValue(version, 0, ClusterMessage.NEVER_EXPIRES, true, NO_BODY);
        }
        ClusterMessage timeless = new ClusterMessage(message.topic(), message.payload(), message.qos(), true,
                message.properties(), message.publisherId(), ClusterMessage.NEVER_EXPIRES);
        return new RetainedValue(version, 0, message.expirySeconds(), false, FrameCodec.message(timeless));
    }

    RetainedVersion version() {
        return new RetainedVersion(stamp, node);
    }

    boolean isDeletion() {
        return deleted;
    }

    /** This value as written now by the storing member's clock. */
    RetainedValue writtenAt(long nowMillis) {
        return new RetainedValue(version(), nowMillis, expirySeconds, deleted, body);
    }

    /**
     * This value as it stands at {@code nowMillis} of the storing member's clock: the seconds left
     * counted down, and an expired message turned into its deletion (same version), so that a
     * reader drops its own copy of it.
     */
    RetainedValue asOf(long nowMillis) {
        if (deleted || expirySeconds == ClusterMessage.NEVER_EXPIRES) {
            return this;
        }
        long leftMillis = expirySeconds * 1000 - Math.max(0, nowMillis - writtenAtMillis);
        if (leftMillis <= 0) {
            return new RetainedValue(version(), nowMillis, ClusterMessage.NEVER_EXPIRES, true, NO_BODY);
        }
        return new RetainedValue(version(), nowMillis, (leftMillis + 999) / 1000, false, body);
    }

    /**
     * How long the map keeps the entry: a deletion, or an expired message, still has to win over
     * an older copy that a node brings back for {@code tombstoneSeconds}; a message that never
     * expires stays (0: no limit in Hazelcast).
     */
    long ttlSeconds(long tombstoneSeconds) {
        if (deleted) {
            return tombstoneSeconds;
        }
        return expirySeconds == ClusterMessage.NEVER_EXPIRES ? 0 : expirySeconds + tombstoneSeconds;
    }

    /** The retained message of {@code topic} this value stands for: an empty payload for a deletion. */
    ClusterMessage message(String topic) {
        if (deleted) {
            return new ClusterMessage(topic, NO_BODY, QoS.AT_MOST_ONCE, true, Properties.EMPTY, null,
                    ClusterMessage.NEVER_EXPIRES);
        }
        ClusterMessage stored = FrameCodec.readMessage(ByteBuffer.wrap(body), FrameCodec.newDecoder()).message();
        return new ClusterMessage(stored.topic(), stored.payload(), stored.qos(), true, stored.properties(),
                stored.publisherId(), expirySeconds);
    }

    @Override
    public int getFactoryId() {
        return ClusterSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return ClusterSerialization.RETAINED_VALUE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeLong(stamp);
        out.writeString(node);
        out.writeLong(writtenAtMillis);
        out.writeLong(expirySeconds);
        out.writeBoolean(deleted);
        out.writeByteArray(body);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        stamp = in.readLong();
        node = in.readString();
        writtenAtMillis = in.readLong();
        expirySeconds = in.readLong();
        deleted = in.readBoolean();
        body = in.readByteArray();
    }

    @Override
    public String toString() {
        return "RetainedValue[" + version() + (deleted ? ", deleted" : ", " + body.length + " bytes") + "]";
    }
}
