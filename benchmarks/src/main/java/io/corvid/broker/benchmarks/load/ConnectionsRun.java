package io.corvid.broker.benchmarks.load;

import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.ReasonCode;
import io.netty.util.concurrent.Future;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens N idle MQTT connections (CONNECT with a long keep alive, nothing else), binding them in
 * turn to the configured local addresses so that one address's ephemeral ports are no limit.
 * At most {@code connectConcurrency} connections are being set up at any moment. Reports the
 * connect rate (first SYN to last CONNACK), holds the connections for the measured time,
 * counts those the broker dropped, and with a broker process id reports the broker's resident
 * memory and (JVM) live heap before and after, per connection.
 */
public final class ConnectionsRun {
    /**
     * Connections opened and closed before measuring: enough for a JVM broker's just-in-time
     * compiler to have compiled its connect path, as it would have in a server that has been up.
     */
    private static final int WARMUP_CONNECTIONS = 5000;

    private final Settings settings;
    private final RunControl control;
    private final PrintStream log;

    public ConnectionsRun(Settings settings, RunControl control, PrintStream log) {
        this.settings = settings;
        this.control = control;
        this.log = log;
    }

    public Result run() throws InterruptedException {
        String runId = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        BrokerProbe probe = settings.brokerPid() > 0 ? new BrokerProbe(settings.brokerPid()) : null;
        try (NettyClients clients = new NettyClients(settings.threads())) {
            if (settings.warmupSeconds() > 0) {
                int count = Math.min(settings.connections(), WARMUP_CONNECTIONS);
                Batch warmup = open(clients, runId + "-w", count);
                warmup.closeAll();
                log.printf(Locale.ROOT, "# connections: warm-up opened %d of %d and closed them%n",
                        warmup.connected.get(), count);
                ThroughputRun.sleepSeconds(Math.min(settings.warmupSeconds(), 2));
            }
            // Heap first: its full collection also settles the resident size of a JVM broker.
            OptionalLong heapBefore = probe == null ? OptionalLong.empty() : probe.heapUsedKb();
            OptionalLong rssBefore = probe == null ? OptionalLong.empty() : probe.rssKb();

            long start = System.nanoTime();
            Batch batch = open(clients, runId, settings.connections());
            double connectSeconds = (batch.lastConnAckNanos.get() - start) / 1e9;
            int connected = batch.connected.get();
            log.printf(Locale.ROOT, "# connections: %d of %d connected in %.2f s (%d failed); holding %.1f s%n",
                    connected, settings.connections(), connectSeconds, batch.failed.get(), settings.durationSeconds());

            ThroughputRun.sleepSeconds(settings.durationSeconds());
            OptionalLong heapAfter = probe == null ? OptionalLong.empty() : probe.heapUsedKb();
            OptionalLong rssAfter = probe == null ? OptionalLong.empty() : probe.rssKb();
            int dropped = batch.dropped.get();
            int open = connected - dropped;
            batch.closeAll();

            Result result = new Result()
                    .put("scenario", "connections")
                    .put("client", "netty")
                    .put("protocol", settings.protocolLabel())
                    .put("connections", settings.connections())
                    .put("source_addresses", Math.max(1, settings.sourceAddresses().size()))
                    .put("connected", connected)
                    .put("failed", batch.failed.get())
                    .put("dropped", dropped)
                    .put("connect_s", connectSeconds, 3)
                    .put("conn_per_s", connected / Math.max(connectSeconds, 1e-9), 0)
                    .put("hold_s", settings.durationSeconds(), 1);
            putMemory(result, "rss", rssBefore, rssAfter, open);
            putMemory(result, "heap", heapBefore, heapAfter, open);
            String status = batch.failed.get() > 0 || dropped > 0 || control.errors() > 0 ? "ERROR" : "ok";
            result.put("errors", control.errors()).put("status", status);
            log.printf(Locale.ROOT, "connections: %,d connected at %,d conn/s, %d failed, %d dropped while idle; "
                            + "broker RSS %s, heap %s: %s%n",
                    connected, Math.round(connected / Math.max(connectSeconds, 1e-9)), batch.failed.get(), dropped,
                    describe(result, "rss"), describe(result, "heap"), status);
            return result;
        }
    }

