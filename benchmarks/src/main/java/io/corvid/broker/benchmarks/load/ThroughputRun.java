package io.corvid.broker.benchmarks.load;

import io.corvid.broker.packet.QoS;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * Runs fan-in, fan-out, pairs and latency: connect every subscriber and wait for its SUBACK,
 * connect every publisher, warm up (not counted), measure for a fixed time, then stop
 * publishing and drain so that every message of the measured period can be accounted for.
 *
 * <p>Counted: messages sent during the measured period (marked in their payload), messages
 * received during it (throughput out), and after the drain, per subscriber and publisher, which
 * of the measured sequence numbers never arrived (lost) and which arrived twice (dup). Latency
 * percentiles come from the measured messages' first arrivals.
 */
public final class ThroughputRun {
    private static final long SETUP_TIMEOUT_SECONDS = 120;
    private static final long DRAIN_STALL_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Settings settings;
    private final RunControl control;
    private final PrintStream log;

    public ThroughputRun(Settings settings, RunControl control, PrintStream log) {
        this.settings = settings;
        this.control = control;
        this.log = log;
    }

    /** The shape of the configured scenario, with a fresh topic prefix. */
    public static Topology topology(Settings settings) {
        String prefix = "bench/" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        Topology.Kind kind = switch (settings.scenario()) {
            case FANIN -> Topology.Kind.FAN_IN;
            case FANOUT -> Topology.Kind.FAN_OUT;
            case PAIRS -> Topology.Kind.PAIRS;
            case LATENCY -> Topology.Kind.LATENCY;
            default -> throw new IllegalArgumentException(settings.scenario() + " is not a throughput scenario");
        };
        return new Topology(kind, settings.publishers(), settings.subscribers(), prefix);
    }

    /** Runs the scenario on {@code driver}'s clients and returns the result. */
    public Result run(ClientDriver driver) throws InterruptedException {
        Topology topology = topology(settings);
        String runId = topology.prefix().substring("bench/".length());
        int publishers = topology.publishers();
        int subscribers = topology.subscribers();
        QoS qos = settings.qos();

        double ratePerPublisher = settings.rate() > 0 ? settings.rate() / publishers : 0;
        Sender[] senders = new Sender[publishers];
        for (int i = 0; i < publishers; i++) {
            senders[i] = new Sender(i, control, ratePerPublisher, endToEndWindow(topology, i), qos == QoS.AT_MOST_ONCE);
        }
        Receiver[] receivers = new Receiver[subscribers];
        List<List<StreamTracker>> downstream = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
            downstream.add(new ArrayList<>());
        }
        for (int j = 0; j < subscribers; j++) {
            StreamTracker[] streams = new StreamTracker[publishers];
            for (int i = 0; i < publishers; i++) {
                if (topology.receives(j, i)) {
                    streams[i] = new StreamTracker(senders[i]);
                    downstream.get(i).add(streams[i]);
                }
            }
            receivers[j] = new Receiver(j, streams, null);
        }
        for (int i = 0; i < publishers; i++) {
            senders[i].downstream(downstream.get(i));
        }

        // Connect: subscribers first, so that no message is published before they listen.
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (int j = 0; j < subscribers; j++) {
            ready.add(driver.subscriber(subscriberId(runId, j), topology.filter(j), qos, receivers[j]));
        }
        await(ready, "subscribers to connect and subscribe");
        ready.clear();
        for (int i = 0; i < publishers; i++) {
            ready.add(driver.publisher("lg-" + runId + "-p" + i, topology.topic(i), qos, settings.payload(),
                    senders[i]));
        }
        await(ready, "publishers to connect");
        log.printf(Locale.ROOT, "# %s: %d publishers, %d%s subscribers connected (%s); warming up %.1f s%n",
                settings.scenario().label(), publishers, subscribers,
                settings.persistentSubscribers() ? " persistent" : "", driver.description(), settings.warmupSeconds());

        control.phase(RunControl.Phase.WARMUP);
        for (Sender sender : senders) {
            sender.start();
        }
        sleepSeconds(settings.warmupSeconds());

