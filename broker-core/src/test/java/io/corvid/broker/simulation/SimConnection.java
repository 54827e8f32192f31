package io.corvid.broker.simulation;

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
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A simulated network connection: its event loop is a lane of the {@link DeterministicScheduler};
 * what the engine flushes is encoded and decoded with the real codec and handed to the client's
 * own lane. A slow reader holds flushed packets back until it reads again; a network drop loses
 * everything still in flight in either direction.
 */
final class SimConnection implements Connection {
    private final DeterministicScheduler scheduler;
    private final DeterministicScheduler.Lane loop;
    private final DeterministicScheduler.Lane clientLane;
    private final Consumer<MqttPacket> toClient;
    private final SocketAddress remote;
    private final List<byte[]> written = new ArrayList<>();
    private final List<byte[]> heldBack = new ArrayList<>();
    /** Packets that arrived while the engine had turned reads off (back-pressure), in order. */
    private final List<MqttPacket> unread = new ArrayList<>();
    private boolean readEnabled = true;
    private ProtocolVersion version = ProtocolVersion.MQTT_3_1_1;
    private ConnectionHandler handler;
    private boolean writable = true;
    /** Closed by either side: nothing crosses the network any more. */
    private boolean closed;
    private boolean closeReported;
    /** The broker's process died: its side of the connection is gone without an {@code onClosed}. */
    private boolean crashed;
    /** The client hung: it sends nothing more on this connection (no PINGREQ either) but does not close it. */
    private boolean silent;
    /** Virtual time the client last sent a packet on this connection. */
    private long lastSentNanos;
    /** Virtual time the engine last turned reads back on, after turning them off. */
    private long readsResumedAtNanos = Long.MIN_VALUE;
    private int keepAliveSeconds;

    SimConnection(DeterministicScheduler scheduler, int id, DeterministicScheduler.Lane clientLane,
                  Consumer<MqttPacket> toClient) {
        this.scheduler = scheduler;
        this.loop = scheduler.lane("loop-" + id);
        this.clientLane = clientLane;
        this.toClient = toClient;
        this.remote = new InetSocketAddress("127.0.0.1", 10000 + id % 50000);
        this.lastSentNanos = scheduler.nanoTime();
    }

    SocketAddress remote() {
        return remote;
    }

    /** The keep alive the client asked for on this connection. */
    void keepAlive(int seconds) {
        keepAliveSeconds = seconds;
    }

    int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    DeterministicScheduler.Lane loop() {
        return loop;
    }

    void attach(ConnectionHandler connectionHandler) {
        this.handler = connectionHandler;
    }

    /** The client sends a packet; it reaches the broker on the loop unless the connection is gone by then. */
    void send(MqttPacket packet) {
        if (silent) {
            return;
        }
        lastSentNanos = scheduler.nanoTime();
        loop.execute(() -> {
            if (closed) {
                return;
            }
            if (readEnabled && unread.isEmpty()) {
                handler.onPacket(packet);
            } else {
                unread.add(packet);
            }
        });
    }

    /** The network goes away under the client (no DISCONNECT): in-flight packets are lost. */
    void drop() {
        loop.execute(() -> {
            heldBack.clear();
            unread.clear();
            closed = true;
            reportClosed();
        });
    }

    /** The client stops reading: the connection turns unwritable and flushed packets wait. */
    void stall() {
        loop.execute(() -> {
            if (!closed && writable) {
                writable = false;
                handler.onWritabilityChanged(false);
            }
        });
    }

    /** The client reads again: held packets arrive and the connection turns writable. */
    void resume() {
        loop.execute(() -> {
            if (!closed && !writable) {
                writable = true;
                deliver(heldBack);
                heldBack.clear();
                handler.onWritabilityChanged(true);
            }
        });
    }

    boolean isClosed() {
        return closed;
    }

    /** The client hangs on this connection: from now on it sends nothing on it. */
    void goSilent() {
        silent = true;
    }

    boolean isSilent() {
        return silent;
    }

    long lastSentNanos() {
        return lastSentNanos;
    }

    /** Whether the engine reads this connection now. */
    boolean readEnabled() {
        return readEnabled;
    }

    /** When the engine last turned reads back on, or {@link Long#MIN_VALUE} if it never turned them off. */
    long readsResumedAtNanos() {
        return readsResumedAtNanos;
    }

    /**
     * The broker's process died: the client sees its connection gone; the engine is told nothing
     * (its event loop died with it, see {@link DeterministicScheduler.Lane#kill()}).
     */
    void crash() {
        loop.kill();
        if (!closed) {
            crashed = true;
            closed = true;
            closeReported = true;
            written.clear();
            heldBack.clear();
            unread.clear();
        }
    }

    boolean crashed() {
        return crashed;
    }

    private void reportClosed() {
        if (!closeReported) {
            closeReported = true;
            handler.onClosed(null);
        }
    }

    @Override
    public void write(MqttPacket packet, ProtocolVersion packetVersion) {
        this.version = packetVersion;
        written.add(MqttEncoder.encode(packet, packetVersion));
    }

    @Override
    public void flush() {
        if (closed) {
            written.clear();
            return;
        }
        if (writable) {
            deliver(written);
        } else {
            heldBack.addAll(written);
        }
        written.clear();
    }

    private void deliver(List<byte[]> packets) {
        for (byte[] bytes : packets) {
            DecodeResult result = MqttDecoder.forClient(version, Integer.MAX_VALUE).decode(ByteBuffer.wrap(bytes));
            if (!(result instanceof DecodeResult.Decoded decoded)) {
                throw new AssertionError("the engine wrote bytes a client cannot decode: " + result);
            }
            clientLane.execute(() -> toClient.accept(decoded.packet()));
        }
    }

    @Override
    public void close() {
        flush();
        // What a slow reader had not read yet is lost with the socket, as in a real close.
        heldBack.clear();
        unread.clear();
        if (!closed) {
            closed = true;
            loop.execute(this::reportClosed);
        }
    }

    @Override
    public boolean isWritable() {
        return writable && !closed;
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        if (enabled && !readEnabled) {
            readsResumedAtNanos = scheduler.nanoTime();
        }
        readEnabled = enabled;
        if (enabled && !unread.isEmpty()) {
            loop.execute(this::readUnread);
        }
    }

    /** Hands over what arrived while reads were off, in order, until reads are turned off again. */
    private void readUnread() {
        while (readEnabled && !closed && !unread.isEmpty()) {
            handler.onPacket(unread.remove(0));
        }
    }

    @Override
    public Executor executor() {
        return loop;
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        DeterministicScheduler.Timer timer = scheduler.schedule(loop, task, unit.toNanos(delay), 0);
        return () -> timer.cancel(false);
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public TransportInfo transportInfo() {
        return TransportInfo.plain("sim");
    }
}
