package io.corvid.broker.cluster.hazelcast;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames waiting to be written to one peer, bounded in bytes. Publishers on any thread
 * offer; the peer connection's event loop polls. A frame that does not fit is dropped and
 * counted: a peer that cannot keep up (or is unreachable) costs its own messages, never the
 * publisher's time or unbounded memory. One log line when dropping starts, one when the queue
 * has emptied again.
 */
final class PeerQueue {
    private static final Logger LOG = LoggerFactory.getLogger(PeerQueue.class);

    private final String peer;
    private final long maxBytes;
    private final ConcurrentLinkedQueue<byte[]> frames = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong dropped;
    /** Whether frames have been dropped since the queue last emptied (an "episode"). */
    private final AtomicBoolean dropping = new AtomicBoolean();
    private final AtomicLong droppedThisEpisode = new AtomicLong();

    /**
     * @param peer     the peer's name, for the log
     * @param maxBytes the most frame bytes held; a single frame always fits an empty queue
     * @param dropped  the counter to add dropped frames to (shared by all peers)
     */
    PeerQueue(String peer, long maxBytes, AtomicLong dropped) {
        this.peer = peer;
        this.maxBytes = maxBytes;
        this.dropped = dropped;
    }

    /** Queues a frame body; returns false when it was dropped for lack of room. */
    boolean offer(byte[] frame) {
        long after = queuedBytes.addAndGet(frame.length);
        if (after > maxBytes && after != frame.length) {
            queuedBytes.addAndGet(-frame.length);
            dropped.incrementAndGet();
            droppedThisEpisode.incrementAndGet();
            if (dropping.compareAndSet(false, true)) {
                LOG.warn("Dropping messages for node {}: {} bytes wait for it already, the limit (it does not keep "
                        + "up, or cannot be reached); until its queue has emptied", peer, after - frame.length);
            }
            return false;
        }
        frames.add(frame);
        return true;
    }

    /** The next frame, or {@code null} when none waits. */
    byte[] poll() {
        byte[] frame = frames.poll();
        if (frame != null) {
            long left = queuedBytes.addAndGet(-frame.length);
            if (left == 0 && dropping.compareAndSet(true, false)) {
                LOG.info("Node {} has caught up; {} messages for it were dropped meanwhile", peer,
                        droppedThisEpisode.getAndSet(0));
            }
        }
        return frame;
    }

    /** Whether no frame waits. */
    boolean isEmpty() {
        return frames.isEmpty();
    }

    /** Bytes of frames waiting. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Forgets every waiting frame (the peer left); they count as dropped. */
    void clear() {
        byte[] frame;
        while ((frame = frames.poll()) != null) {
            queuedBytes.addAndGet(-frame.length);
            dropped.incrementAndGet();
        }
    }
}