        long receivedBefore = totalReceived(receivers);
        long start = System.nanoTime();
        control.phase(RunControl.Phase.MEASURE);
        sleepSeconds(settings.durationSeconds());
        control.phase(RunControl.Phase.DRAIN);
        long end = System.nanoTime();
        long receivedDuring = totalReceived(receivers) - receivedBefore;
        double seconds = (end - start) / 1e9;

        long drainStart = System.nanoTime();
        boolean drained = drain(topology, senders, receivers);
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;

        // Accounting, now that nothing moves any more.
        long unacknowledged = 0;
        for (Sender sender : senders) {
            unacknowledged += sender.inflight();
        }
        long sent = 0;
        long expected = 0;
        long lost = 0;
        long lostWarmup = 0;
        for (int i = 0; i < publishers; i++) {
            long measured = senders[i].measuredSent();
            sent += measured;
            int first = senders[i].firstMeasured();
            long warmupEnd = first >= 0 ? first : senders[i].sent();
            for (int j = 0; j < subscribers; j++) {
                if (topology.receives(j, i)) {
                    expected += measured;
                    lostWarmup += receivers[j].missing(i, 0, warmupEnd);
                    if (first >= 0) {
                        lost += receivers[j].missing(i, first, first + measured);
                    }
                }
            }
        }
        long duplicates = 0;
        long unexpected = 0;
        Histogram latency = new Histogram(Receiver.MAX_LATENCY_MICROS, 3);
        for (Receiver receiver : receivers) {
            duplicates += receiver.duplicates();
            unexpected += receiver.unexpected();
            receiver.addLatencies(latency);
        }
        if (settings.verbose() && !drained) {
            for (int j = 0; j < subscribers; j++) {
                for (int i = 0; i < publishers; i++) {
                    StreamTracker stream = receivers[j].stream(i);
                    if (stream != null) {
                        List<String> missing;
                        synchronized (receivers[j]) {
                            missing = stream.missingRanges(senders[i].sent(), 10);
                        }
                        if (!missing.isEmpty()) {
                            log.printf(Locale.ROOT, "# subscriber %d never got from publisher %d (of %d sent, "
                                            + "measured from %d): %s%n", j, i, senders[i].sent(),
                                    senders[i].firstMeasured(), String.join(" ", missing));
                        }
                    }
                }
            }
        }
        driver.disconnectAll();
        if (settings.persistentSubscribers()) {
            discardSessions(driver, runId, subscribers);
        }

