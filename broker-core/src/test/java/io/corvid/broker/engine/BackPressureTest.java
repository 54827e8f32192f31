package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.DropReason;
import io.corvid.broker.QueueOverflowPolicy;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Slow and stuck subscribers: each meets its own queue limits and overflow policy, nobody
 * else is held back, and the broker-wide memory budget bounds what all of them hold.
 */
class BackPressureTest extends EngineTestSupport {

    /** The transport says the client takes no more bytes (or takes them again), as Netty would. */
    private static void setWritable(TestClient client, boolean writable) {
        client.connection.writable = writable;
        client.connection.loop.execute(() -> client.connection.handler.onWritabilityChanged(writable));
    }

    /** Blocks the subscriber's thread, as a busy event loop would, until released. */
    private static CountDownLatch stall(TestClient subscriber) {
        CountDownLatch release = new CountDownLatch(1);
        subscriber.connection.loop.execute(() -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return release;
    }

    private TestClient subscriber(String id, String topic, QoS qos) {
        TestClient client = client(id);
        client.connect(MQTT_5, true);
        client.subscribe(topic, qos);
        return client;
    }

    private void publishFromApp(String topic, int index, QoS qos, int size) {
        byte[] payload = new byte[Math.max(2, size)];
        payload[0] = (byte) index;
        payload[1] = (byte) (index >> 8);
        engine().publishFromApplication(new Publish(topic, qos, false, false, 0, payload, Properties.EMPTY));
    }

    private static int index(Publish publish) {
        byte[] payload = publish.payload();
        return (payload[0] & 0xFF) | (payload[1] & 0xFF) << 8;
    }

    private long dropped(String clientId, DropReason reason) {
        return events.count(e -> e.startsWith("dropped " + clientId + " ") && e.endsWith(" " + reason));
    }

    @Test
    void aStuckSubscriberNeverHoldsBackItsPublisherNorTheOtherSubscribers() {
        settings.maxQueuedMessages(10);
        TestClient stuck = subscriber("stuck", "iso", QoS.AT_LEAST_ONCE);
        TestClient live = subscriber("live", "iso", QoS.AT_LEAST_ONCE);
        TestClient publisher = client("publisher");
        publisher.connect(MQTT_5, true);
        setWritable(stuck, false);
        for (int i = 1; i <= 100; i++) { // within the live one's inflight window: no queue needed there
            publisher.send(new Publish("iso", QoS.AT_LEAST_ONCE, false, false, i, new byte[] {(byte) i}, Properties.EMPTY));
        }
        for (int i = 1; i <= 100; i++) {
            assertEquals(i, publisher.expect(PubAck.class).packetId());
        }
        for (int i = 1; i <= 100; i++) {
            Publish publish = live.receive();
            assertEquals((byte) i, publish.payload()[0], "in order, nothing lost");
        }
        assertTrue(publisher.connection.readEnabled, "the publisher was never paused");
        assertEquals(0, engine().metrics().publisherPauses());
        Await.until("the stuck one's overflow is dropped", () -> dropped("stuck", DropReason.QUEUE_FULL) == 90);
        assertFalse(stuck.connection.isClosed(), "drop newest: the slow client stays connected");
        assertEquals(0, dropped("live", DropReason.QUEUE_FULL));
    }

    @Test
    void qos0BeyondTheMessageLimitIsDroppedForThatSubscriberOnly() {
        settings.maxQueuedMessages(10);
        TestClient stuck = subscriber("stuck0", "q0", QoS.AT_MOST_ONCE);
        TestClient live = subscriber("live0", "q0", QoS.AT_MOST_ONCE);
        setWritable(stuck, false);
        Await.until("the stuck subscriber is behind", () -> !stuck.connection.writable);
        for (int i = 0; i < 100; i++) {
            publishFromApp("q0", i, QoS.AT_MOST_ONCE, 1);
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(i, index(live.receive()));
        }
        Await.until("90 dropped", () -> dropped("stuck0", DropReason.QUEUE_FULL) == 90);
        setWritable(stuck, true);
        for (int i = 0; i < 10; i++) {
            assertEquals(i, index(stuck.receive()), "the first ten waited in order");
        }
        stuck.expectNothing();
        assertEquals(90, engine().metrics().messagesDropped(DropReason.QUEUE_FULL));
    }

    /**
     * Once a subscriber that takes no bytes is dropping, what it would drop on arrival is dropped
     * on the publisher's thread: waking the stuck session's thread for each
     * message had cost about 4 us of CPU per message at full speed, taken from the other subscribers.
     */
    @Test
    void aStuckSubscriberThatIsDroppingIsNotWokenForEachMessage() {
        settings.maxQueuedMessages(10);
        TestClient stuck = subscriber("asleep", "z", QoS.AT_MOST_ONCE);
        setWritable(stuck, false);
        Await.until("not writable", () -> !stuck.connection.writable);
        for (int i = 0; i < 20; i++) {
            publishFromApp("z", i, QoS.AT_MOST_ONCE, 1);
        }
        Await.until("it overflows", () -> dropped("asleep", DropReason.QUEUE_FULL) == 10);
        CountDownLatch release = stall(stuck);
        try {
            for (int i = 20; i < 120; i++) {
                publishFromApp("z", i, QoS.AT_MOST_ONCE, 1);
            }
            Await.until("dropped while its thread is busy", () -> dropped("asleep", DropReason.QUEUE_FULL) == 110);
        } finally {
            release.countDown();
        }
        setWritable(stuck, true);
        for (int i = 0; i < 10; i++) {
            assertEquals(i, index(stuck.receive()), "the first ten waited in order");
        }
        stuck.expectNothing();
        assertEquals(110, engine().metrics().messagesDropped(DropReason.QUEUE_FULL));
    }

    @Test
    void theByteLimitCountsPayloadsAndQos0Too() {
        settings.maxQueuedBytes(10 * 1024);
        TestClient stuck = subscriber("bytes", "b", QoS.AT_MOST_ONCE);
        setWritable(stuck, false);
        Await.until("not writable", () -> !stuck.connection.writable);
        for (int i = 0; i < 50; i++) {
            publishFromApp("b", i, QoS.AT_MOST_ONCE, 1000);
        }
        Await.until("the overflow is dropped", () -> engine().session("bytes").orElseThrow().queuedMessages()
                + dropped("bytes", DropReason.QUEUE_FULL) == 50);
        int queued = engine().session("bytes").orElseThrow().queuedMessages();
        assertTrue(queued >= 8 && queued <= 9, "about 10 KiB of 1000-byte messages with their overhead: " + queued);
    }

    @Test
    void dropOldestKeepsTheLatestMessages() {
        settings.maxQueuedMessages(5).queueOverflowPolicy(QueueOverflowPolicy.DROP_OLDEST);
        TestClient stuck = subscriber("oldest", "o", QoS.AT_LEAST_ONCE);
        setWritable(stuck, false);
        Await.until("not writable", () -> !stuck.connection.writable);
        for (int i = 0; i < 20; i++) {
            publishFromApp("o", i, QoS.AT_LEAST_ONCE, 1);
        }
        Await.until("15 dropped", () -> dropped("oldest", DropReason.QUEUE_FULL) == 15);
        setWritable(stuck, true);
        for (int i = 15; i < 20; i++) {
            Publish publish = stuck.receive();
            assertEquals(i, index(publish), "the newest five, in order");
        }
        stuck.expectNothing();
    }

    @Test
    void dropNewestKeepsTheFirstMessages() {
        settings.maxQueuedMessages(5);
        TestClient stuck = subscriber("newest", "n", QoS.EXACTLY_ONCE);
        setWritable(stuck, false);
        Await.until("not writable", () -> !stuck.connection.writable);
        for (int i = 0; i < 20; i++) {
            publishFromApp("n", i, QoS.EXACTLY_ONCE, 1);
        }
        Await.until("15 dropped", () -> dropped("newest", DropReason.QUEUE_FULL) == 15);
        setWritable(stuck, true);
        for (int i = 0; i < 5; i++) {
            Publish publish = stuck.receive();
            assertEquals(i, index(publish));
        }
        stuck.expectNothing();
    }

    @Test
    void atTheMemoryBudgetStuckSubscribersAreRefusedAndLiveOnesServed() {
        settings.memoryBudget(64 * 1024).maxQueuedBytes(Long.MAX_VALUE).maxQueuedMessages(Integer.MAX_VALUE);
        TestClient stuck = subscriber("hog", "m", QoS.AT_MOST_ONCE);
        TestClient live = subscriber("fine", "m", QoS.AT_MOST_ONCE);
        setWritable(stuck, false);
        publishFromApp("m", 0, QoS.AT_MOST_ONCE, 1024 - 160);
        Await.until("a backlog begins", () -> engine().session("hog").orElseThrow().queuedMessages() == 1);
        clock.advanceMillis(2_000); // and nothing is sent for longer than a stuck session may take
        int count = 200; // about twice the budget in 1 KiB messages, with their overhead
        for (int i = 1; i < count; i++) {
            publishFromApp("m", i, QoS.AT_MOST_ONCE, 1024 - 160);
        }
        for (int i = 0; i < count; i++) {
            assertEquals(i, index(live.receive()), "the live subscriber gets everything");
        }
        // QoS 0 for a stuck subscriber is refused on the publisher's thread: counted by now.
        long refused = dropped("hog", DropReason.MEMORY_BUDGET);
        assertTrue(refused >= count / 3, "refused at the budget: " + refused);
        assertEquals(refused, engine().metrics().messagesDropped(DropReason.MEMORY_BUDGET), "counted as dropped");
        assertEquals(0, dropped("fine", DropReason.MEMORY_BUDGET));
        assertTrue(engine().metrics().memoryBudgetEpisodes() >= 1, "counted");

        stuck.dropNetwork(); // clean session: its queue goes, and the budget has room again
        Await.until("what it held is released", () -> engine().metrics().queuedBytes() < 16 * 1024);
        assertFalse(engine().memoryBudget().isExhausted(), "the budget has room again");
    }

    @Test
    void atTheMemoryBudgetAQos1PublisherIsHeldBackOnlyUntilItsHandOffsAreTaken() {
        settings.memoryBudget(16 * 1024).maxQueuedBytes(Long.MAX_VALUE).maxQueuedMessages(Integer.MAX_VALUE);
        TestClient stuck = subscriber("lagging", "h", QoS.AT_LEAST_ONCE);
        setWritable(stuck, false);
        Await.until("not writable", () -> !stuck.connection.writable);
        // The budget is reserved when a message is handed over: it fills as they are published.
        int filled = 0;
        while (!engine().memoryBudget().isExhausted()) {
            assertTrue(filled < 100, "the budget fills");
            publishFromApp("h", filled++, QoS.AT_LEAST_ONCE, 500);
        }
        // A client that takes no bytes gets its hand-offs in batches; have this batch taken now.
        engine().sessionFor("lagging").executor().execute(() -> { });
        int expected = filled;
        Await.until("every message queued", () -> engine().session("lagging").orElseThrow().queuedMessages()
                + dropped("lagging", DropReason.MEMORY_BUDGET) == expected);
        clock.advanceMillis(2_000); // the lagging subscriber has sent nothing for a while: stuck
        TestClient publisher = client("pub");
        publisher.connect(MQTT_3_1_1, true);
        long refusedBefore = dropped("lagging", DropReason.MEMORY_BUDGET);
        CountDownLatch release = stall(stuck); // its thread is busy: hand-offs wait
        for (int i = 1; i <= 5; i++) {
            publisher.send(new Publish("h", QoS.AT_LEAST_ONCE, false, false, i, new byte[10], Properties.EMPTY));
        }
        publisher.expect(PubAck.class);
        Await.until("the publisher is held back", () -> !publisher.connection.readEnabled);
        assertTrue(engine().metrics().publisherPauses() > 0);
        release.countDown();
        for (int i = 2; i <= 5; i++) {
            publisher.expect(PubAck.class);
        }
        Await.until("the publisher reads again", () -> publisher.connection.readEnabled);
        Await.until("all five refused for the lagging subscriber",
                () -> dropped("lagging", DropReason.MEMORY_BUDGET) >= refusedBefore + 5);
    }

    @Test
    void atTheMemoryBudgetASubscriberThatIsOnlyBehindLosesNothingAndItsPublisherWaits() {
        settings.memoryBudget(16 * 1024).maxQueuedBytes(Long.MAX_VALUE).maxQueuedMessages(Integer.MAX_VALUE);
        TestClient slow = subscriber("slowpoke", "b", QoS.AT_MOST_ONCE);
        setWritable(slow, false);
        int filled = 0;
        while (!engine().memoryBudget().isExhausted()) {
            assertTrue(filled < 100, "the budget fills");
            publishFromApp("b", filled++, QoS.AT_MOST_ONCE, 500);
        }
        TestClient publisher = client("eager");
        publisher.connect(MQTT_3_1_1, true);
        for (int i = 0; i < 3; i++) {
            publisher.send(Publish.atMostOnce("b", new byte[] {(byte) (filled + i), 0}, false));
        }
        Await.until("the publisher is held back", () -> engine().metrics().publisherPauses() > 0);
        setWritable(slow, true);
        for (int i = 0; i < filled + 3; i++) {
            assertEquals(i, index(slow.receive()), "a subscriber that is only behind loses nothing");
        }
        assertEquals(0, engine().metrics().messagesDropped(DropReason.MEMORY_BUDGET));
        Await.until("the publisher reads again", () -> publisher.connection.readEnabled);
    }

    @Test
    void theDisconnectPolicyShedsTheSlowClientWithQuotaExceeded() {
        settings.maxQueuedMessages(3).queueOverflowPolicy(QueueOverflowPolicy.DISCONNECT);
        TestClient slow = subscriber("shed", "d", QoS.AT_LEAST_ONCE);
        TestClient live = subscriber("kept", "d", QoS.AT_LEAST_ONCE);
        setWritable(slow, false);
        Await.until("not writable", () -> !slow.connection.writable);
        for (int i = 0; i < 10; i++) {
            publishFromApp("d", i, QoS.AT_LEAST_ONCE, 1);
        }
        assertEquals(ReasonCode.QUOTA_EXCEEDED, slow.expect(Disconnect.class).reasonCode());
        slow.awaitClosed();
        for (int i = 0; i < 10; i++) {
            Publish publish = live.receive();
            assertEquals(i, index(publish));
        }
        assertFalse(live.connection.isClosed());
    }

    @Test
    void aConnectionThatTakesNoBytesIsClosedAfterTheWriteStallTimeoutAndItsSessionKept() {
        settings.writeStallTimeout(Duration.ofMillis(200));
        TestClient stuck = client("stall");
        stuck.connect(MQTT_3_1_1, false);
        stuck.subscribe("w", QoS.AT_LEAST_ONCE);
        setWritable(stuck, false);
        publishFromApp("w", 1, QoS.AT_LEAST_ONCE, 1);
        stuck.awaitClosed();
        assertEquals(1, engine().metrics().writeStalls());
        events.await("disconnected stall");
        assertTrue(engine().session("stall").isPresent(), "the persistent session stays");
        TestClient back = client("stall");
        assertTrue(back.connect(MQTT_3_1_1, false).sessionPresent());
        assertEquals(1, index(back.receive()), "what was queued is delivered on return");
    }
}
