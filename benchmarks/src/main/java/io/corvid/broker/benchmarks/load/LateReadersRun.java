package io.corvid.broker.benchmarks.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * P pairs: publisher i sends N messages on its own topic; subscriber i is connected and
 * subscribed before, but reads nothing until its publisher is done, then reads everything. How
 * much of what was published while the subscriber was late did the broker keep for it?
 *
 * <p>"Done" means every message was written and, at QoS 1/2, acknowledged, and then a PINGREQ
 * came back: the broker answers in order, so by then it has handled every PUBLISH of the pair.
 * A broker that stops the publisher instead (it does not read or acknowledge) never lets the
 * subscriber start; the run then ends at the stall or the timeout and says how far it got.
 */
public final class LateReadersRun {
    private final Settings settings;
    private final RunControl control;
    private final PrintStream log;

    public LateReadersRun(Settings settings, RunControl control, PrintStream log) {
        this.settings = settings;
        this.control = control;
        this.log = log;
    }

    public Result run(NettyDriver driver) throws InterruptedException {
        PressureRig rig = new PressureRig(settings, control);
        PressureSettings pressure = settings.pressure();
        int pairs = settings.publishers();
        Sender[] senders = new Sender[pairs];
        Receiver[] receivers = new Receiver[pairs];
        List<CompletableFuture<NettyMqttConnection>> subscribing = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            senders[i] = rig.sender(i);
            receivers[i] = PressureRig.receiver(i, i);
            subscribing.add(driver.subscriber(rig.clientId("s" + i), rig.topic("late/" + i), settings.qos(),
                    receivers[i], new ReadPolicy(true, 0, true)));
        }
        List<NettyMqttConnection> subscribers = PressureRig.await(subscribing, "the subscribers");
        List<CompletableFuture<NettyMqttConnection>> connecting = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            connecting.add(driver.publisherConnection(rig.clientId("p" + i), rig.topic("late/" + i), settings.qos(),
                    settings.payload(), senders[i]));
        }
        List<NettyMqttConnection> publishers = PressureRig.await(connecting, "the publishers");

        AtomicLong lastPublisherDone = new AtomicLong();
        for (int i = 0; i < pairs; i++) {
            NettyMqttConnection publisher = publishers.get(i);
            NettyMqttConnection subscriber = subscribers.get(i);
            senders[i].finished()
                    .thenCompose(done -> PressureRig.completable(publisher.ping()))
                    .thenRun(() -> {
                        lastPublisherDone.accumulateAndGet(System.nanoTime(), Math::max);
                        subscriber.holdReads(false);
                    });
        }
        log.printf(Locale.ROOT, "# late-readers: %d pairs of %,d messages each, subscribers not reading (%s)%n",
                pairs, pressure.messages(), driver.description());

        PressureRig.Outcome outcome = rig.run(senders, receivers);

        long sent = 0;
        long unacknowledged = 0;
        int publishersDone = 0;
        for (Sender sender : senders) {
            sent += sender.sent();
            unacknowledged += sender.inflight();
        }
        long delivered = 0;
        long duplicates = 0;
        int disconnected = 0;
        for (Receiver receiver : receivers) {
            synchronized (receiver) {
                delivered += receiver.distinct();
                duplicates += receiver.duplicates();
                disconnected += receiver.lost() ? 1 : 0;
            }
        }
        long publishEnd = lastPublisherDone.get();
        for (Sender sender : senders) {
            publishersDone += sender.finished().isDone() ? 1 : 0;
        }
        driver.disconnectAll();

        long intended = (long) pairs * pressure.messages();
        Result result = rig.head(driver.name())
                .put("pairs", pairs)
                .put("sent", sent)
                .put("expected", sent)
                .put("delivered", delivered)
                .put("ratio", Delivery.ratio(delivered, sent))
                .put("lost", sent - delivered)
                .put("dup", duplicates)
                .put("publishers_done", publishersDone)
                .put("publish_s", publishEnd == 0 || publishersDone < pairs ? "na"
                        : String.format(Locale.ROOT, "%.3f", (publishEnd - outcome.startNanos()) / 1e9))
                .put("disconnected", disconnected);
        rig.tail(result, outcome, unacknowledged, duplicates, sent == intended && delivered == intended);
        log.printf(Locale.ROOT, "late-readers qos=%d: %d pairs sent %,d of %,d (%d publishers done); delivered %,d "
                        + "(ratio %s), lost %,d, dup %d; %d subscribers disconnected; %.2f s, %s: %s%n",
                settings.qos().value(), pairs, sent, intended, publishersDone, delivered, result.get("ratio"),
                sent - delivered, duplicates, disconnected, outcome.seconds(), outcome.end().label(),
                result.get("status"));
        return result;
    }
}
