package io.corvid.broker.benchmarks.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;

/**
 * One subscriber that stops reading for good right after its SUBACK (it stays connected and
 * keeps its keep-alive going), L live subscribers that read normally, all on one topic, and one
 * publisher that sends M messages to it at the scenario's QoS. Does the stuck peer cost the live
 * subscribers messages or speed? With {@code --no-stuck} the same run without the stuck peer
 * gives the baseline.
 *
 * <p>Reported per live subscriber: messages received, lost and duplicated; the slowest live
 * subscriber's rate from its first to its last arrival; and the whole time from the first send.
 */
public final class StuckRun {
    private final Settings settings;
    private final RunControl control;
    private final PrintStream log;

    public StuckRun(Settings settings, RunControl control, PrintStream log) {
        this.settings = settings;
        this.control = control;
        this.log = log;
    }

    public Result run(NettyDriver driver) throws InterruptedException {
        PressureRig rig = new PressureRig(settings, control);
        PressureSettings pressure = settings.pressure();
        int liveCount = pressure.liveSubscribers();
        String topic = rig.topic("stuck");
        Sender sender = rig.sender(0);
        Receiver[] live = new Receiver[liveCount];
        for (int j = 0; j < liveCount; j++) {
            live[j] = PressureRig.receiver(j, 0);
            live[j].markAfter(pressure.steadyAfter());
        }

        // The stuck peer subscribes first, as the long-connected client it stands for; the broker
        // may disconnect it (that is its policy to choose), which is no error of the generator.
        Receiver stuck = PressureRig.receiver(liveCount, 0);
        if (pressure.stuckPeer()) {
            PressureRig.await(List.of(driver.subscriber(rig.clientId("stuck"), topic, settings.qos(), stuck,
                    new ReadPolicy(true, 0, true))), "the stuck subscriber");
        }
        List<CompletableFuture<NettyMqttConnection>> ready = new ArrayList<>();
        for (int j = 0; j < liveCount; j++) {
            ready.add(driver.subscriber(rig.clientId("s" + j), topic, settings.qos(), live[j],
                    new ReadPolicy(false, 0, true)));
        }
        PressureRig.await(ready, "the live subscribers");
        PressureRig.await(List.of(driver.publisherConnection(rig.clientId("p"), topic, settings.qos(),
                settings.payload(), sender)), "the publisher");
        log.printf(Locale.ROOT, "# stuck: %s stuck subscriber, %d live, 1 publisher of %,d messages (%s)%n",
                pressure.stuckPeer() ? "1" : "no", liveCount, pressure.messages(), driver.description());

        PressureRig.Outcome outcome = rig.run(new Sender[] {sender}, live);

        // Figures as the run ended; what trickles in while disconnecting does not count.
        long sent = sender.sent();
        long unacknowledged = sender.inflight();
        long[] received = new long[liveCount];
        long[] lost = new long[liveCount];
        long[] duplicates = new long[liveCount];
        long delivered = 0;
        long totalLost = 0;
        long totalDuplicates = 0;
        int disconnected = 0;
        double slowest = Double.MAX_VALUE;
        double slowestSteady = Double.MAX_VALUE;
        Histogram latency = new Histogram(Receiver.MAX_LATENCY_MICROS, 3);
        for (int j = 0; j < liveCount; j++) {
            synchronized (live[j]) {
                received[j] = live[j].distinct();
                lost[j] = sent - received[j];
                duplicates[j] = live[j].duplicates();
                slowest = Math.min(slowest, Delivery.rate(received[j], live[j].firstArrivalNanos(),
                        live[j].lastArrivalNanos()));
                // From the mark on, the stuck peer takes nothing: what it costs once it is stuck.
                slowestSteady = live[j].markNanos() == 0 ? 0 : Math.min(slowestSteady, Delivery.rate(
                        received[j] - pressure.steadyAfter() + 1, live[j].markNanos(), live[j].lastArrivalNanos()));
                disconnected += live[j].lost() ? 1 : 0;
            }
            live[j].addLatencies(latency);
            delivered += received[j];
            totalLost += lost[j];
            totalDuplicates += duplicates[j];
        }
        long expected = sent * liveCount;
        // Whether the broker closed the stuck peer. A connection that does not read learns of that
        // only where the transport reports a peer's close without a read: epoll (EPOLLRDHUP) does.
        String stuckDisconnected = !pressure.stuckPeer() ? "na"
                : stuck.lost() ? "true" : driver.transport().equals("epoll") ? "false" : "na";
        driver.disconnectAll();

        Result result = rig.head(driver.name())
                .put("stuck", pressure.stuckPeer() ? 1 : 0)
                .put("live_subscribers", liveCount)
                .put("sent", sent)
                .put("expected", expected)
                .put("delivered", delivered)
                .put("ratio", Delivery.ratio(delivered, expected))
                .put("lost", totalLost)
                .put("dup", totalDuplicates)
                .put("live_received", Delivery.list(received))
                .put("live_lost", Delivery.list(lost))
                .put("live_dup", Delivery.list(duplicates))
                .put("rate", settings.rate() > 0 ? Long.toString(Math.round(settings.rate())) : "max")
                .put("live_rate", slowest, 0)
                .put("live_p50_us", latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(50))
                .put("live_p99_us", latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99))
                .put("live_rate_steady", pressure.steadyAfter() > 0 ? slowestSteady : 0, 0)
                .put("disconnected", disconnected)
                .put("stuck_disconnected", stuckDisconnected);
        rig.tail(result, outcome, unacknowledged, totalDuplicates,
                sent == pressure.messages() && delivered == (long) pressure.messages() * liveCount);
        log.printf(Locale.ROOT, "stuck qos=%d %s: sent %,d of %,d; live subscribers received %s (lost %s, "
                        + "dup %s), slowest at %,d msg/s; %d disconnected; stuck peer disconnected: %s; %.2f s, %s: %s%n",
                settings.qos().value(), pressure.stuckPeer() ? "with the stuck peer" : "without a stuck peer",
                sent, pressure.messages(), Delivery.list(received), Delivery.list(lost), Delivery.list(duplicates),
                Math.round(slowest), disconnected, stuckDisconnected, outcome.seconds(), outcome.end().label(), result.get("status"));
        return result;
    }
}
