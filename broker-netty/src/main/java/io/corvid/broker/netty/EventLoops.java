package io.corvid.broker.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.Future;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops of one transport: one boss thread that accepts connections and the I/O
 * threads that own them. They run on one of three I/O mechanisms, chosen once:
 * <ul>
 *   <li>native io_uring, when asked for ({@link Choice#IO_URING_PREFERRED}) and the kernel allows it;</li>
 *   <li>native epoll, when it loads (Linux x86-64 and AArch64), the default;</li>
 *   <li>the JDK's NIO otherwise, or when forced.</li>
 * </ul>
 * Each mechanism has its own TCP and Unix domain socket server channel classes; a channel must
 * run on loops of its own kind.
 */
final class EventLoops {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    /** What the transport asks for. */
    enum Choice {
        /** The JDK's NIO, even where a native transport would load. */
        NIO,
        /** Native epoll where it loads, NIO elsewhere. */
        AUTO,
        /** Native io_uring where it works, else as {@link #AUTO}. */
        IO_URING_PREFERRED
    }

    /** The I/O mechanism in use. */
    enum Kind {
        IO_URING, EPOLL, NIO
    }

    private final Kind kind;
    private final String description;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final EventLoopThreadFactory bossThreads;
    private final EventLoopThreadFactory ioThreads;

    private EventLoops(Kind kind, String description, IoHandlerFactory ioHandlers, int ioThreadCount) {
        this.kind = kind;
        this.description = description;
        this.bossThreads = new EventLoopThreadFactory("corvid-boss-");
        this.ioThreads = new EventLoopThreadFactory("corvid-io-");
        this.boss = new MultiThreadIoEventLoopGroup(1, bossThreads, ioHandlers);
        this.workers = new MultiThreadIoEventLoopGroup(ioThreadCount, ioThreads, ioHandlers);
    }

    /**
     * Creates the event loops on the best mechanism {@code choice} allows.
     *
     * @param ioThreadCount the number of I/O threads
     */
    static EventLoops create(int ioThreadCount, Choice choice) {
        if (choice == Choice.NIO) {
            return new EventLoops(Kind.NIO, "NIO (forced)", NioIoHandler.newFactory(), ioThreadCount);
        }
        if (choice == Choice.IO_URING_PREFERRED) {
            String why = ioUringUnavailability();
            if (why == null) {
                return new EventLoops(Kind.IO_URING, "native io_uring", IoUringIoHandler.newFactory(), ioThreadCount);
            }
            LOG.info("io_uring was asked for but is not available ({}); trying epoll", why);
        }
        String why = epollUnavailability();
        if (why == null) {
            return new EventLoops(Kind.EPOLL, "native epoll", EpollIoHandler.newFactory(), ioThreadCount);
        }
        return new EventLoops(Kind.NIO, "NIO (native epoll unavailable: " + why + ")", NioIoHandler.newFactory(),
                ioThreadCount);
    }

    /** Why epoll cannot be used here, or {@code null} when it can. */
    private static String epollUnavailability() {
        try {
            return Epoll.isAvailable() ? null : String.valueOf(Epoll.unavailabilityCause());
        } catch (LinkageError e) {
            // netty-transport-classes-epoll left off the class path.
            return "classes not on the class path: " + e;
        }
    }

    /** Why io_uring cannot be used here, or {@code null} when it can. */
    private static String ioUringUnavailability() {
        try {
            return IoUring.isAvailable() ? null : String.valueOf(IoUring.unavailabilityCause());
        } catch (LinkageError e) {
            return "classes not on the class path: " + e;
        }
    }

    /** The mechanism in use. */
    Kind kind() {
        return kind;
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

    /** The TCP server channel class for these loops. */
    Class<? extends ServerChannel> serverChannelClass() {
        return switch (kind) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    /** The Unix domain socket server channel class for these loops (NIO's needs Java 16+, which we have). */
    Class<? extends ServerChannel> domainServerChannelClass() {
        return switch (kind) {
            case IO_URING -> IoUringServerDomainSocketChannel.class;
            case EPOLL -> EpollServerDomainSocketChannel.class;
            case NIO -> NioServerDomainSocketChannel.class;
        };
    }

    /** The address to bind a Unix domain socket at {@code path}, in the form these loops take. */
    SocketAddress domainSocketAddress(Path path) {
        return kind == Kind.NIO ? UnixDomainSocketAddress.of(path) : new DomainSocketAddress(path.toFile());
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
