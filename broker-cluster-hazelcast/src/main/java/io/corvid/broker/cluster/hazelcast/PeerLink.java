package io.corvid.broker.cluster.hazelcast;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's connection to one peer, for the messages this node sends it (the peer sends its
 * own over a connection of its own). Frames wait in a bounded {@link PeerQueue} and are written
 * on the connection's event loop in batches, one flush per batch: a lone message goes out at
 * once, a burst shares flushes. Nothing is written while the socket is not writable; the queue
 * takes the backlog, up to its bound. A lost connection is reopened (100 ms, doubling to 2 s)
 * for as long as the peer is a member; frames lost with a connection are not sent again.
 */
final class PeerLink {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);
    /** A batch buffer's size: frames are packed into buffers of this size, a larger frame gets its own. */
    private static final int BATCH_BYTES = 64 * 1024;
    private static final long FIRST_RETRY_MILLIS = 100;
    private static final long MAX_RETRY_MILLIS = 2_000;
    /** Failed attempts in a row after which a peer that is still a member is worth a warning. */
    private static final int WARN_AFTER_FAILURES = 5;

    private final String peer;
    private final InetSocketAddress address;
    /** host:port, for the log (an unresolved address prints oddly). */
    private final String where;
    private final Bootstrap bootstrap;
    private final EventLoop loop;
    private final PeerQueue queue;
    private final byte[] hello;
    private final AtomicLong forwarded;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile Channel channel;
    private volatile boolean closed;
    /** Touched on {@link #loop} only. */
    private long retryMillis = FIRST_RETRY_MILLIS;
    private boolean everConnected;
    private int failures;

    /**
     * @param bootstrap a bootstrap whose group includes {@code loop}; this link sets its own handler
     * @param hello     the HELLO body this node opens every connection with
     * @param forwarded the counter of frames written (shared by all peers)
     */
    PeerLink(String peer, InetSocketAddress address, Bootstrap bootstrap, EventLoop loop, PeerQueue queue,
             byte[] hello, AtomicLong forwarded) {
        this.peer = peer;
        this.address = address;
        this.where = address.getHostString() + ":" + address.getPort();
        this.bootstrap = bootstrap.clone(loop).handler(new Handler());
        this.loop = loop;
        this.queue = queue;
        this.hello = hello;
        this.forwarded = forwarded;
    }

    /** Starts connecting. */
    void open() {
        loop.execute(this::connect);
    }

    /** Queues a frame body for the peer; returns false when it was dropped (queue full). Any thread. */
    boolean send(byte[] frame) {
        if (closed || !queue.offer(frame)) {
            return false;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(this::drain);
        }
        return true;
    }

    /** Whether a connection to the peer is open and has been greeted. */
    boolean isConnected() {
        Channel current = channel;
        return current != null && current.isActive();
    }

    /**
     * Closes the connection for good: what was written goes out first (a node that stops sends
     * its clients' wills before it goes); what still waits in the queue is dropped.
     */
    void close() {
        closed = true;
        loop.execute(() -> {
            Channel current = channel;
            if (current != null) {
                current.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            queue.clear();
        });
    }

    private void connect() {
        if (closed) {
            return;
        }
        bootstrap.connect(address).addListener((ChannelFuture future) -> {
            if (!future.isSuccess()) {
                if (!closed) {
                    // A peer that left is usually seen to leave before a few retries have passed;
                    // one that stays unreachable while still a member deserves a warning.
                    if (++failures == WARN_AFTER_FAILURES) {
                        LOG.warn("Cannot reach node {} at {} ({} attempts): {}; still trying, its messages wait "
                                + "(bounded) meanwhile", peer, where, failures, future.cause().toString());
                    } else {
                        LOG.debug("Cannot reach node {} at {} yet: {}", peer, where, future.cause().toString());
                    }
                    retryLater();
                }
            }
        });
    }

    private void retryLater() {
        long delay = retryMillis;
        retryMillis = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
        loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** Writes what waits, in batches, while the socket takes bytes. Runs on {@link #loop}. */
    private void drain() {
        drainScheduled.set(false);
        Channel current = channel;
        if (current == null || !current.isActive()) {
            return; // The frames wait (bounded) for the connection; channelActive drains them.
        }
        ByteBuf batch = null;
        int written = 0;
        byte[] frame;
        while (current.isWritable() && (frame = queue.poll()) != null) {
            int size = FrameCodec.LENGTH_FIELD + frame.length;
            if (batch != null && batch.writableBytes() < size) {
                current.write(batch);
                batch = null;
            }
            if (batch == null) {
                batch = current.alloc().ioBuffer(Math.max(BATCH_BYTES, size));
            }
            batch.writeInt(frame.length).writeBytes(frame);
            written++;
        }
        if (batch != null) {
            current.write(batch);
        }
        if (written > 0) {
            // Counted before the flush: a peer may deliver the messages before this thread goes on.
            forwarded.addAndGet(written);
            current.flush();
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (closed) {
                ctx.close();
                return;
            }
            ByteBuf greeting = ctx.alloc().ioBuffer(FrameCodec.LENGTH_FIELD + hello.length);
            greeting.writeInt(hello.length).writeBytes(hello);
            ctx.writeAndFlush(greeting);
            channel = ctx.channel();
            retryMillis = FIRST_RETRY_MILLIS;
            failures = 0;
            if (everConnected) {
                LOG.info("Reconnected to node {} at {}", peer, where);
            } else {
                LOG.debug("Connected to node {} at {}", peer, where);
                everConnected = true;
            }
            drain();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                drain();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            channel = null;
            if (!closed) {
                // INFO: a node that leaves closes its data port around the time it leaves Hazelcast.
                LOG.info("Lost the connection to node {} at {}; reconnecting", peer, where);
                retryLater();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg); // A peer never sends anything back on this connection.
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("Connection to node {} failed", peer, cause);
            ctx.close();
        }
    }
}
