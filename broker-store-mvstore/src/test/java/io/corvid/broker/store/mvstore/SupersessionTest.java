package io.corvid.broker.store.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corvid.broker.store.mvstore.WriteTask.Callback;
import io.corvid.broker.store.mvstore.WriteTask.Job;
import io.corvid.broker.store.mvstore.WriteTask.Put;
import io.corvid.broker.store.mvstore.WriteTask.Remove;
import io.corvid.broker.store.mvstore.WriteTask.RemoveSession;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SupersessionTest {
    private final MVStore store = MVStore.open(null);
    private final MVMap<byte[], byte[]> messages = map("messages");
    private final MVMap<byte[], byte[]> retained = map("retained");

    @AfterEach
    void close() {
        store.close();
    }

    private MVMap<byte[], byte[]> map(String name) {
        return store.openMap(name, new MVMap.Builder<byte[], byte[]>().keyType(BytesType.INSTANCE)
                .valueType(BytesType.INSTANCE));
    }

    private static byte[] key(long sequence) {
        return Keys.message("client", sequence);
    }

    @Test
    void onlyTheLastChangeOfARecordInABatchIsApplied() {
        List<WriteTask> batch = List.of(
                new Put(messages, key(1), new byte[] {1}),          // 0: superseded by 3
                new Put(messages, key(2), new byte[] {2}),          // 1: kept
                new Callback(() -> { }),                            // 2
                new Put(messages, key(1), new byte[] {1, 1}),       // 3: superseded by 4
                new Remove(messages, key(1)),                       // 4: kept
                new Put(retained, key(1), new byte[] {9}));         // 5: same key, other map: kept
        assertEquals(bits(0, 3), Supersession.superseded(batch));
    }

    @Test
    void keysAreComparedByContent() {
        List<WriteTask> batch = List.of(
                new Put(messages, key(7), new byte[] {1}),
                new Remove(messages, key(7)));
        assertEquals(bits(0), Supersession.superseded(batch));
    }

    @Test
    void nothingIsSupersededAcrossAJobThatReadsTheMaps() {
        List<WriteTask> batch = List.of(
                new Put(messages, key(1), new byte[] {1}),          // 0: a job reads it before 3 removes it
                new Put(messages, key(2), new byte[] {2}),          // 1: superseded by 2
                new Remove(messages, key(2)),                       // 2
                new Job<>(maps -> null, new CompletableFuture<>()), // 3
                new Remove(messages, key(1)),                       // 4
                new RemoveSession("client"));                       // 5: not keyed, stays in place
        assertEquals(bits(1), Supersession.superseded(batch));
    }

    private static BitSet bits(int... positions) {
        BitSet bits = new BitSet();
        for (int position : positions) {
            bits.set(position);
        }
        return bits;
    }
}
