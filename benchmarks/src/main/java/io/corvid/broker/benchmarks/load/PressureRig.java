package io.corvid.broker.benchmarks.load;

import io.corvid.broker.packet.QoS;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the pressure runs (stuck, late-readers, slow-subscriber) share: a fresh topic prefix,
 * publishers that send a fixed number of messages as fast as their window allows, subscribers
 * that track one publisher each, waiting for setup, and the bounded run itself.
 *
 * <p>Unlike the throughput runs there is no end-to-end window: the point is what the broker
 * does when a subscriber cannot keep up, so the publisher is held back by nothing but its own
 * inflight window (QoS 1/2) and TCP.
 */
final class PressureRig {
    private static final long SETUP_TIMEOUT_SECONDS = 60;

    private final Settings settings;
    private final RunControl control;
    private final String runId = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);

    PressureRig(Settings settings, RunControl control) {
        this.settings = settings;
        this.control = control;
    }

    /** A client identifier unique to the run: lg-{run}-{role}. */
    String clientId(String role) {
        return "lg-" + runId + "-" + role;
    }

    /** A topic unique to the run: bench/{run}/{name}. */
    String topic(String name) {
        return "bench/" + runId + "/" + name;
    }

    /** A publisher of {@code messages} messages. */
    Sender sender(int index) {
        // Unpaced unless --rate is given: the stuck scenario also runs at an ordinary, fixed rate.
        Sender sender = new Sender(index, control, settings.rate(), 0, settings.qos() == QoS.AT_MOST_ONCE);
        sender.limit(settings.pressure().messages());
        return sender;
    }

    /** A subscriber that counts the messages of publisher {@code publisher} only. */
    static Receiver receiver(int index, int publisher) {
        StreamTracker[] streams = new StreamTracker[publisher + 1];
        streams[publisher] = new StreamTracker(null);
        return new Receiver(index, streams, null);
    }

    /** Waits for setup steps; fails the run (exit status 1) when one fails or takes a minute. */
    static <T> List<T> await(List<CompletableFuture<T>> futures, String what) throws InterruptedException {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("failed waiting for " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out after " + SETUP_TIMEOUT_SECONDS + " s waiting for " + what);
        }
        List<T> values = new ArrayList<>();
        for (CompletableFuture<T> future : futures) {
            values.add(future.join());
        }
        return values;
    }

    /** A Netty future as a CompletableFuture. */
    static CompletableFuture<Void> completable(Future<Void> future) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        future.addListener(f -> {
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(f.cause());
            }
        });
        return done;
    }

    /**
     * How a run went: why it ended and when, relative to the first message.
     *
     * @param startNanos when the publishers started
     * @param endNanos   when the run ended: the last arrival when complete, else when it was cut
     */
    record Outcome(RunBound.End end, long startNanos, long endNanos) {
        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }

        boolean complete() {
            return end == RunBound.End.COMPLETE;
        }
    }

    /**
     * Starts {@code senders} and waits until every one has finished and every subscriber of
     * {@code counted} has all {@code messages} of its publisher, or until the run is cut
     * ({@link RunBound}). Stops the publishers before returning.
     */
    Outcome run(Sender[] senders, Receiver[] counted) throws InterruptedException {
        long messages = settings.pressure().messages();
        control.phase(RunControl.Phase.MEASURE); // every message counts: there is no warm-up
        long start = System.nanoTime();
        for (Sender sender : senders) {
            sender.start();
        }
        RunBound bound = new RunBound(start, settings.pressure().timeoutSeconds(), settings.pressure().stallSeconds());
        RunBound.End end = bound.await(() -> {
            for (Sender sender : senders) {
                if (!sender.finished().isDone()) {
                    return false;
                }
            }
            for (Receiver receiver : counted) {
                if (receiver.distinct() < messages) {
                    return false;
                }
            }
            return true;
        }, () -> {
            for (Receiver receiver : counted) {
                if (!receiver.lost()) {
                    return false;
                }
            }
            return true;
        }, () -> {
            long progress = 0;
            for (Sender sender : senders) {
                progress += 2 * sender.sent() - sender.inflight(); // sent plus acknowledged: both only grow
            }
            for (Receiver receiver : counted) {
                progress += receiver.received();
            }
            return progress;
        });
        long endNanos = System.nanoTime();
        control.phase(RunControl.Phase.DRAIN);
        if (end == RunBound.End.COMPLETE) {
            endNanos = start;
            for (Receiver receiver : counted) {
                endNanos = Math.max(endNanos, receiver.lastArrivalNanos());
            }
        }
        return new Outcome(end, start, endNanos);
    }

    /** The fields every pressure result starts with. */
    Result head(String clientName) {
        return new Result()
                .put("scenario", settings.scenario().label())
                .put("client", clientName)
                .put("protocol", settings.protocolLabel())
                .put("qos", settings.qos().value())
                .put("payload", settings.payload())
                .put("window", settings.qos() == QoS.AT_MOST_ONCE ? "na" : String.valueOf(settings.window()))
                .put("messages", settings.pressure().messages());
    }

    /** The fields every pressure result ends with; the status follows from them. */
    void tail(Result result, Outcome outcome, long unacknowledged, long duplicates, boolean allDelivered) {
        boolean complete = outcome.complete() && allDelivered && unacknowledged == 0;
        result.put("time_s", outcome.seconds(), 3)
                .put("end", outcome.end().label())
                .put("unacked", unacknowledged)
                .put("errors", control.errors())
                .put("status", Delivery.status(control.errors() > 0, complete, duplicates));
    }
}
