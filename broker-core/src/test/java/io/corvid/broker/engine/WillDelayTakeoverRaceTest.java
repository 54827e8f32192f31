package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression: a connection that dies from the network while a new connection of the same client
 * is attaching must not publish a delayed will at once. MQTT 5.0 (3.1.3.2.2): a new network
 * connection to the session before the Will Delay Interval has passed means the will is not sent.
 *
 * <p>The interleaving: the old connection's close runs on its thread while the new connection's
 * attach task already waits in the session's executor, so the close's detach task queues behind
 * the attach. The attach took the old connection over, but the close had already taken the will
 * from the connection, so the takeover found none; the detach of a connection no longer attached
 * then published the will at once, with no regard for its delay.
 */
class WillDelayTakeoverRaceTest extends EngineTestSupport {

    @Test
    void delayedWillOfAConnectionClosedWhileTakenOverIsNotPublished() throws Exception {
        TestClient watcher = client("watcher");
        watcher.connect(MQTT_5, true);
        watcher.subscribe("wills/#", QoS.AT_LEAST_ONCE);

        Properties persistent = Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 300L).build();
        Will delayed = new Will("wills/flaky", "gone".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false,
                Properties.builder().put(Property.WILL_DELAY_INTERVAL, 60L).build());
        TestClient old = client("flaky");
        assertEquals(ReasonCode.SUCCESS,
                old.connect(TestClient.connect(MQTT_5, "flaky", false, 60, persistent, delayed)).reasonCode());

        // Hold the old connection's thread, which also runs the session's executor while attached.
        CountDownLatch release = new CountDownLatch(1);
        old.connection.loop.execute(() -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // The old connection's close is queued on that thread first ...
        old.connection.dropFromNetwork();
        // ... then the new connection's CONNECT is processed on its own thread: its attach task
        // joins the session's executor, whose batch is queued on the held thread behind the close.
        TestClient fresh = client("flaky");
        fresh.send(TestClient.connect(MQTT_5, "flaky", false, 60, persistent, null));
        CompletableFuture.runAsync(() -> { }, fresh.connection.loop).join();
        release.countDown();

        ConnAck connAck = fresh.expect(ConnAck.class);
        assertTrue(connAck.sessionPresent(), "the session was resumed");
        events.await("disconnected flaky NETWORK");
        // The session was resumed within the will delay: no will, now or later.
        watcher.expectNothing();
    }
}
