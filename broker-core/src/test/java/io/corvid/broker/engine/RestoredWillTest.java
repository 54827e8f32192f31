package io.corvid.broker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.BrokerConfig;
import io.corvid.broker.SessionInfo;
import io.corvid.broker.SessionStore;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.Will;
import io.corvid.broker.store.InMemorySessionStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A will the store kept for a client that was connected when the broker went down is due when
 * the new broker starts if it has no delay (MQTT 5.0 3.1.2.5: the crash closed the network
 * connection, no DISCONNECT deleted the will), and so is a delayed will whose delay ran out
 * while the broker was down. Both go out while the store is restored, before any client can
 * connect: found by the simulation, where a client reconnecting at the restart suppressed them
 * because they waited for a timer. So does a session that expired while the broker was down: it
 * ends during the restore, its will with it, and a client connecting at once finds no session.
 */
class RestoredWillTest {
    private final InMemorySessionStore store = new InMemorySessionStore();
    private final AdjustableClock clock = new AdjustableClock();
    private final RecordingListener events = new RecordingListener();
    /** The engine's scheduler, held up: none of its timers runs until the test lets it. */
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseScheduler() {
        release.countDown();
        scheduler.shutdownNow();
    }

    private BrokerEngine restoredEngine() throws InterruptedException {
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        CountDownLatch blocked = new CountDownLatch(1);
        scheduler.execute(() -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        blocked.await();
        BrokerConfig config = new Broker.Builder().sysInterval(Duration.ZERO).buildConfig();
        BrokerEngine engine = new BrokerEngine(config, new Plugins(io.corvid.broker.Authentication.allowAll(),
                io.corvid.broker.Authorization.allowAll(), List.of(), List.of(events), Map.of()), clock, store,
                scheduler);
        engine.restore();
        return engine;
    }

    private void storeSession(String clientId, long disconnectedAtMillis, Will will, long willDueAtMillis) {
        store.saveSession(new SessionStore.StoredSession(clientId, BrokerConfig.SESSION_NEVER_EXPIRES,
                disconnectedAtMillis, List.of(), List.of(), List.of(), 5, will, willDueAtMillis));
    }

    private static Will will(String clientId, long delaySeconds) {
        return new Will("wills/" + clientId, new byte[] {1}, QoS.AT_LEAST_ONCE, false,
                Properties.builder().put(Property.WILL_DELAY_INTERVAL, delaySeconds).build());
    }

    @Test
    void aWillDueAtTheRestartIsPublishedWhileTheStoreIsRestored() throws InterruptedException {
        long now = clock.currentTimeMillis();
        store.saveSession(new SessionStore.StoredSession("watcher", BrokerConfig.SESSION_NEVER_EXPIRES, now - 1000,
                List.of(new SessionStore.StoredSubscription(new Subscription("wills/#", QoS.AT_LEAST_ONCE), 0)),
                List.of(), List.of()));
        storeSession("connected-without-delay", 0, will("connected-without-delay", 0), 0);
        storeSession("delay-ran-out", now - 10_000, will("delay-ran-out", 5), now - 5_000);
        storeSession("delay-still-running", now - 10_000, will("delay-still-running", 60), now + 50_000);

        BrokerEngine engine = restoredEngine();

        List<String> published = events.events().stream().filter(e -> e.startsWith("published")).toList();
        assertEquals(List.of("published <application> wills/connected-without-delay",
                "published <application> wills/delay-ran-out"), published.stream().sorted().toList());
        assertTrue(store.load().sessions().stream()
                        .filter(s -> !s.clientId().equals("delay-still-running")).allMatch(s -> s.will() == null),
                "a published will is gone from the store");
        release.countDown();
        Await.until("both reached their subscriber", () -> engine.sessions().stream()
                .filter(s -> s.clientId().equals("watcher")).findFirst().orElseThrow().queuedMessages() == 2);
        assertEquals(2, events.events().stream().filter(e -> e.startsWith("published")).count(),
                "published once each, not again by a timer");
        engine.close();
    }
    @Test
    void aSessionThatExpiredWhileTheBrokerWasDownEndsWhileTheStoreIsRestored() throws InterruptedException {
        long now = clock.currentTimeMillis();
        store.saveSession(new SessionStore.StoredSession("watcher", BrokerConfig.SESSION_NEVER_EXPIRES, now - 1000,
                List.of(new SessionStore.StoredSubscription(new Subscription("wills/#", QoS.AT_LEAST_ONCE), 0)),
                List.of(), List.of()));
        store.saveSession(new SessionStore.StoredSession("expired", 10, now - 20_000, List.of(), List.of(), List.of(),
                5, will("expired", 60), now + 40_000));
        store.saveSession(new SessionStore.StoredSession("alive", 30, now - 20_000, List.of(), List.of(), List.of()));

        BrokerEngine engine = restoredEngine();

        assertEquals(List.of("alive", "watcher"), engine.sessions().stream().map(SessionInfo::clientId).sorted()
                .toList(), "the expired session is gone before any client can resume it");
        assertEquals(List.of("published <application> wills/expired"),
                events.events().stream().filter(e -> e.startsWith("published")).toList(),
                "its session's end is due time for its will");
        assertTrue(store.load().sessions().stream().noneMatch(s -> s.clientId().equals("expired")));
        release.countDown();
        engine.close();
    }
}
