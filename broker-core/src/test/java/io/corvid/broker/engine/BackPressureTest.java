package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A subscriber that cannot keep up must neither fill memory nor lose QoS 1/2 messages. */
class BackPressureTest extends EngineTestSupport {

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

    @Test
    void aQos1PublisherIsHeldBackUntilTheSubscriberCatchesUp() {
        settings.maxQueuedMessages(10);
        TestClient subscriber = client("slow");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("bp", QoS.AT_LEAST_ONCE);
        TestClient publisher = client("fast");
        publisher.connect(MQTT_5, true);
        CountDownLatch release = stall(subscriber);
        for (int i = 1; i <= 30; i++) {
            publisher.send(new Publish("bp", QoS.AT_LEAST_ONCE, false, false, i, new byte[] {(byte) i}, Properties.EMPTY));
        }
        Await.until("the publisher is held back", () -> !publisher.connection.readEnabled);
        int acknowledged = 0;
        while (publisher.next(java.time.Duration.ofMillis(200)) instanceof PubAck) {
            acknowledged++;
        }
        assertTrue(acknowledged < 30, "processing stopped while the subscriber was stalled: " + acknowledged);
        assertTrue(engine().metrics().publisherPauses() > 0);

        release.countDown();
        for (int i = acknowledged; i < 30; i++) {
            publisher.expect(PubAck.class);
        }
        Await.until("the publisher reads again", () -> publisher.connection.readEnabled);
        for (int i = 1; i <= 30; i++) {
            assertEquals(i, subscriber.receive().payload()[0], "nothing lost, in order");
        }
    }

    @Test
    void qos0ForAStalledSubscriberIsDroppedBeyondTheBound() {
        settings.maxQueuedMessages(10);
        TestClient subscriber = client("stalled");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("q0", QoS.AT_MOST_ONCE);
        CountDownLatch release = stall(subscriber);
        for (int i = 0; i < 100; i++) {
            engine().publishFromApplication(Publish.atMostOnce("q0", new byte[] {(byte) i}, false));
        }
        assertEquals(90, events.count(e -> e.equals("dropped stalled q0 QUEUE_FULL")),
                "only the bound's worth waits for the stalled subscriber");
        release.countDown();
        for (int i = 0; i < 10; i++) {
            assertEquals(i, subscriber.receive().payload()[0]);
        }
        assertFalse(subscriber.connection.isClosed());
    }
}
