package io.corvid.broker.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.DropReason;
import io.corvid.broker.QueueOverflowPolicy;
import io.corvid.broker.SessionInfo;
import io.corvid.broker.BrokerMetrics;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delivery under pressure (issue #10): publishers faster than their subscribers, subscribers
 * that stop reading, bursts read only after they were sent, the broker-wide memory budget,
 * write stalls and the queue overflow policies, over real sockets with real clients.
 *
 * <p>Every message is numbered (its payload starts with the number, see {@link SequenceLog}),
 * so that each test can tell exactly which messages arrived, how often and in which order.
 * Nothing here sleeps: every wait is for a condition, with a timeout. Rates are printed for
 * the record, never asserted.
 */
class DeliveryUnderPressureIT {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeliveryUnderPressureIT.class);
    /** For waits on bulk work: generous, since the machine may be small and busy. */
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final int MESSAGES = 20_000;
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    // ------------------------------------------------------------ 1. a publisher faster than its subscriber

    /**
     * The subscriber's callback (Paho, MQTT 3.1.1) busy-spins 50 us per message, so the
     * publisher (HiveMQ, every PUBLISH fired at once) is done long before the subscriber has
     * read half of them; still every message arrives, once, in order, with no disconnect and no
     * drop.
     */
    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void publisherFasterThanItsSubscriberLosesNothing(int qos) throws Exception {
        try (TestBroker broker = TestBroker.start()) {
            broker.events.keepMessageEventsLight();
            String topic = Ids.next("spin");
            String subscriberId = Ids.next("spinner");
            String publisherId = Ids.next("fast-pub");
            try (SpinningSubscriber subscriber = SpinningSubscriber.connect(broker, subscriberId, topic, qos, 50_000);
                 HiveMqV5Client publisher = HiveMqV5Client.connect(broker, publisherId, b -> b)) {
                Flood flood = Flood.start(publisher, topic, 0, MESSAGES, 256, qos);
                flood.await(LONG);
                subscriber.log.awaitCount(MESSAGES, LONG);
                // Whatever was still due (a duplicate would be) has been sent once the session is idle.
                awaitIdle(broker, subscriberId);
                subscriber.log.assertExactlyInOrder(MESSAGES);
                assertEquals(0, broker.broker.metrics().messagesDropped(), "messages dropped");
                assertTrue(broker.events.disconnects(subscriberId).isEmpty(), "the subscriber was not disconnected");
                assertTrue(broker.events.disconnects(publisherId).isEmpty(), "the publisher was not disconnected");
                assertFalse(subscriber.connectionLost.isDone(), "Paho lost its connection: " + subscriber.connectionLost.getNow(null));
                assertTrue(publisher.isConnected(), "the publisher is connected");
                report("1 slow subscriber QoS %d: %d x 256 B; publisher done after %d ms, subscriber after %d ms (%.0f msg/s)",
                        qos, MESSAGES, flood.millis(), millisSince(flood.startNanos, subscriber.log.lastArrivalNanos()),
                        subscriber.log.ratePerSecond(flood.startNanos));
            }
        }
    }

    // ------------------------------------------------------------ 2. a stuck subscriber and its reading peer

    /**
     * A subscriber that never reads after SUBACK does not hold back a normal subscriber on the
     * same topic, nor the publisher: the reader gets all 20,000 messages in order, the publisher
     * is never paused, nothing is dropped (the stuck client's queue stays under the default
     * limits). The reader's rate, alone and next to the stuck one, is printed.
     */
    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stuckSubscriberDoesNotHoldBackItsPeerOrThePublisher(int qos) {
        try (TestBroker broker = TestBroker.start();
             HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("pub"), b -> b)) {
            broker.events.keepMessageEventsLight();
            BrokerMetrics metrics = broker.broker.metrics();

            // The reader on its own, for comparison (a second time after the run with the stuck peer, as the
            // first run also warms the JIT up).
            long[] aloneBefore = readerAlone(broker, publisher, qos);
            // The same next to a subscriber that is stuck.
            String topic = Ids.next("stuck-peer");
            String stuckId = Ids.next("stuck");
            String readerId = Ids.next("reader");
            try (StuckSubscriber stuck = StuckSubscriber.subscribe(broker, ProtocolVersion.MQTT_5, stuckId, false, topic,
                    QoS.fromValue(qos), 2048);
                 Reader reader = Reader.connect(broker, readerId, b -> b)) {
                reader.subscribe(topic, qos);
                Flood flood = Flood.start(publisher, topic, 0, MESSAGES, 256, qos);
                reader.log.awaitCount(MESSAGES, LONG);
                flood.await(LONG);
                double withStuckRate = reader.log.ratePerSecond(flood.startNanos);
                long withStuckMillis = millisSince(flood.startNanos, reader.log.lastArrivalNanos());
                awaitIdle(broker, readerId);
                reader.log.assertExactlyInOrder(MESSAGES);
                Await.until("messages waiting for the stuck subscriber", LONG,
                        () -> waiting(broker, stuckId) > 0);
                assertEquals(0, metrics.publisherPauses(), "the publisher was never paused");
                assertEquals(0, metrics.messagesDropped(), "nothing dropped: the stuck client's queue stays under its default limits");
                assertTrue(broker.broker.client(stuckId).isPresent(), "the stuck subscriber is still connected");
                assertTrue(broker.events.disconnects(readerId).isEmpty(), "the reader was not disconnected");
                assertTrue(publisher.isConnected(), "the publisher is connected");
                long[] aloneAfter = readerAlone(broker, publisher, qos);
                report("2 stuck peer QoS %d, %d x 256 B: reader alone %d ms (%d msg/s), next to a stuck subscriber %d ms "
                                + "(%.0f msg/s), alone again %d ms (%d msg/s); %d messages wait for the stuck one",
                        qos, MESSAGES, aloneBefore[0], aloneBefore[1], withStuckMillis, withStuckRate, aloneAfter[0], aloneAfter[1],
                        waiting(broker, stuckId));
                assertEquals(0, metrics.messagesDropped(), "nothing dropped");
            }
        }
    }

    /** A reader alone on a topic gets 20,000 messages; returns how long that took (ms) and the rate (msg/s). */
    private static long[] readerAlone(TestBroker broker, HiveMqV5Client publisher, int qos) {
        String topic = Ids.next("alone");
        try (Reader reader = Reader.connect(broker, Ids.next("reader-alone"), b -> b)) {
            reader.subscribe(topic, qos);
            Flood flood = Flood.start(publisher, topic, 0, MESSAGES, 256, qos);
            reader.log.awaitCount(MESSAGES, LONG);
            flood.await(LONG);
            reader.log.assertExactlyInOrder(MESSAGES);
            return new long[] {millisSince(flood.startNanos, reader.log.lastArrivalNanos()),
                    Math.round(reader.log.ratePerSecond(flood.startNanos))};
        }
    }

    // ------------------------------------------------------------ 3. bursts read only after they were sent

    /**
     * Ten publisher/subscriber pairs, 10,000 QoS 0 messages each, all pairs at once; every
     * subscriber (a raw MQTT 3.1.1 socket) starts reading only once its publisher is done. With
     * the default queue limits and memory budget all 100,000 arrive. With 1 KiB payloads that is
     * 100 MiB, which waits for its readers in the broker's queues and in the sockets' buffers.
     */
    @ParameterizedTest(name = "{0}-byte payloads")
    @ValueSource(ints = {16, 1024})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void burstsReadOnlyAfterTheyWereSentAreDeliveredInFull(int payloadSize) {
        int pairs = 10;
        int perPair = 10_000;
        try (TestBroker broker = TestBroker.start()) {
            broker.events.keepMessageEventsLight();
            BrokerMetrics metrics = broker.broker.metrics();
            List<StuckSubscriber> subscribers = new ArrayList<>();
            List<HiveMqV5Client> publishers = new ArrayList<>();
            try {
                String[] topics = new String[pairs];
                for (int i = 0; i < pairs; i++) {
                    topics[i] = Ids.next("burst");
                    subscribers.add(StuckSubscriber.subscribe(broker, ProtocolVersion.MQTT_3_1_1, Ids.next("burst-sub"), false,
                            topics[i], QoS.AT_MOST_ONCE, 0));
                    publishers.add(HiveMqV5Client.connect(broker, Ids.next("burst-pub"), b -> b));
                }
                AtomicLong peakQueuedBytes = new AtomicLong();
                long start = System.nanoTime();
                List<Flood> floods = new ArrayList<>();
                for (int i = 0; i < pairs; i++) {
                    StuckSubscriber subscriber = subscribers.get(i);
                    Flood flood = Flood.start(publishers.get(i), topics[i], 0, perPair, payloadSize, 0);
                    flood.finished.thenRun(() -> {
                        peakQueuedBytes.accumulateAndGet(metrics.queuedBytes(), Math::max);
                        subscriber.startReading(true);
                    });
                    floods.add(flood);
                }
                for (Flood flood : floods) {
                    flood.await(LONG);
                }
                for (StuckSubscriber subscriber : subscribers) {
                    subscriber.log.awaitCount(perPair, LONG);
                }
                long millis = millisSince(start, System.nanoTime());
                for (StuckSubscriber subscriber : subscribers) {
                    subscriber.log.assertExactlyInOrder(perPair);
                }
                assertEquals(0, metrics.messagesDropped(), "messages dropped");
                assertEquals(0, metrics.writeStalls(), "write stalls");
                assertEquals(0, metrics.memoryBudgetEpisodes(), "memory budget episodes");
                for (StuckSubscriber subscriber : subscribers) {
                    assertTrue(broker.events.disconnects(subscriber.clientId()).isEmpty(), subscriber.clientId() + " disconnected");
                }
                report("3 burst %d x %d x %d B: all delivered in %d ms; up to %.1f MiB held in the broker when a publisher finished",
                        pairs, perPair, payloadSize, millis, peakQueuedBytes.get() / (double) MIB);
            } finally {
                publishers.forEach(HiveMqV5Client::close);
                subscribers.forEach(StuckSubscriber::close);
            }
        }
    }

    // ------------------------------------------------------------ 4. the memory budget

    /**
     * A broker with an 8 MiB memory budget (and per-session limits far above it), a stuck
     * subscriber and a reading one on the same topic, and twice the budget in 1 KiB messages:
     * either a flood (every PUBLISH fired at once) or paced (32 at a time, the next 32 once the
     * reader has the previous ones: a reader that keeps up). The reader gets every message;
     * what the stuck one cannot take is dropped with MEMORY_BUDGET, for it alone; the heap does
     * not grow with the flood; and the broker still serves a new client afterwards.
     */
    @ParameterizedTest(name = "QoS {0}, {1}")
    @CsvSource({"0, flood", "1, flood", "0, paced", "1, paced"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void memoryBudgetBoundsWhatAStuckSubscriberHolds(int qos, String pace) {
        long budget = 8L * MIB;
        try (TestBroker broker = TestBroker.start(b -> b.memoryBudget(budget).maxQueuedBytes(1L << 30)
                .maxQueuedMessages(Integer.MAX_VALUE))) {
            broker.events.keepMessageEventsLight();
            BrokerMetrics metrics = broker.broker.metrics();
            String topic = Ids.next("budget");
            String stuckId = Ids.next("stuck");
            String readerId = Ids.next("reader");
            try (StuckSubscriber stuck = StuckSubscriber.subscribe(broker, ProtocolVersion.MQTT_5, stuckId, false, topic,
                    QoS.fromValue(qos), 2048);
                 Reader reader = Reader.connect(broker, readerId, b -> b);
                 HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("flooder"), b -> b)) {
                reader.subscribe(topic, qos);
                long heapBefore = usedHeapAfterGc();
                int count = (int) (2 * budget / KIB);
                // What the reader has received or lost so far.
                IntSupplier readerDone = () -> reader.log.count()
                        + broker.events.of(RecordingListener.Dropped.class, e -> e.clientId().equals(readerId)).size();
                long start = System.nanoTime();
                if (pace.equals("paced")) {
                    for (int first = 0; first < count; first += 32) {
                        Flood.start(publisher, topic, first, 32, KIB, qos).await(LONG);
                        int target = first + 32;
                        Await.until("the reader having message " + (target - 1), LONG, () -> readerDone.getAsInt() >= target);
                    }
                } else {
                    Flood.start(publisher, topic, 0, count, KIB, qos).await(LONG);
                }
                awaitOrExplain("the reader receiving (or being dropped) every message; " + reader.log,
                        () -> readerDone.getAsInt() >= count, broker, readerId, stuckId);
                long millis = millisSince(start, System.nanoTime());
                // Every message for the stuck subscriber has been written to its socket, queued or dropped.
                awaitOrExplain("the stuck subscriber's share settled", () -> {
                    long written = metrics.messagesSent() - reader.log.count();
                    long dropped = broker.events.of(RecordingListener.Dropped.class, e -> e.clientId().equals(stuckId)).size();
                    // The broker-wide gauge, not the session's snapshot: it also counts hand-offs a parked
                    // session has not taken yet (it takes them in batches). The reader holds none now.
                    return metrics.queuedMessages() + written + dropped == count;
                }, broker, readerId, stuckId);
                long heapAfter = usedHeapAfterGc();
                long growth = heapAfter - heapBefore;
                long budgetDrops = metrics.messagesDropped(DropReason.MEMORY_BUDGET);
                int stuckBudgetDrops = broker.events.of(RecordingListener.Dropped.class,
                        e -> e.clientId().equals(stuckId) && e.reason() == DropReason.MEMORY_BUDGET).size();
                report("4 memory budget QoS %d %s: %d x 1 KiB (%d MiB) against %d MiB in %d ms; reader got %d; MEMORY_BUDGET "
                                + "drops %d (%d for the stuck one), %d episodes, %d publisher pauses, %.1f MiB held, "
                                + "heap %+.1f MiB (%.1f -> %.1f)",
                        qos, pace, count, count / KIB, budget / MIB, millis, reader.log.count(), budgetDrops, stuckBudgetDrops,
                        metrics.memoryBudgetEpisodes(), metrics.publisherPauses(), metrics.queuedBytes() / (double) MIB,
                        growth / (double) MIB, heapBefore / (double) MIB, heapAfter / (double) MIB);

                String lateId = Ids.next("late");
                assertAll("memory budget, QoS " + qos + ", " + pace,
                        () -> assertTrue(stuckBudgetDrops > 0, "the stuck subscriber could not take the whole flood"),
                        () -> assertTrue(metrics.memoryBudgetEpisodes() >= 1, "the budget was exhausted at least once"),
                        () -> assertTrue(metrics.queuedBytes() <= budget + budget / 4,
                                "held for subscribers: " + metrics.queuedBytes() + " bytes, budget " + budget),
                        () -> assertTrue(growth < 3 * budget, "the heap grew by " + growth + " bytes, the budget is " + budget),
                        () -> assertTrue(qos == 0 || metrics.publisherPauses() >= 1,
                                "the QoS 1 publisher was held back at the exhausted budget"),
                        () -> assertTrue(broker.events.disconnects(readerId).isEmpty(), "the reader was not disconnected"),
                        // The reader lost nothing, and every MEMORY_BUDGET drop was the stuck one's.
                        () -> reader.log.assertExactlyInOrder(count, () -> diagnostics(broker, readerId, stuckId)),
                        () -> assertEquals(budgetDrops, stuckBudgetDrops, "every MEMORY_BUDGET drop was for the stuck subscriber"),
                        // The broker still serves newcomers (the reader gets this message too, after the checks above).
                        () -> {
                            try (Reader late = Reader.connect(broker, lateId, b -> b)) {
                                late.subscribe(topic, qos);
                                Flood.start(publisher, topic, count, 1, 64, qos).await(LONG);
                                late.log.awaitCount(1, LONG, () -> diagnostics(broker, lateId));
                                assertEquals(count, late.log.numbers()[0], "the newcomer got the message published after it subscribed");
                            }
                        });
            }
        }
    }

    /**
     * The memory budget is exhausted by a stuck subscriber first (alone on its topic, until the
     * broker takes it for stuck and drops for it); then a burst comes on a topic that the stuck
     * one and a reader share, the reader having had nothing to do meanwhile. The reader keeps
     * up as well as it can, and is not stuck: it must get every message.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void readerIdleWhileTheBudgetWasExhaustedIsNotTakenForStuck() {
        long budget = 8L * MIB;
        try (TestBroker broker = TestBroker.start(b -> b.memoryBudget(budget).maxQueuedBytes(1L << 30)
                .maxQueuedMessages(Integer.MAX_VALUE))) {
            broker.events.keepMessageEventsLight();
            BrokerMetrics metrics = broker.broker.metrics();
            String prefix = Ids.next("idle");
            String stuckId = Ids.next("stuck");
            String readerId = Ids.next("reader");
            try (StuckSubscriber stuck = StuckSubscriber.subscribe(broker, ProtocolVersion.MQTT_5, stuckId, false, prefix + "/#",
                    QoS.AT_MOST_ONCE, 2048);
                 Reader reader = Reader.connect(broker, readerId, b -> b);
                 HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("flooder"), b -> b)) {
                reader.subscribe(prefix + "/shared", 0);
                // The stuck subscriber alone exhausts the budget, until the broker refuses it messages.
                int fill = 0;
                while (metrics.messagesDropped(DropReason.MEMORY_BUDGET) == 0) {
                    assertTrue(fill < 2 * budget / KIB * 4, "no MEMORY_BUDGET drop after " + fill + " messages; "
                            + diagnostics(broker, stuckId));
                    Flood.start(publisher, prefix + "/fill", fill, 1024, KIB, 0).await(LONG);
                    fill += 1024;
                }
                int count = 4096;
                Flood.start(publisher, prefix + "/shared", 0, count, KIB, 0).await(LONG);
                IntSupplier readerDone = () -> reader.log.count()
                        + broker.events.of(RecordingListener.Dropped.class, e -> e.clientId().equals(readerId)).size();
                awaitOrExplain("the reader receiving (or being dropped) every message; " + reader.log,
                        () -> readerDone.getAsInt() >= count, broker, readerId, stuckId);
                report("4b idle reader: %d x 1 KiB to fill the budget, then %d x 1 KiB: reader got %d; %s", fill, count,
                        reader.log.count(), diagnostics(broker, readerId));
                reader.log.assertExactlyInOrder(count, () -> diagnostics(broker, readerId, stuckId));
            }
        }
    }

    // ------------------------------------------------------------ 5. write stall

    /**
     * A subscriber with a persistent session that takes no bytes is closed after the write
     * stall timeout; its session stays, with everything that was for it, and a client that
     * resumes it gets all of it. The flood stops once many messages wait in the session (its
     * connection is no longer writable, for good), so that the timeout alone has to close it,
     * and so that its queue stays under its limits (nothing is dropped).
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void writeStallClosesTheConnectionAndKeepsTheSession() {
        try (TestBroker broker = TestBroker.start(b -> b.writeStallTimeout(Duration.ofMillis(500))
                .writeBufferWaterMarks(8 * KIB, 16 * KIB).maxInflight(0xFFFF))) {
            broker.events.keepMessageEventsLight();
            BrokerMetrics metrics = broker.broker.metrics();
            String topic = Ids.next("stall");
            String stuckId = Ids.next("stalled");
            int sent = 0;
            long stalledAt;
            long closedAfterMillis;
            try (StuckSubscriber stuck = StuckSubscriber.subscribe(broker, ProtocolVersion.MQTT_5, stuckId, true, topic,
                    QoS.AT_LEAST_ONCE, 2048);
                 HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("pub"), b -> b)) {
                // With no limit on messages in flight, messages queue only while the connection is not writable. A
                // few may queue for a moment until the socket buffers take them (they took some 2 MiB here): the
                // flood goes on until 2,000 messages (2 MiB more) wait, so that the connection cannot become
                // writable again.
                while (queued(broker, stuckId) < 2_000 && broker.events.disconnects(stuckId).isEmpty()) {
                    assertTrue(sent < 50_000, "the connection still writable after " + sent + " messages; "
                            + diagnostics(broker, stuckId));
                    Flood.start(publisher, topic, sent, 100, KIB, 1).await(LONG);
                    sent += 100;
                }
                stalledAt = System.nanoTime();
                int queuedWhenStopped = queued(broker, stuckId);
                int sentWhenStopped = sent;
                awaitOrExplain("the write stall closing the connection (" + queuedWhenStopped + " of " + sentWhenStopped
                        + " queued when the flood stopped)", () -> !broker.events.disconnects(stuckId).isEmpty(), broker, stuckId);
                closedAfterMillis = millisSince(stalledAt, System.nanoTime());
            }
            DisconnectReason reason = broker.events.awaitDisconnect(stuckId).reason();
            assertEquals(DisconnectReason.Initiator.SERVER, reason.initiator(), reason.toString());
            assertEquals(ReasonCode.QUOTA_EXCEEDED, reason.reasonCode(), reason.toString());
            assertEquals(1, metrics.writeStalls(), "write stalls");
            broker.awaitNotConnected(stuckId);
            int expected = sent;
            awaitOrExplain("the session to hold all " + expected + " messages", () -> waiting(broker, stuckId) == expected,
                    broker, stuckId);
            SessionInfo session = broker.broker.session(stuckId).orElseThrow();
            assertFalse(session.connected(), "the session is offline");
            assertTrue(broker.events.sessionEnds(stuckId).isEmpty(), "the session did not end");
            assertEquals(0, metrics.messagesDropped(), "messages dropped");
            report("5 write stall: closed %d ms after the flood stopped, %d x 1 KiB sent, %d in flight and %d queued in its session",
                    closedAfterMillis, sent, session.inflightMessages(), session.queuedMessages());

            try (Reader back = Reader.connect(broker, stuckId, b -> b.cleanStart(false).sessionExpiryInterval(300))) {
                assertTrue(back.connAck.isSessionPresent(), "session present");
                back.log.awaitCount(sent, LONG);
                awaitIdle(broker, stuckId);
                back.log.assertExactlyInOrder(sent);
            }
        }
    }

    // ------------------------------------------------------------ 6. overflow policies

    /**
     * DROP_OLDEST with a queue of 10: a stuck subscriber that starts reading after the flood
     * gets what was in flight to it and then the rest of the newest 10 messages (a few of them
     * may have gone into flight when its socket took a few more bytes); everything in between
     * was dropped, and counted.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropOldestKeepsTheNewestMessagesForAStuckReader() {
        int maxQueued = 10;
        int count = 2_000;
        try (TestBroker broker = TestBroker.start(b -> b.maxQueuedMessages(maxQueued)
                .queueOverflowPolicy(QueueOverflowPolicy.DROP_OLDEST).writeBufferWaterMarks(8 * KIB, 16 * KIB))) {
            broker.events.keepMessageEventsLight();
            BrokerMetrics metrics = broker.broker.metrics();
            String topic = Ids.next("oldest");
            String stuckId = Ids.next("stuck");
            try (StuckSubscriber stuck = StuckSubscriber.subscribe(broker, ProtocolVersion.MQTT_5, stuckId, false, topic,
                    QoS.AT_LEAST_ONCE, 2048);
                 HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("pub"), b -> b)) {
                Flood.start(publisher, topic, 0, count, KIB, 1).await(LONG);
                // Every message is in flight (sent, unacknowledged), queued or dropped.
                awaitOrExplain("the flood settled", () -> waiting(broker, stuckId) + metrics.messagesDropped() == count,
                        broker, stuckId);
                int inflight = inflight(broker, stuckId);
                int queued = queued(broker, stuckId);
                long drops = metrics.messagesDropped(DropReason.QUEUE_FULL);
                String settled = diagnostics(broker, stuckId);
                // The counter moves just before the event is told: wait for the last event.
                awaitOrExplain("a drop event for each of the " + drops + " drops", () -> broker.events.of(
                        RecordingListener.Dropped.class, e -> e.clientId().equals(stuckId) && e.reason() == DropReason.QUEUE_FULL)
                        .size() == drops, broker, stuckId);

                stuck.startReading(true);
                stuck.log.awaitCount(inflight + queued, LONG);
                awaitIdle(broker, stuckId);
                int[] received = stuck.log.numbers();
                int[] newest = Arrays.copyOfRange(received, Math.max(0, received.length - maxQueued), received.length);
                int[] expected = new int[maxQueued];
                Arrays.setAll(expected, i -> count - maxQueued + i);
                report("6 drop oldest: %d sent, %d were in flight, %d queued (the newest %s), %d dropped", count, inflight, queued,
                        Arrays.toString(newest), drops);
                assertAll("drop oldest",
                        () -> assertEquals(drops, metrics.messagesDropped(), "no drops but QUEUE_FULL; " + settled),
                        () -> assertTrue(drops > 0, "messages were dropped"),
                        () -> assertEquals(inflight + queued, received.length, "what was in flight, then the queue: " + stuck.log),
                        () -> assertEquals(count - drops, received.length, "every message not dropped arrived"),
                        () -> assertEquals(0, stuck.log.count() - stuck.log.distinct(), "no duplicates: " + stuck.log),
                        () -> {
                            for (int i = 1; i < received.length; i++) {
                                assertTrue(received[i] > received[i - 1], "in order: " + stuck.log);
                            }
                        },
                        () -> assertEquals(Arrays.toString(expected), Arrays.toString(newest), "the newest messages were kept"),
                        () -> assertTrue(broker.broker.client(stuckId).isPresent(), "the subscriber is still connected"));
            }
        }
    }

    /**
     * DISCONNECT with a queue of 10: the stuck subscriber is disconnected with 0x97 Quota
     * exceeded when its queue overflows; a reading subscriber on the same topic and the
     * publisher carry on and lose nothing.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void disconnectPolicyShedsOnlyTheStuckSubscriber() {
        int count = 500;
        try (TestBroker broker = TestBroker.start(b -> b.maxQueuedMessages(10)
                .queueOverflowPolicy(QueueOverflowPolicy.DISCONNECT))) {
            broker.events.keepMessageEventsLight();
            String topic = Ids.next("shed");
            String stuckId = Ids.next("stuck");
            String readerId = Ids.next("reader");
            try (StuckSubscriber stuck = StuckSubscriber.subscribe(broker, ProtocolVersion.MQTT_5, stuckId, false, topic,
                    QoS.AT_LEAST_ONCE, 2048);
                 Reader reader = Reader.connect(broker, readerId, b -> b);
                 HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("pub"), b -> b)) {
                reader.subscribe(topic, 1);
                // Five at a time, each batch received by the reader before the next is sent, so that the
                // reader's queue of 10 cannot fill however the threads are scheduled (a PUBACK to the
                // publisher does not wait for the reader, and a busy CI machine can stall the reader's
                // thread long enough for its socket to fill): the policy applies to every session, and
                // only the stuck one should overflow.
                for (int first = 0; first < count; first += 5) {
                    Flood.start(publisher, topic, first, 5, KIB, 1).await(LONG);
                    reader.log.awaitCount(first + 5, LONG, () -> diagnostics(broker, readerId, stuckId));
                }
                reader.log.awaitCount(count, LONG, () -> diagnostics(broker, readerId, stuckId));
                DisconnectReason reason = broker.events.awaitDisconnect(stuckId).reason();
                assertEquals(DisconnectReason.Initiator.SERVER, reason.initiator(), reason.toString());
                assertEquals(ReasonCode.QUOTA_EXCEEDED, reason.reasonCode(), reason.toString());
                broker.events.awaitSessionEnd(stuckId);
                awaitIdle(broker, readerId);
                reader.log.assertExactlyInOrder(count);
                assertFalse(broker.events.of(RecordingListener.Dropped.class,
                        e -> e.clientId().equals(stuckId) && e.reason() == DropReason.QUEUE_FULL).isEmpty(), "QUEUE_FULL drops");
                assertTrue(broker.events.of(RecordingListener.Dropped.class, e -> e.clientId().equals(readerId)).isEmpty(),
                        "nothing dropped for the reader");
                assertTrue(broker.events.disconnects(readerId).isEmpty(), "the reader was not disconnected");
                assertTrue(publisher.isConnected(), "the publisher is connected");
                // What the stuck client finds once it reads: what reached its socket, then the end.
                stuck.startReading(true);
                Await.result("the stuck subscriber's connection ending", stuck.closed, LONG);
                Disconnect disconnect = stuck.disconnect.getNow(null);
                if (disconnect != null) {
                    assertEquals(ReasonCode.QUOTA_EXCEEDED, disconnect.reasonCode(), disconnect.toString());
                }
                report("6 disconnect (stuck): disconnected; its socket held %d messages%s", stuck.log.count(),
                        disconnect == null ? ", no DISCONNECT (the broker closed at once, its buffers being full)"
                                : ", then DISCONNECT 0x97");
            }
        }
    }

    /**
     * DISCONNECT, seen on the wire: a client that reads but never acknowledges fills its
     * inflight window (5), then its queue (10); the next message gets it DISCONNECT 0x97, which
     * it can read since its connection is writable.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void disconnectPolicySends0x97ToAClientThatNeverAcknowledges() {
        try (TestBroker broker = TestBroker.start(b -> b.maxInflight(5).maxQueuedMessages(10)
                .queueOverflowPolicy(QueueOverflowPolicy.DISCONNECT))) {
            String topic = Ids.next("no-ack");
            String clientId = Ids.next("no-ack");
            try (StuckSubscriber silent = StuckSubscriber.subscribe(broker, ProtocolVersion.MQTT_5, clientId, false, topic,
                    QoS.AT_LEAST_ONCE, 0);
                 HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("pub"), b -> b)) {
                silent.startReading(false);
                for (int i = 0; i < 5 + 10 + 1; i++) {
                    publisher.publish(topic, SequenceLog.payload(i, 16), 1, false);
                }
                Disconnect disconnect = Await.result("DISCONNECT from the broker", silent.disconnect);
                assertEquals(ReasonCode.QUOTA_EXCEEDED, disconnect.reasonCode(), disconnect.toString());
                Await.result("the connection ending", silent.closed);
                assertEquals("[0, 1, 2, 3, 4]", Arrays.toString(silent.log.numbers()), "the inflight window's worth was sent");
                DisconnectReason reason = broker.events.awaitDisconnect(clientId).reason();
                assertEquals(ReasonCode.QUOTA_EXCEEDED, reason.reasonCode(), reason.toString());
                assertEquals(1, broker.events.of(RecordingListener.Dropped.class,
                        e -> e.clientId().equals(clientId) && e.reason() == DropReason.QUEUE_FULL).size(), "QUEUE_FULL drops");
                assertTrue(publisher.isConnected(), "the publisher is connected");
            }
        }
    }



    // ------------------------------------------------------------ helpers

    private static void report(String format, Object... args) {
        LOG.info(String.format(format, args));
    }

    /** Waits until {@code condition} holds; on timeout the failure tells what the broker says about {@code clientIds}. */
    private static void awaitOrExplain(String what, BooleanSupplier condition, TestBroker broker, String... clientIds) {
        try {
            Await.until(what, LONG, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " " + diagnostics(broker, clientIds), e);
        }
    }

    /** What the broker says about itself and the given clients, for failure messages. */
    private static String diagnostics(TestBroker broker, String... clientIds) {
        BrokerMetrics metrics = broker.broker.metrics();
        StringBuilder text = new StringBuilder("(broker: received ").append(metrics.messagesReceived())
                .append(", sent ").append(metrics.messagesSent()).append(", dropped {");
        for (DropReason reason : DropReason.values()) {
            if (metrics.messagesDropped(reason) > 0) {
                text.append(reason).append('=').append(metrics.messagesDropped(reason)).append(' ');
            }
        }
        text.append("}, queued bytes ").append(metrics.queuedBytes()).append(", budget episodes ")
                .append(metrics.memoryBudgetEpisodes()).append(", publisher pauses ").append(metrics.publisherPauses())
                .append(", write stalls ").append(metrics.writeStalls());
        for (String clientId : clientIds) {
            java.util.Map<DropReason, Long> drops = new java.util.EnumMap<>(DropReason.class);
            for (RecordingListener.Dropped drop : broker.events.of(RecordingListener.Dropped.class,
                    e -> e.clientId().equals(clientId))) {
                drops.merge(drop.reason(), 1L, Long::sum);
            }
            text.append("; ").append(clientId).append(": ").append(session(broker, clientId)
                            .map(s -> (s.connected() ? "connected, " : "offline, ") + s.queuedMessages() + " queued, "
                                    + s.inflightMessages() + " in flight").orElse("no session"))
                    .append(", drops ").append(drops).append(", disconnects ")
                    .append(broker.events.disconnects(clientId).stream().map(d -> d.reason().toString()).toList());
        }
        return text.append(')').toString();
    }

    private static long millisSince(long startNanos, long endNanos) {
        return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
    }

    private static Optional<SessionInfo> session(TestBroker broker, String clientId) {
        return broker.broker.session(clientId);
    }

    private static int queued(TestBroker broker, String clientId) {
        return session(broker, clientId).map(SessionInfo::queuedMessages).orElse(-1);
    }

    private static int inflight(TestBroker broker, String clientId) {
        return session(broker, clientId).map(SessionInfo::inflightMessages).orElse(-1);
    }

    /** Messages a session holds: queued plus in flight. */
    private static int waiting(TestBroker broker, String clientId) {
        return session(broker, clientId).map(s -> s.queuedMessages() + s.inflightMessages()).orElse(-1);
    }

    /** Waits until a session has nothing queued and nothing in flight. */
    private static void awaitIdle(TestBroker broker, String clientId) {
        Await.until(clientId + " has nothing queued or in flight", LONG, () -> waiting(broker, clientId) == 0);
    }

    private static long usedHeapAfterGc() {
        // Two collections: the first may leave garbage that finalization or reference processing frees.
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * Numbered messages fired at once by a HiveMQ client, none waiting for the previous one:
     * the client sends them as fast as the broker's Receive Maximum lets it.
     */
    private static final class Flood {
        final String what;
        final long startNanos = System.nanoTime();
        final CountDownLatch done;
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        volatile long endNanos;

        private Flood(String what, int count) {
            this.what = what;
            this.done = new CountDownLatch(count);
        }

        /** Publishes messages {@code first} to {@code first + count - 1}, each {@code size} bytes. */
        static Flood start(HiveMqV5Client publisher, String topic, int first, int count, int size, int qos) {
            Flood flood = new Flood(count + " QoS " + qos + " publishes to " + topic + " by " + publisher.clientId(), count);
            MqttQos mqttQos = MqttQos.fromCode(qos);
            for (int i = first; i < first + count; i++) {
                publisher.client.publishWith().topic(topic).payload(SequenceLog.payload(i, size)).qos(mqttQos).send()
                        .whenComplete(flood::completed);
            }
            return flood;
        }

        private void completed(Mqtt5PublishResult result, Throwable error) {
            Throwable failure = error != null ? error : result.getError().orElse(null);
            if (failure != null) {
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, failure);
            }
            done.countDown();
            if (done.getCount() == 0) {
                endNanos = System.nanoTime();
                finished.complete(null);
            }
        }

        void await(Duration timeout) {
            Await.latch(what, done, timeout);
            if (failures.get() > 0) {
                fail(failures.get() + " of the " + what + " failed; the first: " + firstFailure.get(), firstFailure.get());
            }
        }

        long millis() {
            return millisSince(startNanos, endNanos);
        }
    }

    /** A HiveMQ MQTT 5.0 subscriber that keeps only the numbers of the messages it receives. */
    private static final class Reader implements AutoCloseable {
        final Mqtt5AsyncClient client;
        final SequenceLog log;
        final CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
        Mqtt5ConnAck connAck;

        private Reader(TestBroker broker, String clientId) {
            log = new SequenceLog(clientId);
            client = MqttClient.builder().useMqttVersion5().identifier(clientId)
                    .serverHost("127.0.0.1").serverPort(broker.port())
                    .addDisconnectedListener(context -> {
                        if (context.getSource() != MqttDisconnectSource.USER) {
                            disconnected.complete(context.getCause());
                        }
                    })
                    .buildAsync();
            // Registered before CONNECT, so that what a resumed session sends at once is caught.
            client.publishes(MqttGlobalPublishFilter.ALL,
                    publish -> log.add(SequenceLog.number(publish.getPayload().orElseThrow())));
        }

        /** Connects with clean start, no session expiry and keep alive 60 s, as changed by {@code customizer}. */
        static Reader connect(TestBroker broker, String clientId,
                              UnaryOperator<Mqtt5ConnectBuilder.Send<CompletableFuture<Mqtt5ConnAck>>> customizer) {
            Reader reader = new Reader(broker, clientId);
            reader.connAck = Await.result("HiveMQ " + clientId + " connecting",
                    customizer.apply(reader.client.connectWith().cleanStart(true).keepAlive(60)).send());
            return reader;
        }

        void subscribe(String filter, int qos) {
            Mqtt5SubAck subAck = Await.result("SUBACK for " + filter,
                    client.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send());
            assertEquals(qos, subAck.getReasonCodes().get(0).getCode(), "granted QoS");
        }

        @Override
        public void close() {
            if (client.getState().isConnectedOrReconnect()) {
                try {
                    client.disconnect().get(5, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // closing anyway
                }
            }
        }
    }

    /**
     * A Paho MQTT 3.1.1 subscriber whose message callback busy-spins for a while per message.
     * Paho reads the socket on one thread and calls back on another with at most a few
     * messages between them, so a slow callback slows the reading: the broker sees a slow
     * consumer.
     */
    private static final class SpinningSubscriber implements AutoCloseable {
        final MqttAsyncClient client;
        final SequenceLog log;
        final CompletableFuture<Throwable> connectionLost = new CompletableFuture<>();

        private SpinningSubscriber(MqttAsyncClient client, String clientId) {
            this.client = client;
            this.log = new SequenceLog(clientId);
        }

        static SpinningSubscriber connect(TestBroker broker, String clientId, String topic, int qos, long spinNanos)
                throws MqttException {
            SpinningSubscriber subscriber =
                    new SpinningSubscriber(new MqttAsyncClient(broker.uri(), clientId, new MemoryPersistence()), clientId);
            subscriber.client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    subscriber.connectionLost.complete(cause);
                }

                @Override
                public void messageArrived(String topicName, MqttMessage message) {
                    spin(spinNanos);
                    subscriber.log.add(SequenceLog.number(message.getPayload()));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setCleanSession(true);
            options.setKeepAliveInterval(60);
            options.setConnectionTimeout(10);
            options.setAutomaticReconnect(false);
            try {
                subscriber.client.connect(options).waitForCompletion(Await.TIMEOUT.toMillis());
                IMqttToken subscribed = subscriber.client.subscribe(topic, qos);
                subscribed.waitForCompletion(Await.TIMEOUT.toMillis());
                assertEquals(qos, subscribed.getGrantedQos()[0], "granted QoS");
                return subscriber;
            } catch (MqttException | RuntimeException | AssertionError e) {
                subscriber.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                if (client.isConnected()) {
                    client.disconnect(0).waitForCompletion(2_000);
                }
            } catch (MqttException | RuntimeException ignored) {
                // closing anyway
            }
            try {
                client.close(true);
            } catch (MqttException | RuntimeException ignored) {
                // nothing more to release
            }
        }
    }
}
