package io.corvid.broker.benchmarks.load;

import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscription;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stores N retained messages on distinct topics ({prefix}/0 .. {prefix}/N-1, under
 * {@code bench/retained/<run>}), then times a subscription to {prefix}/# from SUBSCRIBE until
 * all N have arrived. Storing is timed too: from the first PUBLISH to the acknowledgement of the
 * last, followed by a PINGREQ round trip (the broker handles a connection's packets in order, so
 * its PINGRESP means every PUBLISH before it was handled, also at QoS 0). Afterwards the messages
 * are deleted again (empty retained PUBLISHes at QoS 1). A smaller warm-up round runs first.
 */
public final class RetainedRun {
    private static final int WARMUP_MESSAGES = 10_000;
    private static final long FETCH_STALL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int WINDOW_QOS0_BATCH = 256;

    private final Settings settings;
    private final RunControl control;
    private final PrintStream log;

    public RetainedRun(Settings settings, RunControl control, PrintStream log) {
        this.settings = settings;
        this.control = control;
        this.log = log;
    }

    public Result run() throws Exception {
        String runId = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        int count = settings.retainedCount();
        QoS qos = settings.qos();
        try (NettyClients clients = new NettyClients(settings.threads())) {
            if (settings.warmupSeconds() > 0) {
                String prefix = "bench/retained/" + runId + "w";
                int warm = Math.min(count, WARMUP_MESSAGES);
                Round round = new Round(clients, prefix, warm, qos, runId + "w");
                round.store();
                round.fetch();
                round.delete();
                log.printf(Locale.ROOT, "# retained: warm-up stored and fetched %d of %d%n", round.distinct(), warm);
            }
            Round round = new Round(clients, "bench/retained/" + runId, count, qos, runId);
            double storeSeconds = round.store();
            double fetchSeconds = round.fetch();
            long distinct = round.distinct();
            long duplicates = round.tracker.duplicates();
            long lost = count - distinct;
            round.delete();

            String status = control.errors() > 0 ? "ERROR" : lost > 0 || duplicates > 0 ? "LOSS" : "ok";
            Result result = new Result()
                    .put("scenario", "retained")
                    .put("client", "netty")
                    .put("protocol", settings.protocolLabel())
                    .put("qos", qos.value())
                    .put("payload", settings.payload())
                    .put("retained_count", count)
                    .put("sent", count)
                    .put("received", round.received.get())
                    .put("lost", lost)
                    .put("dup", duplicates)
                    .put("not_retained", round.notRetained.get())
                    .put("store_s", storeSeconds, 3)
                    .put("store_per_s", count / storeSeconds, 0)
                    .put("first_ms", round.firstMillis, 2)
                    .put("fetch_ms", fetchSeconds * 1000, 1)
                    .put("msgs_per_s_out", distinct / fetchSeconds, 0)
                    .put("errors", control.errors())
                    .put("status", status);
            log.printf(Locale.ROOT, "retained qos=%d: stored %,d in %.2f s (%,d/s); '#' received %,d in %.1f ms "
                            + "(first after %.2f ms, %,d msg/s); lost %d, %d duplicates, %d errors: %s%n",
                    qos.value(), count, storeSeconds, Math.round(count / storeSeconds), distinct, fetchSeconds * 1000,
                    round.firstMillis, Math.round(distinct / fetchSeconds), lost, duplicates, control.errors(), status);
            return result;
        }
    }

    /** One store, fetch and delete of {@code count} messages under {@code prefix}. */
    private final class Round {
        final NettyClients clients;
        final String prefix;
        final int count;
        final QoS qos;
        final String idPrefix;
        final StreamTracker tracker = new StreamTracker(null);
        final AtomicLong received = new AtomicLong();
        final AtomicLong notRetained = new AtomicLong();
        volatile long lastArrival;
        volatile long firstArrival;
        double firstMillis;

        Round(NettyClients clients, String prefix, int count, QoS qos, String idPrefix) {
            this.clients = clients;
            this.prefix = prefix;
            this.count = count;
            this.qos = qos;
            this.idPrefix = idPrefix;
        }

        long distinct() {
            synchronized (tracker) {
                return tracker.distinct();
            }
        }