    private static void putMemory(Result result, String name, OptionalLong before, OptionalLong after, int open) {
        if (before.isEmpty() || after.isEmpty()) {
            result.put(name + "_before_kb", "na").put(name + "_after_kb", "na").put(name + "_per_conn_bytes", "na");
            return;
        }
        long delta = after.getAsLong() - before.getAsLong();
        result.put(name + "_before_kb", before.getAsLong())
                .put(name + "_after_kb", after.getAsLong())
                .put(name + "_per_conn_bytes", open > 0 ? Math.round(delta * 1024.0 / open) : 0);
    }

    private static String describe(Result result, String name) {
        String per = result.get(name + "_per_conn_bytes");
        return "na".equals(per) ? "n/a" : result.get(name + "_before_kb") + " -> " + result.get(name + "_after_kb")
                + " KiB (" + per + " B/conn)";
    }

    /** Opens {@code count} connections, at most {@code connectConcurrency} at a time, and waits for them. */
    private Batch open(NettyClients clients, String idPrefix, int count) throws InterruptedException {
        Batch batch = new Batch();
        List<InetAddress> locals = settings.sourceAddresses();
        InetSocketAddress remote = settings.broker();
        java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(settings.connectConcurrency());
        for (int i = 0; i < count; i++) {
            permits.acquire();
            InetSocketAddress local = locals.isEmpty() ? null : new InetSocketAddress(locals.get(i % locals.size()), 0);
            String clientId = "lg-" + idPrefix + "-c" + i;
            NettyMqttConnection connection = new NettyMqttConnection(
                    NettyMqttConnection.connectPacket(settings.protocol(), clientId, settings.keepAlive()), 1, true,
                    new NettyMqttConnection.Events() {
                        @Override
                        public void lost(String reason) {
                            if (batch.closing) {
                                return;
                            }
                            batch.dropped.incrementAndGet();
                            control.error(clientId + " dropped: " + reason);
                        }
                    });
            batch.connections.add(connection);
            clients.connect(remote, local, connection).addListener(connected -> {
                if (!connected.isSuccess()) {
                    batch.fail(clientId + ": TCP connect failed: " + connected.cause());
                    permits.release();
                    return;
                }
                connection.connAck().addListener((Future<ConnAck> f) -> {
                    if (!f.isSuccess()) {
                        batch.fail(clientId + ": no CONNACK: " + f.cause().getMessage());
                    } else if (f.getNow().reasonCode() != ReasonCode.SUCCESS) {
                        batch.fail(clientId + ": CONNACK " + f.getNow().reasonCode());
                    } else {
                        batch.connected.incrementAndGet();
                        batch.lastConnAckNanos.accumulateAndGet(System.nanoTime(), Math::max);
                    }
                    permits.release();
                });
            });
        }
        // Every permit back means every attempt finished.
        if (!permits.tryAcquire(settings.connectConcurrency(), 300, TimeUnit.SECONDS)) {
            control.error("connections still pending after 300 s");
        }
        return batch;
    }

    /** The connections of one round and what became of them. */
    private final class Batch {
        final List<NettyMqttConnection> connections = new ArrayList<>();
        final AtomicInteger connected = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger dropped = new AtomicInteger();
        final AtomicLong lastConnAckNanos = new AtomicLong(System.nanoTime());
        volatile boolean closing;

        void fail(String message) {
            failed.incrementAndGet();
            control.error(message);
        }

        void closeAll() {
            closing = true;
            List<Future<Void>> done = new ArrayList<>();
            for (NettyMqttConnection connection : connections) {
                if (connection.started()) {
                    done.add(connection.disconnect());
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (Future<Void> future : done) {
                future.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }
    }
}
