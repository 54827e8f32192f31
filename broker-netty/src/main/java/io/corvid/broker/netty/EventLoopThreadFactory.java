package io.corvid.broker.netty;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names event loop threads {@code prefix-1}, {@code prefix-2} ... and remembers them, so that
 * the transport can tell whether it is running on one of its own threads and tests can check
 * that they all ended.
 */
final class EventLoopThreadFactory implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger counter = new AtomicInteger();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    EventLoopThreadFactory(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        // FastThreadLocalThread lets Netty's buffer pools use their fast thread-local caches.
        Thread thread = new FastThreadLocalThread(task, prefix + counter.incrementAndGet());
        // Not a daemon: a standalone broker lives on its I/O threads until stop().
        thread.setDaemon(false);
        threads.add(thread);
        return thread;
    }

    /** Every thread made so far. */
    List<Thread> threads() {
        return List.copyOf(threads);
    }
}
