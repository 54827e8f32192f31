package io.corvid.broker.store.mvstore;

import io.corvid.broker.store.mvstore.WriteTask.Job;
import io.corvid.broker.store.mvstore.WriteTask.KeyedChange;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.h2.mvstore.MVMap;

/**
 * Finds the changes of a batch that a later change of the same batch makes pointless: a put or
 * remove of a record followed, in the same batch, by another put or remove of the same record.
 *
 * <p>Why: a message to an online persistent subscriber is stored when it arrives, stored again
 * with its packet identifier when it is sent and removed when the subscriber acknowledges it,
 * often all within one batch. A batch is committed as a whole (a crash keeps all of it or none
 * of it), so only the last change of each record in it can ever be seen; applying only that one
 * spares the B-tree two of its three updates. The survivor stays in its place, so that a
 * {@link WriteTask.RemoveSession} between them still applies in order. A {@link Job} reads the
 * maps, so nothing before one is superseded by anything after it.
 */
final class Supersession {
    private Supersession() {
    }

    /** The positions in {@code batch} of the changes that need not be applied. */
    static BitSet superseded(List<WriteTask> batch) {
        BitSet superseded = new BitSet(batch.size());
        Set<Target> later = new HashSet<>();
        for (int i = batch.size() - 1; i >= 0; i--) {
            WriteTask task = batch.get(i);
            if (task instanceof KeyedChange change) {
                if (!later.add(new Target(change.map(), change.key()))) {
                    superseded.set(i);
                }
            } else if (task instanceof Job<?>) {
                later.clear();
            }
        }
        return superseded;
    }

    /** A record's place: its map and its key, compared by content. */
    private static final class Target {
        private final MVMap<byte[], byte[]> map;
        private final byte[] key;
        private final int hash;

        Target(MVMap<byte[], byte[]> map, byte[] key) {
            this.map = map;
            this.key = key;
            this.hash = Arrays.hashCode(key) * 31 + System.identityHashCode(map);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Target target && target.map == map && Arrays.equals(target.key, key);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
