package io.corvid.broker.netty;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the open network connections of a transport, over all listeners and per listener,
 * and refuses those over either limit. A refused connection is closed right after accept,
 * before a byte of it is read, and counted.
 *
 * <p>Refusals are logged at DEBUG one by one and at WARN at most once per
 * {@link #REPORT_INTERVAL_NANOS} per listener, with the number refused since the last report,
 * so that a flood of connections cannot flood the log.
 */
final class ConnectionLimits {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);

    /** At most one WARN line per listener in this time. */
    static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int maxTotal;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();

    ConnectionLimits(int maxTotal) {
        this.maxTotal = maxTotal;
    }

    /** The limits of one listener, within this transport's global limit. */
    Listener forListener(String name, int max) {
        return new Listener(name, max);
    }

    /** Open connections over all listeners. */
    int open() {
        return open.get();
    }

    /** Connections refused so far over all listeners. */
    long refused() {
        return refused.get();
    }

    /** One listener's share. */
    final class Listener {
        private final String name;
        private final int max;
        private final AtomicInteger listenerOpen = new AtomicInteger();
        private final AtomicLong listenerRefused = new AtomicLong();
        private final AtomicLong refusedSinceReport = new AtomicLong();
        private final AtomicLong lastReportNanos = new AtomicLong(System.nanoTime() - REPORT_INTERVAL_NANOS);

        private Listener(String name, int max) {
            this.name = name;
            this.max = max;
        }

        /**
         * Takes a slot for a new connection, or counts and logs its refusal.
         *
         * @return whether the connection may stay; if so, {@link #release()} must follow its close
         */
        boolean tryAcquire(Object peer) {
            if (open.incrementAndGet() > maxTotal) {
                open.decrementAndGet();
                refuse(peer, "the broker's limit of " + maxTotal + " connections");
                return false;
            }
            if (listenerOpen.incrementAndGet() > max) {
                listenerOpen.decrementAndGet();
                open.decrementAndGet();
                refuse(peer, "the listener's limit of " + max + " connections");
                return false;
            }
            return true;
        }

        /** Gives back the slot of a closed connection. */
        void release() {
            listenerOpen.decrementAndGet();
            open.decrementAndGet();
        }

        private void refuse(Object peer, String limit) {
            refused.incrementAndGet();
            listenerRefused.incrementAndGet();
            refusedSinceReport.incrementAndGet();
            LOG.debug("Refused the connection from {} on listener {}: {} reached", peer, name, limit);
            long now = System.nanoTime();
            long last = lastReportNanos.get();
            if (now - last >= REPORT_INTERVAL_NANOS && lastReportNanos.compareAndSet(last, now)) {
                LOG.warn("Refused {} connection(s) on listener {} since the last report: {} reached "
                        + "({} refused in all; reported at most every {} s)", refusedSinceReport.getAndSet(0), name,
                        limit, listenerRefused.get(), TimeUnit.NANOSECONDS.toSeconds(REPORT_INTERVAL_NANOS));
            }
        }

        /** The listener's name. */
        String name() {
            return name;
        }

        /** Open connections of this listener. */
        int open() {
            return listenerOpen.get();
        }

        /** Connections this listener refused so far. */
        long refused() {
            return listenerRefused.get();
        }
    }
}
