package io.corvid.broker.benchmarks.load;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A lean MQTT client connection on Netty, one per channel, built on Corvid's codec: packets are
 * encoded with {@link MqttEncoder} straight into pooled buffers of their exact size and decoded
 * with {@link MqttDecoder#forClient}. It speaks CONNECT/CONNACK, SUBSCRIBE/SUBACK, PINGREQ and
 * PUBLISH at QoS 0, 1 and 2 in both directions, acknowledging what it receives (PUBACK; PUBREC
 * then PUBCOMP on PUBREL) and tracking what it sends with its own packet identifiers and inflight
 * window.
 *
 * <p>Everything but {@link #inflight()} and the futures runs on the channel's event loop. Writes
 * are not flushed one by one: acknowledgements are flushed once per read batch, publishes once
 * per {@link Sender} batch. A subscriber stops reading while its channel is not writable, so
 * that unsent acknowledgements never pile up.
 */
public final class NettyMqttConnection extends ByteToMessageDecoder {

    /** What the connection tells its owner. Called on the event loop; default: nothing. */
    public interface Events {
        /** A PUBLISH arrived (it was acknowledged already). */
        default void message(Publish publish, long nowNanos) {
        }

        /** An outgoing QoS 1/2 PUBLISH completed (PUBACK or PUBCOMP) or failed. */
        default void completed(boolean success) {
        }

        /** The end of a read batch: a good moment to send more. */
        default void readComplete() {
        }

        /** The channel became writable again. */
        default void writable() {
        }

        /** The connection closed without {@link #disconnect()} asking for it. */
        default void lost(String reason) {
        }
    }

    private static final int MAX_INCOMING_PACKET = 64 * 1024 * 1024;

    private final ProtocolVersion version;
    private final Connect connect;
    private final boolean pauseReadsWhenUnwritable;
    private final int windowLimit;
    private volatile Events events;
    private final MqttDecoder decoder;
    private final ArrayDeque<Promise<Void>> pings = new ArrayDeque<>();

    private volatile ChannelHandlerContext ctx;
    private Promise<ConnAck> connAck;
    private Promise<SubAck> subAck;
    private ScheduledFuture<?> keepAliveTask;
    private int window;
    private boolean[] idInUse; // allocated when the connection first publishes at QoS 1/2
    private int nextId = 1;
    private volatile int inflight;
    private volatile long connAckNanos;
    private boolean closing;
    private boolean failed;
    private boolean readsHeld;
    private String disconnectReason;

    // The PUBLISH this connection sends, without payload and packet identifier: set by publisher().
    private Publish template;
    private int templateHeaderSize;

    /**
     * @param connect                  the CONNECT to send when the channel is active
     * @param windowLimit              most outgoing QoS 1/2 messages in flight (lowered to the
     *                                 broker's Receive Maximum)
     * @param pauseReadsWhenUnwritable stop reading while writes back up (subscribers)
     */
    public NettyMqttConnection(Connect connect, int windowLimit, boolean pauseReadsWhenUnwritable, Events events) {
        this.version = connect.protocolVersion();
        this.connect = connect;
        this.windowLimit = Math.max(1, Math.min(windowLimit, 65535));
        this.window = this.windowLimit;
        this.pauseReadsWhenUnwritable = pauseReadsWhenUnwritable;
        this.events = events;
        this.decoder = MqttDecoder.forClient(version, MAX_INCOMING_PACKET);
    }

    /** Session Expiry Interval of a persistent MQTT 5.0 session: an hour. */
    public static final long PERSISTENT_SESSION_EXPIRY_SECONDS = 3600;

    /** A clean-start CONNECT; MQTT 5.0 asks for the largest Receive Maximum and no topic aliases. */
    public static Connect connectPacket(ProtocolVersion version, String clientId, int keepAliveSeconds) {
        return connectPacket(version, clientId, keepAliveSeconds, false);
    }

    /**
     * A CONNECT; MQTT 5.0 asks for the largest Receive Maximum and no topic aliases.
     *
     * @param persistent false: a clean start whose session ends with the connection; true: a
     *                   persistent session the broker keeps (and stores) while the client is away,
     *                   resumed if there is one: Clean Session 0 (MQTT 3.1.1), or Clean Start 0
     *                   and a Session Expiry Interval of {@value #PERSISTENT_SESSION_EXPIRY_SECONDS} s (5.0)
     */
    public static Connect connectPacket(ProtocolVersion version, String clientId, int keepAliveSeconds,
                                        boolean persistent) {
        Properties properties = Properties.EMPTY;
        if (version.isV5()) {
            Properties.Builder builder = Properties.builder().put(Property.RECEIVE_MAXIMUM, 65535);
            if (persistent) {
                builder.put(Property.SESSION_EXPIRY_INTERVAL, PERSISTENT_SESSION_EXPIRY_SECONDS);
            }
            properties = builder.build();
        }
        return new Connect(version, clientId, !persistent, keepAliveSeconds, null, null, null, properties);
    }

    /** Completed with the CONNACK, whatever its reason code; failed if the connection closes first. */
    public Future<ConnAck> connAck() {
        return connAck;
    }

    /** System.nanoTime() when the read that brought the CONNACK began, or 0 before it. */
    public long connAckNanos() {
        return connAckNanos;
    }

    /** Replaces the event receiver. */
    public void events(Events receiver) {
        this.events = receiver;
    }

    /** Whether the connection was added to a channel (so {@link #connAck()} exists). */
    public boolean started() {
        return ctx != null;
    }

    /** The channel. */
    public Channel channel() {
        return ctx.channel();
    }

    /** Why the connection was lost, or null. */
    public String failure() {
        return disconnectReason;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        this.connAck = context.executor().newPromise();
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        write(connect);
        context.flush();
        int keepAlive = connect.keepAlive();
        if (keepAlive > 0) {
            long period = Math.max(1, keepAlive * 1000L / 2);
            keepAliveTask = context.executor().scheduleAtFixedRate(this::keepAlive, period, period,
                    TimeUnit.MILLISECONDS);
        }
        super.channelActive(context);
    }

    private void keepAlive() {
        if (ctx.channel().isActive()) {
            write(PingReq.INSTANCE);
            ctx.flush();
        }
    }

    // ------------------------------------------------------------------ requests

    /** Sends SUBSCRIBE (packet identifier 1, the only one outstanding) and flushes. Any thread. */
    public Future<SubAck> subscribe(List<Subscription> subscriptions) {
        Promise<SubAck> promise = ctx.executor().newPromise();
        ctx.executor().execute(() -> {
            if (subAck != null && !subAck.isDone()) {
                promise.setFailure(new IllegalStateException("a SUBSCRIBE is outstanding"));
                return;
            }
            subAck = promise;
            write(new Subscribe(1, subscriptions, Properties.EMPTY));
            ctx.flush();
        });
        return promise;
    }

    /** Sends PINGREQ; completes on PINGRESP. The broker answers in order, so it marks everything before. Any thread. */
    public Future<Void> ping() {
        Promise<Void> promise = ctx.executor().newPromise();
        ctx.executor().execute(() -> {
            pings.add(promise);
            write(PingReq.INSTANCE);
            ctx.flush();
        });
        return promise;
    }

    /**
     * Stops reading from the socket ({@code true}) until called again with {@code false}: a
     * subscriber that misbehaves on purpose. Bytes already read are still decoded; nothing more
     * is read, so the broker sees a full TCP window. Writability does not resume reading while
     * held. Any thread; the returned future completes once it took effect (at once when called
     * on the event loop).
     */
    public Future<Void> holdReads(boolean hold) {
        Promise<Void> done = ctx.executor().newPromise();
        Runnable apply = () -> {
            readsHeld = hold;
            Channel channel = ctx.channel();
            channel.config().setAutoRead(!hold && (!pauseReadsWhenUnwritable || channel.isWritable()));
            done.setSuccess(null);
        };
        // On the event loop (a SUBACK listener) at once, so that not one more read happens.
        if (ctx.executor().inEventLoop()) {
            apply.run();
        } else {
            ctx.executor().execute(apply);
        }
        return done;
    }

    /** Sends DISCONNECT and closes; the close is not reported as lost. Any thread. */
    public Future<Void> disconnect() {
        Promise<Void> done = ctx.executor().newPromise();
        ctx.executor().execute(() -> {
            closing = true;
            if (ctx.channel().isActive()) {
                write(Disconnect.NORMAL);
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
            }
            ctx.channel().closeFuture().addListener(f -> done.trySuccess(null));
        });
        return done;
    }

    // ------------------------------------------------------------------ publishing (event loop)

    /**
     * Sets what {@link #sendPublish} sends: topic, QoS, retain and payload size.
     *
     * @param payloadSize at least {@link Payload#HEADER_SIZE}
     */
    public void publisher(String topic, QoS qos, boolean retain, int payloadSize) {
        Publish publish = new Publish(topic, qos, retain, false, qos == QoS.AT_MOST_ONCE ? 0 : 1,
                new byte[payloadSize], Properties.EMPTY);
        this.template = publish;
        this.templateHeaderSize = MqttEncoder.publishHeaderSize(publish, version);
    }

    /** How many more QoS 1/2 messages may be sent now. */
    public int windowFree() {
        return template != null && template.qos() == QoS.AT_MOST_ONCE ? Integer.MAX_VALUE : window - inflight;
    }

    /** Outgoing QoS 1/2 messages not yet completed. Any thread. */
    public int inflight() {
        return inflight;
    }

    /** Whether the channel takes more writes now. */
    public boolean writable() {
        return ctx.channel().isWritable();
    }

    /**
     * Writes one PUBLISH of the {@link #publisher} kind carrying a {@link Payload} header, without
     * flushing: the header is encoded by the codec into a buffer of the exact size, the payload
     * header follows, then zeros.
     */
    public void sendPublish(int publisher, int sequence, long sendNanos, boolean measured) {
        Publish header = template;
        if (header.qos() != QoS.AT_MOST_ONCE) {
            header = header.withPacketId(allocateId());
            inflight++;
        }
        int payloadSize = header.payload().length;
        int size = templateHeaderSize + payloadSize;
        ByteBuf buf = ctx.alloc().ioBuffer(size, size);
        ByteBuffer view = buf.internalNioBuffer(0, templateHeaderSize);
        MqttEncoder.encodePublishHeader(header, version, view);
        buf.writerIndex(templateHeaderSize);
        Payload.write(buf, publisher, sequence, sendNanos, measured);
        buf.writeZero(payloadSize - Payload.HEADER_SIZE);
        ctx.write(buf, ctx.voidPromise());
    }

    /** Writes any packet (an empty retained PUBLISH, say), allocating a packet identifier for QoS 1/2. */
    public void sendPacket(Publish publish) {
        Publish numbered = publish;
        if (publish.qos() != QoS.AT_MOST_ONCE) {
            numbered = publish.withPacketId(allocateId());
            inflight++;
        }
        write(numbered);
    }

    /** Flushes what was written. */
    public void flush() {
        ctx.flush();
    }

    private int allocateId() {
        if (idInUse == null) {
            idInUse = new boolean[65536];
        }
        // The window is at most 65,535, so a free identifier exists whenever there is room.
        for (int i = 0; i < 65535; i++) {
            int id = nextId;
            nextId = id == 65535 ? 1 : id + 1;
            if (!idInUse[id]) {
                idInUse[id] = true;
                return id;
            }
        }
        throw new IllegalStateException("no free packet identifier");
    }

    private void releaseId(int id, boolean success) {
        if (idInUse == null || !idInUse[id]) {
            protocolFailure("acknowledgement for packet identifier " + id + " that is not in flight");
            return;
        }
        idInUse[id] = false;
        inflight--;
        events.completed(success);
    }

    // ------------------------------------------------------------------ reading

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
        int start = view.position();
        long now = System.nanoTime();
        while (!failed) {
            DecodeResult result = decoder.decode(view);
            if (result instanceof DecodeResult.Decoded decoded) {
                handle(decoded.packet(), now);
            } else if (result instanceof DecodeResult.Error error) {
                protocolFailure("undecodable packet from the broker: " + error.reasonCode() + " " + error.message());
                in.skipBytes(in.readableBytes());
                return;
            } else {
                break;
            }
        }
        in.skipBytes(view.position() - start);
    }

    private void handle(MqttPacket packet, long now) {
        switch (packet.type()) {
            case PUBLISH -> {
                Publish publish = (Publish) packet;
                if (publish.qos() == QoS.AT_LEAST_ONCE) {
                    write(new PubAck(publish.packetId()));
                } else if (publish.qos() == QoS.EXACTLY_ONCE) {
                    write(new PubRec(publish.packetId()));
                }
                events.message(publish, now);
            }
            case PUBACK -> {
                PubAck ack = (PubAck) packet;
                releaseId(ack.packetId(), ack.reasonCode().value() < 0x80);
            }
            case PUBREC -> {
                PubRec rec = (PubRec) packet;
                if (rec.reasonCode().value() >= 0x80) {
                    releaseId(rec.packetId(), false);
                } else {
                    write(new PubRel(rec.packetId()));
                }
            }
            case PUBREL -> write(new PubComp(((PubRel) packet).packetId()));
            case PUBCOMP -> releaseId(((PubComp) packet).packetId(), true);
            case CONNACK -> {
                ConnAck ack = (ConnAck) packet;
                int receiveMaximum = ack.properties().getInt(Property.RECEIVE_MAXIMUM, 65535);
                window = Math.max(1, Math.min(windowLimit, receiveMaximum));
                connAckNanos = now;
                connAck.trySuccess(ack);
            }
            case SUBACK -> {
                if (subAck != null) {
                    subAck.trySuccess((SubAck) packet);
                }
            }
            case PINGRESP -> {
                Promise<Void> ping = pings.poll();
                if (ping != null) {
                    ping.trySuccess(null);
                }
            }
            case DISCONNECT -> {
                Disconnect disconnect = (Disconnect) packet;
                protocolFailure("DISCONNECT from the broker: " + disconnect.reasonCode());
            }
            default -> protocolFailure("unexpected " + packet.type() + " from the broker");
        }
    }

    private void write(MqttPacket packet) {
        int size = MqttEncoder.encodedSize(packet, version);
        ByteBuf buf = ctx.alloc().ioBuffer(size, size);
        MqttEncoder.encode(packet, version, buf.internalNioBuffer(0, size));
        buf.writerIndex(size);
        ctx.write(buf, ctx.voidPromise());
    }

    private void protocolFailure(String reason) {
        if (disconnectReason == null) {
            disconnectReason = reason;
        }
        failed = true;
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) throws Exception {
        // Not ByteToMessageDecoder's own: with auto-read off it asks for one more read whenever a
        // read passed no message down the pipeline, and this decoder never passes any (it handles
        // the packets itself), so a connection told to stop reading would read on regardless.
        // Auto-read is this client's only read control.
        discardSomeReadBytes();
        context.fireChannelReadComplete();
        context.flush();
        events.readComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) throws Exception {
        boolean writable = context.channel().isWritable();
        if (pauseReadsWhenUnwritable && !readsHeld) {
            context.channel().config().setAutoRead(writable);
        }
        if (writable) {
            events.writable();
        }
        super.channelWritabilityChanged(context);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
        }
        String reason = disconnectReason != null ? disconnectReason : "connection closed by the broker";
        IllegalStateException closed = new IllegalStateException(reason);
        connAck.tryFailure(closed);
        if (subAck != null) {
            subAck.tryFailure(closed);
        }
        for (Promise<Void> ping : pings) {
            ping.tryFailure(closed);
        }
        pings.clear();
        if (!closing) {
            disconnectReason = reason;
            events.lost(reason);
        }
        super.channelInactive(context);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (disconnectReason == null && !closing) {
            disconnectReason = cause.toString();
        }
        context.close();
    }
}
