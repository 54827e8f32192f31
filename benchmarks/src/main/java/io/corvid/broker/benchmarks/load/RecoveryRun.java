package io.corvid.broker.benchmarks.load;

import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscription;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recovery scenario: a persistent session's stored messages across a broker restart.
 *
 * <p>{@code fill}: a subscriber connects with a persistent session (Clean Session 0; MQTT 5.0:
 * Clean Start 0 and Session Expiry Interval 3600 s), subscribes to {@code bench/recovery/<session>}
 * and disconnects; a clean publisher then sends {@code --messages} messages there (QoS 1 by
 * default, at most {@code --window} in flight) and waits for every acknowledgement: a broker with
 * a durable store has stored them all by then. {@code drain} (after the restart): the subscriber
 * resumes its session, which must be present, subscribes to nothing, and counts what arrives; timed
 * from the start of its TCP connect to the CONNACK, the first and the last message (after a
 * throw-away connection has warmed up the generator's own client). Then the session is discarded
 * (a clean connect). {@code both}: fill, then drain, on one broker.
 *
 * <p>Payloads carry the generator's header (publisher 0, sequence numbers 0 to N-1), so loss
 * and duplicates are exact.
 */
public final class RecoveryRun {
    private static final int PUMP_BATCH = 1024;

    private final Settings settings;
    private final RecoverySettings recovery;
    private final RunControl control;
    private final PrintStream log;

    public RecoveryRun(Settings settings, RunControl control, PrintStream log) {
        this.settings = settings;
        this.recovery = settings.recovery();
        this.control = control;
        this.log = log;
    }

    public Result run() throws Exception {
        Result result = new Result()
                .put("scenario", "recovery")
                .put("phase", recovery.phase().label())
                .put("client", "netty")
                .put("protocol", settings.protocolLabel())
                .put("qos", settings.qos().value())
                .put("payload", settings.payload())
                .put("messages", recovery.messages())
                .put("window", settings.window())
                .put("session", recovery.session());
        boolean complete = true;
        try (NettyClients clients = new NettyClients(settings.threads())) {
            if (recovery.phase() != RecoverySettings.Phase.DRAIN) {
                complete = fill(clients, result);
            }
            if (complete && recovery.phase() != RecoverySettings.Phase.FILL) {
                complete = drain(clients, result);
            }
        } catch (Exception e) {
            control.error(e.getMessage() != null ? e.getMessage() : e.toString());
            complete = false;
        }
        String status = control.errors() > 0 ? "ERROR" : complete ? "ok" : "LOSS";
        result.put("errors", control.errors()).put("status", status);
        return result;
    }

    // ------------------------------------------------------------------ fill

    /** Creates the session, leaves it, publishes to it; returns whether every message was acknowledged. */
    private boolean fill(NettyClients clients, Result result) throws Exception {
        String topic = recovery.topic();
        QoS qos = settings.qos();
        int count = recovery.messages();

        AtomicLong early = new AtomicLong();
        NettyMqttConnection subscriber = connect(clients, recovery.session(), true, new NettyMqttConnection.Events() {
            @Override
            public void message(Publish publish, long nowNanos) {
                early.incrementAndGet();
            }
        });
        if (subscriber.connAck().getNow().sessionPresent()) {
            subscriber.disconnect().await(5, TimeUnit.SECONDS);
            throw new IllegalStateException("session " + recovery.session() + " exists already on the broker: "
                    + "name a new one (--session), or leave --session out for a random one");
        }
        SubAck ack = subscriber.subscribe(List.of(new Subscription(topic, qos))).get(60, TimeUnit.SECONDS);
        if (ack.reasonCodes().get(0).value() != qos.value()) {
            throw new IllegalStateException("SUBSCRIBE " + topic + " at QoS " + qos.value() + " answered "
                    + ack.reasonCodes().get(0));
        }
        subscriber.disconnect().await(10, TimeUnit.SECONDS);
        if (early.get() > 0) {
            control.error("the new session received " + early.get() + " messages before anything was published");
        }

        NettyMqttConnection publisher = connect(clients, recovery.session() + "-pub", false,
                new NettyMqttConnection.Events() { });
        publisher.publisher(topic, qos, false, settings.payload());
        AtomicInteger sent = new AtomicInteger();
        AtomicLong refused = new AtomicLong();
        long start = System.nanoTime();
        String failure = publishAll(publisher, count, sent, refused);
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        int acknowledged = sent.get() - publisher.inflight();
        publisher.disconnect().await(10, TimeUnit.SECONDS);
        if (failure != null) {
            control.error("publisher: " + failure);
        }
        if (refused.get() > 0) {
            control.error("the broker refused " + refused.get() + " messages");
        }
        result.put("sent", sent.get())
                .put("acked", acknowledged)
                .put("publish_s", seconds, 3)
                .put("msgs_per_s_in", acknowledged / seconds, 0);
        log.printf(Locale.ROOT, "recovery fill: session %s on %s; %,d of %,d messages acknowledged in %.2f s "
                        + "(%,d msg/s, window %d, QoS %d, %d B)%n", recovery.session(), topic, acknowledged, count,
                seconds, Math.round(acknowledged / seconds), settings.window(), qos.value(), settings.payload());
        return failure == null && acknowledged == count;
    }

    /**
     * Sends {@code count} messages within the connection's window and waits for their
     * acknowledgements; returns null when all were acknowledged, else why not.
     */
    private String publishAll(NettyMqttConnection connection, int count, AtomicInteger sent, AtomicLong refused)
            throws InterruptedException {
        EventLoop loop = connection.channel().eventLoop();
        Promise<Void> done = loop.newPromise();
        Runnable pump = new Runnable() {
            @Override
            public void run() {
                int batch = 0;
                int next = sent.get();
                while (next < count && batch < PUMP_BATCH && connection.channel().isActive()
                        && connection.writable() && connection.windowFree() > 0) {
                    connection.sendPublish(0, next, System.nanoTime(), true);
                    next++;
                    batch++;
                }
                sent.set(next);
                if (batch > 0) {
                    connection.flush();
                }
                if (!connection.channel().isActive()) {
                    done.tryFailure(new IllegalStateException("connection lost: " + connection.failure()));
                } else if (next >= count && connection.inflight() == 0) {
                    done.trySuccess(null);
                } else if (batch == PUMP_BATCH) {
                    loop.execute(this);
                }
            }
        };
        connection.events(new NettyMqttConnection.Events() {
            @Override
            public void completed(boolean success) {
                if (!success) {
                    refused.incrementAndGet();
                }
            }

            @Override
            public void readComplete() {
                pump.run();
            }

            @Override
            public void writable() {
                pump.run();
            }

            @Override
            public void lost(String reason) {
                done.tryFailure(new IllegalStateException("connection lost: " + reason));
            }
        });
        loop.execute(pump);
        if (!done.await((long) (recovery.timeoutSeconds() * 1000), TimeUnit.MILLISECONDS)) {
            return "not every message acknowledged after " + recovery.timeoutSeconds() + " s";
        }
        return done.isSuccess() ? null : done.cause().getMessage();
    }

    // ------------------------------------------------------------------ drain

    /** Resumes the session and receives what it holds; returns whether every message arrived once. */
    private boolean drain(NettyClients clients, Result result) throws Exception {
        int count = recovery.messages();
        StreamTracker tracker = new StreamTracker(null);
        AtomicLong received = new AtomicLong();
        AtomicLong unexpected = new AtomicLong();
        long[] arrivals = new long[2]; // first, last; written on the event loop, read under the tracker's lock
        NettyMqttConnection.Events events = new NettyMqttConnection.Events() {
            @Override
            public void message(Publish publish, long nowNanos) {
                received.incrementAndGet();
                byte[] payload = publish.payload();
                synchronized (tracker) {
                    if (arrivals[0] == 0) {
                        arrivals[0] = nowNanos;
                    }
                    arrivals[1] = nowNanos;
                    if (Payload.hasHeader(payload) && Payload.publisher(payload) == 0) {
                        tracker.record(Payload.sequence(payload));
                    } else {
                        unexpected.incrementAndGet();
                    }
                }
            }

            @Override
            public void lost(String reason) {
                control.error("the resumed subscriber lost its connection: " + reason);
            }
        };
        // The generator's first connection pays for its own class loading and JIT: not the broker's time.
        NettyMqttConnection warmUp = connect(clients, recovery.session() + "-warmup", false,
                new NettyMqttConnection.Events() { });
        warmUp.ping().await(10, TimeUnit.SECONDS);
        warmUp.disconnect().await(10, TimeUnit.SECONDS);

        long start = System.nanoTime();
        NettyMqttConnection subscriber = connect(clients, recovery.session(), true, events);
        long connAckNanos = subscriber.connAckNanos();
        boolean present = subscriber.connAck().getNow().sessionPresent();
        if (!present) {
            control.error("CONNACK without Session Present: the broker kept no session " + recovery.session());
        }
        long deadline = start + (long) (recovery.timeoutSeconds() * 1e9);
        long stallNanos = (long) (recovery.stallSeconds() * 1e9);
        String end = "complete";
        while (true) {
            long distinct;
            long last;
            synchronized (tracker) {
                distinct = tracker.distinct();
                last = arrivals[1];
            }
            long now = System.nanoTime();
            if (distinct >= count) {
                break;
            }
            if (!subscriber.channel().isActive()) {
                end = "disconnected";
                break;
            }
            if (now > deadline) {
                end = "timeout";
                break;
            }
            if (stallNanos > 0 && now - Math.max(last, connAckNanos) > stallNanos) {
                end = "stalled";
                break;
            }
            Thread.sleep(1);
        }
        long stop = System.nanoTime();
        // A PINGREQ round trip: whatever the broker sent before its PINGRESP has arrived (duplicates too).
        if (subscriber.channel().isActive()) {
            subscriber.ping().await(10, TimeUnit.SECONDS);
        }
        long distinct;
        long duplicates;
        long first;
        long last;
        synchronized (tracker) {
            distinct = tracker.distinct();
            duplicates = tracker.duplicates();
            first = arrivals[0];
            last = arrivals[1];
        }
        if (subscriber.channel().isActive()) {
            subscriber.disconnect().await(10, TimeUnit.SECONDS);
        }
        // The session has done its work: end it, so that the broker does not keep it.
        try {
            connect(clients, recovery.session(), false, new NettyMqttConnection.Events() { })
                    .disconnect().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.println("# warning: could not discard session " + recovery.session() + ": " + e.getMessage());
        }

        boolean complete = distinct >= count;
        double receiveSeconds = ((complete ? last : stop) - start) / 1e9;
        double firstMillis = first == 0 ? -1 : (first - start) / 1e6;
        double connAckMillis = (connAckNanos - start) / 1e6;
        double deliverSeconds = complete && first != 0 ? (last - connAckNanos) / 1e9 : -1;
        long lost = count - distinct;
        result.put("session_present", present)
                .put("connack_ms", connAckMillis, 1)
                .put("first_ms", firstMillis, 1)
                .put("receive_s", receiveSeconds, 3)
                .put("deliver_s", deliverSeconds, 3)
                .put("msgs_per_s_out", distinct / Math.max(1e-9, receiveSeconds), 0)
                .put("expected", count)
                .put("received", distinct)
                .put("lost", lost)
                .put("dup", duplicates)
                .put("end", end);
        if (unexpected.get() > 0) {
            result.put("unexpected", unexpected.get());
            control.error(unexpected.get() + " messages that the filler did not send");
        }
        log.printf(Locale.ROOT, "recovery drain: session %s %s; CONNACK after %.1f ms, first message after %.1f ms, "
                        + "%,d of %,d received in %.3f s (%,d msg/s), %d lost, %d duplicates (%s)%n",
                recovery.session(), present ? "resumed" : "NOT present", connAckMillis, firstMillis, distinct, count,
                receiveSeconds, Math.round(distinct / Math.max(1e-9, receiveSeconds)), lost, duplicates, end);
        return complete && duplicates == 0;
    }

    // ------------------------------------------------------------------ connections

    private NettyMqttConnection connect(NettyClients clients, String clientId, boolean persistent,
                                        NettyMqttConnection.Events events) throws Exception {
        NettyMqttConnection connection = new NettyMqttConnection(
                NettyMqttConnection.connectPacket(settings.protocol(), clientId, settings.keepAlive(), persistent),
                settings.window(), persistent, events);
        clients.connect(settings.broker(), null, connection).sync();
        ConnAck ack = connection.connAck().get(60, TimeUnit.SECONDS);
        if (ack.reasonCode() != ReasonCode.SUCCESS) {
            connection.channel().close();
            throw new IllegalStateException(clientId + ": CONNACK " + ack.reasonCode());
        }
        return connection;
    }
}
