package io.corvid.broker.benchmarks.load;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * One publisher faster than its one subscriber: the subscriber spends a fixed busy time on each
 * message in its read path (default 50 us, at most 20,000 msg/s), the publisher sends M messages
 * as fast as its window allows. Does the broker deliver them all (late), drop some, or
 * disconnect the subscriber?
 */
public final class SlowSubscriberRun {
    private final Settings settings;
    private final RunControl control;
    private final PrintStream log;

    public SlowSubscriberRun(Settings settings, RunControl control, PrintStream log) {
        this.settings = settings;
        this.control = control;
        this.log = log;
    }

    public Result run(NettyDriver driver) throws InterruptedException {
        PressureRig rig = new PressureRig(settings, control);
        PressureSettings pressure = settings.pressure();
        String topic = rig.topic("slow");
        Sender sender = rig.sender(0);
        Receiver receiver = PressureRig.receiver(0, 0);
        PressureRig.await(List.of(driver.subscriber(rig.clientId("s"), topic, settings.qos(), receiver,
                new ReadPolicy(false, pressure.busyNanos(), true))), "the subscriber");
        PressureRig.await(List.of(driver.publisherConnection(rig.clientId("p"), topic, settings.qos(),
                settings.payload(), sender)), "the publisher");
        log.printf(Locale.ROOT, "# slow-subscriber: %,d messages, %.1f us per message in the subscriber (%s)%n",
                pressure.messages(), pressure.busyNanos() / 1e3, driver.description());

        PressureRig.Outcome outcome = rig.run(new Sender[] {sender}, new Receiver[] {receiver});

        long sent = sender.sent();
        long unacknowledged = sender.inflight();
        long delivered;
        long duplicates;
        boolean disconnected;
        String reason;
        double rate;
        synchronized (receiver) {
            delivered = receiver.distinct();
            duplicates = receiver.duplicates();
            disconnected = receiver.lost();
            reason = receiver.lostReason();
            rate = Delivery.rate(delivered, receiver.firstArrivalNanos(), receiver.lastArrivalNanos());
        }
        driver.disconnectAll();

        Result result = rig.head(driver.name())
                .put("busy_us", pressure.busyNanos() / 1e3, 1)
                .put("sent", sent)
                .put("expected", sent)
                .put("delivered", delivered)
                .put("ratio", Delivery.ratio(delivered, sent))
                .put("lost", sent - delivered)
                .put("dup", duplicates)
                .put("sub_rate", rate, 0)
                .put("disconnected", disconnected);
        rig.tail(result, outcome, unacknowledged, duplicates,
                sent == pressure.messages() && delivered == pressure.messages());
        log.printf(Locale.ROOT, "slow-subscriber qos=%d: sent %,d of %,d; delivered %,d (ratio %s) at %,d msg/s, "
                        + "lost %,d, dup %d; subscriber %s; %.2f s, %s: %s%n",
                settings.qos().value(), sent, pressure.messages(), delivered, result.get("ratio"), Math.round(rate),
                sent - delivered, duplicates, disconnected ? "disconnected (" + reason + ")" : "stayed connected",
                outcome.seconds(), outcome.end().label(), result.get("status"));
        return result;
    }
}
