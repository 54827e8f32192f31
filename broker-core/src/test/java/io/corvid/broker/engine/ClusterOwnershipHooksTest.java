package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.ClusterContext;
import io.corvid.broker.ClusterMember;
import io.corvid.broker.ClusterMessage;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the engine does with a cluster that owns client identifiers: it waits for the claim before
 * CONNACK, attaches only a claim still current, ends a session another node took over (stale
 * notices ignored), and releases the claim its ended session held.
 */
class ClusterOwnershipHooksTest extends EngineTestSupport {
    private final ClaimingCluster claiming = new ClaimingCluster();

    @BeforeEach
    void joinCluster() {
        cluster = claiming;
        claiming.start(engine().clusterContext());
    }

    @Test
    void connackWaitsForTheClaimAndTheSessionEndReleasesIt() {
        TestClient client = client("owned");
        CompletableFuture<Long> claim = claiming.nextClaim("owned");
        client.send(TestClient.connect(MQTT_5, "owned", true, 60, Properties.EMPTY, null));
        Await.until("the engine claims the client", () -> claiming.claims.contains("owned"));
        client.expectNothing();

        claim.complete(7L);
        assertEquals(ReasonCode.SUCCESS, client.expect(ConnAck.class).reasonCode());
        client.send(Disconnect.NORMAL);
        client.awaitClosed();
        Await.until("the ended session's claim is released", () -> claiming.releases.contains("owned@7"));
    }

    @Test
    void aFailedClaimRefusesTheConnect() {
        TestClient client = client("unlucky");
        claiming.nextClaim("unlucky").completeExceptionally(new IllegalStateException("no partition owner"));
        ConnAck connAck = client.connect(MQTT_5, true);
        assertEquals(ReasonCode.SERVER_UNAVAILABLE, connAck.reasonCode());
        client.awaitClosed();
    }

    @Test
    void aClaimThatTimesOutRefusesTheConnectAndIsReleasedWhenItIsAnsweredAtLast() {
        settings.pluginTimeout(java.time.Duration.ofMillis(200));
        restartEngine();
        claiming.start(engine().clusterContext());
        TestClient client = client("slow");
        CompletableFuture<Long> claim = claiming.nextClaim("slow");
        assertEquals(ReasonCode.SERVER_UNAVAILABLE, client.connect(MQTT_5, true).reasonCode());
        client.awaitClosed();

        claim.complete(9L);
        Await.until("the late claim is released", () -> claiming.releases.contains("slow@9"));
        assertTrue(engine().session("slow").isEmpty());
    }

    @Test
    void aClaimOvertakenWhileItWasAnsweredIsRefusedAndHoldsNothing() {
        TestClient client = client("late");
        CompletableFuture<Long> claim = claiming.nextClaim("late");
        client.send(TestClient.connect(MQTT_5, "late", true, 60, Properties.EMPTY, null));
        Await.until("the engine claims the client", () -> claiming.claims.contains("late"));
        claiming.superseded.put("late", 3L);

        claim.complete(3L);
        assertEquals(ReasonCode.SERVER_UNAVAILABLE, client.expect(ConnAck.class).reasonCode());
        client.awaitClosed();
        Await.until("the unused session is gone", () -> engine().session("late").isEmpty());
    }

    @Test
    void aConnectionTakenOverBetweenAttachingAndItsConnackIsRefusedNotLeftWaiting() {
        TestClient client = client("squeezed");
        claiming.nextClaim("squeezed").complete(1L);
        // The notice comes while the attach runs: its work follows the attach, before the CONNACK.
        claiming.onCurrencyCheck = () -> claiming.context.takeOverClient("squeezed", 2);
        ConnAck connAck = client.connect(MQTT_5, true);
        assertEquals(ReasonCode.SERVER_UNAVAILABLE, connAck.reasonCode());
        client.awaitClosed();
        Await.until("the session ends", () -> engine().session("squeezed").isEmpty());
    }

