package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.PublishRatePolicy;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A client over its publish rate is slowed down (nothing lost) or disconnected; others are not affected. */
class PublishRateLimitTest extends EngineTestSupport {

    private TestClient connected(String clientId) {
        TestClient client = client(clientId);
        client.connect(MQTT_5, true);
        return client;
    }

    /** Receives {@code count} messages on {@code topic}; returns the milliseconds it took from {@code startNanos}. */
    private static long receiveAll(TestClient subscriber, String topic, int count, long startNanos) {
        for (int i = 0; i < count; i++) {
            Publish publish = subscriber.receive();
            assertEquals(topic, publish.topic());
            assertEquals(i, java.nio.ByteBuffer.wrap(publish.payload()).getInt(), "in order, none lost");
        }
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static byte[] numbered(int i, int size) {
        return java.nio.ByteBuffer.allocate(size).putInt(i).array();
    }

    @Test
    void aPublisherAtFullSpeedIsHeldToItsRateWhileAnotherPublishesFreely() {
        settings.maxPublishRate(1000);
        TestClient subscriber = connected("sub");
        subscriber.subscribe("flood", QoS.AT_LEAST_ONCE);
        TestClient other = connected("other-sub");
        other.subscribe("calm", QoS.AT_MOST_ONCE);
        TestClient flooder = connected("flooder");
        TestClient calm = connected("calm");

        AtomicBoolean readingStopped = new AtomicBoolean();
        long start = System.nanoTime();
        for (int i = 0; i < 3000; i++) {
            flooder.send(new Publish("flood", QoS.AT_LEAST_ONCE, false, false, flooder.nextId(), numbered(i, 4),
                    Properties.EMPTY));
        }
        // While the flooder is held back, the calm client's message gets through at once.
        Await.until("the flooder is paused", () -> !flooder.connection.readEnabled);
        readingStopped.set(true);
        long calmStart = System.nanoTime();
        calm.send(Publish.atMostOnce("calm", numbered(0, 4), false));
        long calmMillis = receiveAll(other, "calm", 1, calmStart);
        assertTrue(calmMillis < 500, "the other client waited " + calmMillis + " ms");

        long millis = receiveAll(subscriber, "flood", 3000, start);
        // 1,000 at once (the burst), then 2,000 at 1,000/s: 2 s.
        assertTrue(millis >= 1_800 && millis <= 3_500, "3000 messages at 1000/s with a 1000 burst took " + millis + " ms");
        assertTrue(readingStopped.get());
        assertTrue(engine().metrics().publishRateLimited() > 0);
        Await.until("the flooder is read again", () -> flooder.connection.readEnabled);
    }

    @Test
    void theByteRateHoldsAPublisherOfLargeMessages() {
        settings.maxPublishBytesRate(20_000);
        TestClient subscriber = connected("sub");
        subscriber.subscribe("big", QoS.AT_MOST_ONCE);
        TestClient publisher = connected("pub");
        long start = System.nanoTime();
        for (int i = 0; i < 60; i++) {
            publisher.send(Publish.atMostOnce("big", numbered(i, 1000), false));
        }
        long millis = receiveAll(subscriber, "big", 60, start);
        // About 1,008 bytes a packet: 60 of them are 60 KB, 20 KB of burst, then 40 KB at 20 KB/s: 2 s.
        assertTrue(millis >= 1_800 && millis <= 3_500, "60 KB at 20 KB/s took " + millis + " ms");
    }

    @Test
    void theDisconnectPolicyClosesAFastPublisherWith0x96() {
        settings.maxPublishRate(5).publishRatePolicy(PublishRatePolicy.DISCONNECT);
        TestClient subscriber = connected("sub");
        subscriber.subscribe("t", QoS.AT_MOST_ONCE);
        TestClient publisher = connected("fast");
        for (int i = 0; i < 6; i++) {
            publisher.send(Publish.atMostOnce("t", numbered(i, 4), false));
        }
        assertEquals(ReasonCode.MESSAGE_RATE_TOO_HIGH, publisher.expect(Disconnect.class).reasonCode());
        publisher.awaitClosed();
        receiveAll(subscriber, "t", 5, System.nanoTime());
        subscriber.expectNothing();
        assertEquals(1, engine().metrics().publishRateLimited());
    }

    @Test
    void aPublisherWithinItsRateIsNeverPaused() {
        settings.maxPublishRate(1000);
        TestClient subscriber = connected("sub");
        subscriber.subscribe("t", QoS.AT_MOST_ONCE);
        TestClient publisher = connected("pub");
        for (int i = 0; i < 500; i++) {
            publisher.send(Publish.atMostOnce("t", numbered(i, 4), false));
        }
        receiveAll(subscriber, "t", 500, System.nanoTime());
        assertEquals(0, engine().metrics().publishRateLimited());
        assertTrue(publisher.connection.readEnabled);
    }

    @Test
    void aClientPausedLongerThanItsKeepAliveIsNotTimedOutForIt() {
        settings.maxPublishBytesRate(1000);
        TestClient publisher = client("big");
        publisher.connect(TestClient.connect(MQTT_5, "big", true, 1, Properties.EMPTY, null));
        // 3,000 bytes against a 1,000-byte burst: reading stops for about 2 s, past 1.5 times the keep alive.
        publisher.send(Publish.atMostOnce("t", new byte[3000], false));
        Await.until("reading stops", () -> !publisher.connection.readEnabled);
        Await.until("reading resumes", () -> publisher.connection.readEnabled);
        assertTrue(!publisher.connection.isClosed(), "closed for a keep alive the broker kept from being read");
        // Once read again, a silent client times out as usual.
        publisher.awaitClosed();
    }
}
