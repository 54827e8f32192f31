package io.corvid.broker.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops of one transport: one boss thread that accepts connections and the I/O
 * threads that own them, on native epoll where it loads and NIO elsewhere.
 */
final class EventLoops {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    private final String description;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final EventLoopThreadFactory bossThreads;
    private final EventLoopThreadFactory ioThreads;

    private EventLoops(String description, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannelClass,
                       int ioThreadCount) {
        this.description = description;
        this.serverChannelClass = serverChannelClass;
        this.bossThreads = new EventLoopThreadFactory("corvid-boss-");
        this.ioThreads = new EventLoopThreadFactory("corvid-io-");
        this.boss = new MultiThreadIoEventLoopGroup(1, bossThreads, ioHandlers);
        this.workers = new MultiThreadIoEventLoopGroup(ioThreadCount, ioThreads, ioHandlers);
    }

    /**
     * Creates the event loops, with epoll when it is available and not refused.
     *
     * @param ioThreadCount the number of I/O threads
     * @param forceNio      use NIO even where epoll is available
     */
    static EventLoops create(int ioThreadCount, boolean forceNio) {
        if (forceNio) {
            return new EventLoops("NIO (forced)", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                    ioThreadCount);
        }
        if (epollAvailable()) {
            return new EventLoops("native epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    ioThreadCount);
        }
        return new EventLoops("NIO (native epoll unavailable)", NioIoHandler.newFactory(),
                NioServerSocketChannel.class, ioThreadCount);
    }

    private static boolean epollAvailable() {
        try {
            if (Epoll.isAvailable()) {
                return true;
            }
            LOG.debug("Native epoll is not available: {}", String.valueOf(Epoll.unavailabilityCause()));
            return false;
        } catch (LinkageError e) {
            // netty-transport-classes-epoll left off the class path.
            LOG.debug("Native epoll classes are not on the class path: {}", e.toString());
            return false;
        }
    }

    /** Which I/O mechanism runs the loops, and why, for the log. */
    String description() {
        return description;
    }

    EventLoopGroup boss() {
        return boss;
    }

    EventLoopGroup workers() {
        return workers;
    }

    Class<? extends ServerChannel> serverChannelClass() {
        return serverChannelClass;
    }

    /** The threads started so far (event loops start theirs lazily). */
    List<Thread> threads() {
        List<Thread> all = new ArrayList<>(bossThreads.threads());
        all.addAll(ioThreads.threads());
        return all;
    }

    /** Whether the calling thread is one of these event loops. */
    boolean isEventLoopThread() {
        return threads().contains(Thread.currentThread());
    }

    /**
     * Shuts both groups down, letting tasks already queued run, and waits until they ended
     * or {@code timeoutMillis} passed (not at all when called on one of their own threads,
     * which cannot wait for itself).
     *
     * @return whether every thread ended in time
     */
    boolean shutdown(long timeoutMillis) {
        Future<?> bossDone = boss.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
        Future<?> workersDone = workers.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
        if (isEventLoopThread()) {
            LOG.debug("Transport stopped from its own event loop; not waiting for the loops to end");
            return false;
        }
        // The graceful timeout bounds the shutdown; the extra second covers closing the selectors.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis + 1_000);
        boolean ended = bossDone.awaitUninterruptibly(remainingMillis(deadline))
                & workersDone.awaitUninterruptibly(remainingMillis(deadline));
        if (!ended) {
            LOG.warn("Netty event loops did not end within {} ms", timeoutMillis + 1_000);
        }
        return ended;
    }

    private static long remainingMillis(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