    @Test
    void aNewerClaimElsewhereDisconnectsWithSessionTakenOverAndEndsTheSession() {
        TestClient client = client("moving");
        claiming.nextClaim("moving").complete(4L);
        client.connect(TestClient.connect(MQTT_5, "moving", false, 60,
                Properties.builder().put(io.corvid.broker.packet.Property.SESSION_EXPIRY_INTERVAL, 300L).build(), null));
        client.subscribe("moving/#", QoS.AT_LEAST_ONCE);

        claiming.context.takeOverClient("moving", 4); // stale: the claim this node holds
        claiming.context.takeOverClient("moving", 3); // older still
        client.expectNothing();
        assertTrue(engine().session("moving").isPresent());

        claiming.context.takeOverClient("moving", 5);
        assertEquals(ReasonCode.SESSION_TAKEN_OVER, client.expect(Disconnect.class).reasonCode());
        client.awaitClosed();
        Await.until("the session ends here", () -> engine().session("moving").isEmpty());
        assertEquals(0, engine().localFilterCount("moving/#"));
        assertEquals(1, engine().metrics().sessionsTakenOverByCluster());
    }

    @Test
    void anOfflineSessionTakenOverElsewhereEnds() {
        TestClient client = client("parked");
        claiming.nextClaim("parked").complete(1L);
        client.connect(MQTT_3_1_1, false);
        client.subscribe("parked/#", QoS.AT_LEAST_ONCE);
        client.send(Disconnect.NORMAL);
        client.awaitClosed();
        Await.until("the session waits offline", () -> engine().session("parked").map(s -> !s.connected()).orElse(false));

        claiming.context.takeOverClient("parked", 2);
        Await.until("the offline session ends", () -> engine().session("parked").isEmpty());
    }

    @Test
    void anMqtt311ConnectionTakenOverElsewhereIsClosed() {
        TestClient client = client("classic");
        claiming.nextClaim("classic").complete(1L);
        client.connect(MQTT_3_1_1, true);
        claiming.context.takeOverClient("classic", 2);
        client.awaitClosed();
        Await.until("the session ends", () -> engine().session("classic").isEmpty());
    }

    /** A cluster whose claims the test answers. */
    private static final class ClaimingCluster implements io.corvid.broker.Cluster {
        final List<String> claims = new CopyOnWriteArrayList<>();
        final List<String> releases = new CopyOnWriteArrayList<>();
        final Map<String, CompletableFuture<Long>> pending = new ConcurrentHashMap<>();
        /** Client identifiers whose claims at or below the given epoch another node has overtaken. */
        final Map<String, Long> superseded = new ConcurrentHashMap<>();
        volatile ClusterContext context;
        /** Runs once at the next {@link #isClaimCurrent}, which the engine asks just before it attaches. */
        volatile Runnable onCurrencyCheck;

        CompletableFuture<Long> nextClaim(String clientId) {
            return pending.computeIfAbsent(clientId, id -> new CompletableFuture<>());
        }

        @Override
        public CompletionStage<Long> claimClient(String clientId) {
            claims.add(clientId);
            return pending.computeIfAbsent(clientId, id -> new CompletableFuture<>());
        }

        @Override
        public boolean isClaimCurrent(String clientId, long epoch) {
            Runnable hook = onCurrencyCheck;
            if (hook != null) {
                onCurrencyCheck = null;
                hook.run();
            }
            return epoch > superseded.getOrDefault(clientId, 0L);
        }

        @Override
        public void releaseClient(String clientId, long epoch) {
            releases.add(clientId + "@" + epoch);
        }

        @Override
        public void start(ClusterContext context) {
            this.context = context;
        }

        @Override
        public void stop() {
        }

        @Override
        public void filterAdded(String topicFilter) {
        }

        @Override
        public void filterRemoved(String topicFilter) {
        }

        @Override
        public int publish(ClusterMessage message) {
            return 0;
        }

        @Override
        public List<ClusterMember> members() {
            return List.of(new ClusterMember("local", "127.0.0.1:5701", null, true));
        }
    }
}
