package io.corvid.broker.netty;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.transport.Connection;
import io.corvid.broker.transport.ConnectionAcceptor;
import io.corvid.broker.transport.ConnectionHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A stand-in for the engine's handler of one connection: records every call, counts
 * {@link #onClosed} and notes any call that arrives after it.
 */
final class RecordingHandler implements ConnectionHandler {

    /** One call from the transport. */
    record Event(String kind, Object value) {
    }

    final Connection connection;
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final AtomicInteger closedCount = new AtomicInteger();
    final AtomicInteger callsAfterClose = new AtomicInteger();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile Throwable closeCause;
    volatile Consumer<MqttPacket> onPacket = packet -> { };

    RecordingHandler(Connection connection) {
        this.connection = connection;
    }

    /** An acceptor that puts each new connection's handler into {@code accepted}. */
    static ConnectionAcceptor acceptorInto(BlockingQueue<RecordingHandler> accepted) {
        return connection -> {
            RecordingHandler handler = new RecordingHandler(connection);
            accepted.add(handler);
            return handler;
        };
    }

    @Override
    public void onPacket(MqttPacket packet) {
        noteIfClosed();
        events.add(new Event("packet", packet));
        onPacket.accept(packet);
    }

    @Override
    public void onDecodeError(DecodeResult.Error error, ProtocolVersion version) {
        noteIfClosed();
        events.add(new Event("error", new DecodeFailure(error, version)));
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        noteIfClosed();
        events.add(new Event("writable", writable));
    }

    @Override
    public void onClosed(Throwable cause) {
        closeCause = cause;
        closedCount.incrementAndGet();
        events.add(new Event("closed", cause));
        closed.countDown();
    }

    private void noteIfClosed() {
        if (closedCount.get() > 0) {
            callsAfterClose.incrementAndGet();
        }
    }

    /** The next event, waiting up to the test timeout. */
    Event next() throws InterruptedException {
        Event event = events.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no call from the transport within " + Await.TIMEOUT);
        }
        return event;
    }

    /** The next event of a kind, skipping others. */
    Event next(String kind) throws InterruptedException {
        while (true) {
            Event event = next();
            if (event.kind().equals(kind)) {
                return event;
            }
        }
    }

    /** Waits for onClosed. */
    void awaitClosed() throws InterruptedException {
        if (!closed.await(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("onClosed not called within " + Await.TIMEOUT);
        }
    }

    /** What was recorded so far, without waiting. */
    List<Event> recorded() {
        return new ArrayList<>(events);
    }
}
