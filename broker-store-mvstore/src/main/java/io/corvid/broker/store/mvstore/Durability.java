package io.corvid.broker.store.mvstore;

import io.corvid.broker.SessionStore;

/**
 * How far each batch of changes has got when the {@link SessionStore#whenDurable whenDurable}
 * callbacks registered behind it run, and so what an acknowledged message survives.
 */
public enum Durability {
    /**
     * Each batch is written to the operating system (a {@code FileChannel} write) before its
     * callbacks run. It survives the JVM being killed ({@code kill -9}, a crash, an
     * out-of-memory exit); it may be lost if the machine loses power or the operating system
     * crashes before the kernel has flushed it, a few seconds later.
     */
    OS,

    /**
     * Each batch is written and then forced to the storage device ({@code fsync}) before its
     * callbacks run. It survives power loss as well, as far as the device honours a flush.
     */
    FSYNC
}