        /** Publishes every message; returns the seconds until the broker has handled them all. */
        double store() throws Exception {
            NettyMqttConnection publisher = connect("lg-" + idPrefix + "-rp", null);
            long start = System.nanoTime();
            publishAll(publisher, i -> {
                byte[] payload = Payload.create(settings.payload(), 0, i, System.nanoTime(), true);
                return new Publish(prefix + "/" + i, qos, true, false, qos == QoS.AT_MOST_ONCE ? 0 : 1, payload,
                        Properties.EMPTY);
            });
            publisher.ping().get(300, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            publisher.disconnect().await(5, TimeUnit.SECONDS);
            return seconds;
        }

        /** Subscribes to {prefix}/#; returns the seconds from SUBSCRIBE to the last message. */
        double fetch() throws Exception {
            NettyMqttConnection subscriber = connect("lg-" + idPrefix + "-rs", new NettyMqttConnection.Events() {
                @Override
                public void message(Publish publish, long nowNanos) {
                    received.incrementAndGet();
                    if (!publish.retain()) {
                        notRetained.incrementAndGet();
                    }
                    if (Payload.hasHeader(publish.payload())) {
                        synchronized (tracker) {
                            tracker.record(Payload.sequence(publish.payload()));
                        }
                    }
                    if (firstArrival == 0) {
                        firstArrival = nowNanos;
                    }
                    lastArrival = nowNanos;
                }

                @Override
                public void lost(String reason) {
                    control.error("retained subscriber lost its connection: " + reason);
                }
            });
            long start = System.nanoTime();
            lastArrival = start;
            Future<SubAck> subAck = subscriber.subscribe(List.of(new Subscription(prefix + "/#", qos)));
            SubAck ack = subAck.get(60, TimeUnit.SECONDS);
            if (ack.reasonCodes().get(0).value() != qos.value()) {
                control.error("SUBSCRIBE " + prefix + "/# answered " + ack.reasonCodes().get(0));
            }
            while (distinct() < count && System.nanoTime() - lastArrival < FETCH_STALL_NANOS
                    && subscriber.channel().isActive()) {
                Thread.sleep(1);
            }
            if (distinct() < count) {
                control.error("'#' subscription received " + distinct() + " of " + count
                        + " retained messages (nothing more for " + TimeUnit.NANOSECONDS.toSeconds(FETCH_STALL_NANOS)
                        + " s or connection lost)");
            }
            long end = distinct() >= count ? lastArrival : System.nanoTime();
            firstMillis = firstArrival == 0 ? 0 : (firstArrival - start) / 1e6;
            subscriber.disconnect().await(5, TimeUnit.SECONDS);
            return Math.max(1e-9, (end - start) / 1e9);
        }

        /** Deletes the messages again: an empty retained PUBLISH each, at QoS 1. */
        void delete() throws Exception {
            NettyMqttConnection cleaner = connect("lg-" + idPrefix + "-rc", null);
            publishAll(cleaner, i -> new Publish(prefix + "/" + i, QoS.AT_LEAST_ONCE, true, false, 1, new byte[0],
                    Properties.EMPTY));
            cleaner.ping().get(300, TimeUnit.SECONDS);
            cleaner.disconnect().await(5, TimeUnit.SECONDS);
        }

        /** Sends {@code count} publishes within the connection's window and waits for their acknowledgements. */
        private void publishAll(NettyMqttConnection connection, java.util.function.IntFunction<Publish> message)
                throws Exception {
            Promise<Void> done = connection.channel().eventLoop().newPromise();
            int[] next = {0};
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                int sent = 0;
                while (next[0] < count && connection.channel().isActive() && connection.writable()
                        && sent < WINDOW_QOS0_BATCH) {
                    Publish publish = message.apply(next[0]);
                    if (publish.qos() != QoS.AT_MOST_ONCE && connection.windowFree() <= 0) {
                        break;
                    }
                    connection.sendPacket(publish);
                    next[0]++;
                    sent++;
                }
                connection.flush();
                if (!connection.channel().isActive()) {
                    done.tryFailure(new IllegalStateException("connection lost: " + connection.failure()));
                } else if (next[0] >= count && connection.inflight() == 0) {
                    done.trySuccess(null);
                } else if (sent == WINDOW_QOS0_BATCH) {
                    connection.channel().eventLoop().execute(pump[0]);
                }
            };
            connection.events(new NettyMqttConnection.Events() {
                @Override
                public void readComplete() {
                    pump[0].run();
                }

                @Override
                public void writable() {
                    pump[0].run();
                }

                @Override
                public void lost(String reason) {
                    done.tryFailure(new IllegalStateException("connection lost: " + reason));
                }
            });
            connection.channel().eventLoop().execute(pump[0]);
            done.get(600, TimeUnit.SECONDS);
        }

        private NettyMqttConnection connect(String clientId, NettyMqttConnection.Events events) throws Exception {
            NettyMqttConnection connection = new NettyMqttConnection(
                    NettyMqttConnection.connectPacket(settings.protocol(), clientId, settings.keepAlive()),
                    settings.window(), events != null, events == null ? new NettyMqttConnection.Events() { } : events);
            clients.connect(settings.broker(), null, connection).sync();
            ConnAck ack = connection.connAck().get(30, TimeUnit.SECONDS);
            if (ack.reasonCode() != ReasonCode.SUCCESS) {
                throw new IllegalStateException(clientId + ": CONNACK " + ack.reasonCode());
            }
            return connection;
        }
    }
}
