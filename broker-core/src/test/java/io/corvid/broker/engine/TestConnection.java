package io.corvid.broker.engine;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.transport.Connection;
import io.corvid.broker.transport.ConnectionHandler;
import io.corvid.broker.transport.TransportInfo;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Connection} without a socket: one thread stands in for the event loop, and what
 * the engine writes is encoded with the real encoder, then decoded again with a client-side
 * decoder when flushed, so tests see exactly what a client would receive, and only what was
 * flushed.
 */
final class TestConnection implements Connection {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    final ScheduledExecutorService loop;
    final BlockingQueue<MqttPacket> received = new LinkedBlockingQueue<>();
    final CountDownLatch closed = new CountDownLatch(1);
    final AtomicInteger onClosedCalls = new AtomicInteger();
    private final List<Written> pending = new ArrayList<>();
    private final SocketAddress remote;
    private final String listenerName;
    volatile ConnectionHandler handler;
    volatile boolean writable = true;
    volatile boolean readEnabled = true;
    volatile TransportInfo transportInfo;
    private volatile boolean closing;

    TestConnection(String name) {
        this(name, "test");
    }

    TestConnection(String name, String listenerName) {
        int id = COUNTER.incrementAndGet();
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "test-loop-" + name + "-" + id);
            thread.setDaemon(true);
            return thread;
        });
        this.remote = new InetSocketAddress("127.0.0.1", 40000 + id % 20000);
        this.listenerName = listenerName;
    }

    private record Written(byte[] bytes, ProtocolVersion version) {
    }

    @Override
    public void write(MqttPacket packet, ProtocolVersion version) {
        pending.add(new Written(MqttEncoder.encode(packet, version), version));
    }

    @Override
    public void flush() {
        for (Written written : pending) {
            MqttDecoder decoder = MqttDecoder.forClient(written.version(), Integer.MAX_VALUE);
            DecodeResult result = decoder.decode(ByteBuffer.wrap(written.bytes()));
            if (!(result instanceof DecodeResult.Decoded decoded)) {
                throw new AssertionError("the engine wrote bytes a client cannot decode: " + result);
            }
            received.add(decoded.packet());
        }
        pending.clear();
    }

    @Override
    public void close() {
        flush();
        if (!closing) {
            closing = true;
            closed.countDown();
            loop.execute(this::reportClosed);
        }
    }

    /** The client side vanishes without a DISCONNECT. */
    void dropFromNetwork() {
        loop.execute(() -> {
            if (!closing) {
                closing = true;
                closed.countDown();
                reportClosed();
            }
        });
    }

    private void reportClosed() {
        onClosedCalls.incrementAndGet();
        handler.onClosed(null);
    }

    boolean isClosed() {
        return closing;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        readEnabled = enabled;
    }

    @Override
    public Executor executor() {
        return loop;
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            ScheduledFuture<?> future = loop.schedule(task, delay, unit);
            return () -> future.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return () -> { };
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public TransportInfo transportInfo() {
        return transportInfo != null ? transportInfo : TransportInfo.plain(listenerName);
    }

    void shutdown() {
        loop.shutdownNow();
    }
}
