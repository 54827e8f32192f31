package io.corvid.broker.store.mvstore;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.h2.mvstore.MVMap;

/** What the writer thread is handed, in the order it was handed over. */
sealed interface WriteTask {

    /** A change of the maps, applied on the writer thread and committed with its batch. */
    sealed interface Change extends WriteTask {
        void apply(StoreMaps maps);

        /** About how many bytes it adds to the batch. */
        int size();
    }

    /** A change of the one record under {@code key} in {@code map}: the last such change in a batch decides it. */
    sealed interface KeyedChange extends Change {
        MVMap<byte[], byte[]> map();

        byte[] key();
    }

    /** Stores a record (already encoded by the caller) under a key. */
    record Put(MVMap<byte[], byte[]> map, byte[] key, byte[] value) implements KeyedChange {
        @Override
        public void apply(StoreMaps maps) {
            map.put(key, value);
        }

        @Override
        public int size() {
            return key.length + value.length;
        }
    }

    /** Removes a record. */
    record Remove(MVMap<byte[], byte[]> map, byte[] key) implements KeyedChange {
        @Override
        public void apply(StoreMaps maps) {
            map.remove(key);
        }

        @Override
        public int size() {
            return key.length;
        }
    }

    /** Removes a session's record and all its messages. */
    record RemoveSession(String clientId) implements Change {
        @Override
        public void apply(StoreMaps maps) {
            maps.sessions.remove(Keys.text(clientId));
            maps.removeMessagesOf(clientId);
        }

        @Override
        public int size() {
            return clientId.length();
        }
    }

    /** A {@code whenDurable} callback: runs once everything handed over before it is committed. */
    record Callback(Runnable callback) implements WriteTask {
    }

    /** Work on the maps whose result is handed back once its batch is committed. */
    record Job<T>(Function<StoreMaps, T> work, CompletableFuture<T> result) implements WriteTask {
        /** Does the work; returns what completes the result, to run after the commit. */
        Runnable run(StoreMaps maps) {
            try {
                T value = work.apply(maps);
                return () -> result.complete(value);
            } catch (RuntimeException e) {
                return () -> result.completeExceptionally(e);
            }
        }
    }

    /** The last task: commit, close the file, complete {@code done}. */
    record Close(CompletableFuture<Void> done) implements WriteTask {
    }
}