        boolean lossless = lost == 0 && lostWarmup == 0 && duplicates == 0;
        String status = control.errors() > 0 || unexpected > 0 ? "ERROR"
                : qos != QoS.AT_MOST_ONCE && !lossless ? "LOSS" : "ok";
        Result result = new Result()
                .put("scenario", settings.scenario().label())
                .put("client", driver.name())
                .put("protocol", settings.protocolLabel())
                .put("qos", qos.value())
                .put("payload", settings.payload())
                .put("publishers", publishers)
                .put("subscribers", subscribers)
                .put("persistent", settings.persistentSubscribers())
                .put("rate", settings.rate() > 0 ? String.valueOf(Math.round(settings.rate())) : "max")
                .put("e2e_window", settings.e2eWindow())
                .put("duration_s", seconds, 2)
                .put("sent", sent)
                .put("received", receivedDuring)
                .put("msgs_per_s_in", sent / seconds, 0)
                .put("msgs_per_s_out", receivedDuring / seconds, 0)
                .put("expected", expected)
                .put("lost", lost)
                .put("dup", duplicates)
                .put("lost_warmup", lostWarmup)
                .put("p50_us", latency.getValueAtPercentile(50))
                .put("p99_us", latency.getValueAtPercentile(99))
                .put("p999_us", latency.getValueAtPercentile(99.9))
                .put("max_us", latency.getMaxValue())
                .put("drain_s", drainSeconds, 2)
                .put("drained", drained)
                .put("unacked", unacknowledged)
                .put("errors", control.errors())
                .put("status", status);
        if (unexpected > 0) {
            result.put("unexpected", unexpected);
        }
        log.printf(Locale.ROOT, "%s %s qos=%d: %,d msg/s in, %,d msg/s out over %.1f s; latency p50 %,d us, "
                        + "p99 %,d us, p99.9 %,d us, max %,d us; lost %d of %d (%d in the warm-up), %d duplicates, "
                        + "%d errors: %s%n",
                settings.scenario().label(), driver.name(), qos.value(), Math.round(sent / seconds),
                Math.round(receivedDuring / seconds), seconds, latency.getValueAtPercentile(50),
                latency.getValueAtPercentile(99), latency.getValueAtPercentile(99.9), latency.getMaxValue(),
                lost, expected, lostWarmup, duplicates, control.errors(), status);
        return result;
    }

    /**
     * Ends the subscribers' persistent sessions, so that a broker serving many runs does not keep
     * (and store) a session per subscriber of each. After the measurement; not counted.
     */
    private void discardSessions(ClientDriver driver, String runId, int subscribers) throws InterruptedException {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int j = 0; j < subscribers; j++) {
            done.add(driver.discardSession(subscriberId(runId, j)));
        }
        try {
            await(done, "the subscribers' persistent sessions to be discarded");
        } catch (IllegalStateException e) {
            log.println("# warning: " + e.getMessage());
        }
    }

    /** The client identifier of subscriber {@code j}: unique to the run, so no old session is met. */
    static String subscriberId(String runId, int subscriber) {
        return "lg-" + runId + "-s" + subscriber;
    }

    /**
     * The end-to-end window of publisher {@code i}: the budget of each of its subscribers,
     * shared among that subscriber's publishers; the tightest share wins.
     */
    private int endToEndWindow(Topology topology, int publisher) {
        int budget = settings.e2eWindow();
        if (budget <= 0) {
            return 0;
        }
        int window = Integer.MAX_VALUE;
        for (int j = 0; j < topology.subscribers(); j++) {
            if (topology.receives(j, publisher)) {
                window = Math.min(window, Math.max(1, budget / topology.publishersOf(j)));
            }
        }
        return window == Integer.MAX_VALUE ? 0 : window;
    }

    /**
     * Waits until every publisher's messages are acknowledged and every expected message has
     * arrived, or nothing moved for two seconds, or the drain time is over.
     *
     * @return whether everything arrived
     */
    private boolean drain(Topology topology, Sender[] senders, Receiver[] receivers) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (settings.drainSeconds() * 1e9);
        long lastProgress = System.nanoTime();
        long lastState = -1;
        while (true) {
            long expected = 0;
            long inflight = 0;
            for (Sender sender : senders) {
                inflight += sender.inflight();
            }
            for (int j = 0; j < receivers.length; j++) {
                for (int i = 0; i < senders.length; i++) {
                    if (topology.receives(j, i)) {
                        expected += senders[i].sent();
                    }
                }
            }
            long delivered = 0;
            for (Receiver receiver : receivers) {
                delivered += receiver.distinct();
            }
            if (inflight == 0 && delivered >= expected) {
                return true;
            }
            long now = System.nanoTime();
            long state = delivered * 31 + inflight;
            if (state != lastState) {
                lastState = state;
                lastProgress = now;
            } else if (now - lastProgress > DRAIN_STALL_NANOS) {
                return false;
            }
            if (now > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    private static long totalReceived(Receiver[] receivers) {
        long total = 0;
        for (Receiver receiver : receivers) {
            total += receiver.received();
        }
        return total;
    }

    static void sleepSeconds(double seconds) throws InterruptedException {
        long nanos = (long) (seconds * 1e9);
        long deadline = System.nanoTime() + nanos;
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    static void await(List<CompletableFuture<Void>> futures, String what) throws InterruptedException {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("failed waiting for " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out after " + SETUP_TIMEOUT_SECONDS + " s waiting for " + what);
        }
    }
}
