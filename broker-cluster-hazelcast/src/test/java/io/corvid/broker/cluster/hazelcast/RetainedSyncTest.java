package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.ClusterContext;
import io.corvid.broker.ClusterMessage;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-node half of {@link RetainedSync}, without Hazelcast: which copy a node keeps, whatever the order they come in. */
class RetainedSyncTest {
    /** An engine reduced to its retained messages and what it delivered. */
    private static final class Engine implements ClusterContext {
        final Map<String, String> retained = new HashMap<>();
        final List<String> delivered = new ArrayList<>();

        @Override
        public int deliver(ClusterMessage message) {
            installRetained(message);
            return deliverWithoutRetaining(message);
        }

        @Override
        public int deliverWithoutRetaining(ClusterMessage message) {
            delivered.add(text(message));
            return 1;
        }

        @Override
        public int deliverShared(ClusterMessage message, java.util.Collection<String> shares) {
            throw new AssertionError("retained messages are not for shared groups here");
        }

        @Override
        public void installRetained(ClusterMessage message) {
            if (message.payload().length == 0) {
                retained.remove(message.topic());
            } else {
                retained.put(message.topic(), text(message));
            }
        }

        @Override
        public List<ClusterMessage> retainedMessages() {
            return List.of();
        }
    }

    private final Engine engine = new Engine();
    private long now = 1_700_000_000_000L;
    private final RetainedSync sync = new RetainedSync("local", engine, 3600, Runnable::run, () -> now);

    private static ClusterMessage retained(String payload) {
        return new ClusterMessage("t", payload.getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, true,
                Properties.EMPTY, null, ClusterMessage.NEVER_EXPIRES);
    }

    private static String text(ClusterMessage message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void anOlderCopyArrivingLateNeverReplacesANewerOne() {
        assertTrue(sync.install(retained("new"), new RetainedVersion(200, "b")));
        assertFalse(sync.install(retained("old"), new RetainedVersion(100, "a")));
        assertEquals("new", engine.retained.get("t"));
    }

    @Test
    void aLiveCopyIsDeliveredEvenWhenItIsTooOldToBeKept() {
        sync.install(retained("new"), new RetainedVersion(200, "b"));
        sync.receivedLive(retained("old"), new RetainedVersion(100, "a"));
        assertEquals(List.of("old"), engine.delivered, "it was published: its subscribers get it");
        assertEquals("new", engine.retained.get("t"));
    }

    @Test
    void whatThisNodePublishesAfterSeeingANewerVersionIsNewerStillAndKept() {
        RetainedVersion far = new RetainedVersion(now + 3_600_000, "fast-clock");
        sync.install(retained("theirs"), far);
        // The engine stored the local message first; a copy from elsewhere could have been installed after it.
        RetainedVersion mine = sync.published(retained("mine"));
        assertTrue(mine.isNewerThan(far));
        assertEquals("mine", engine.retained.get("t"));
        assertFalse(sync.install(retained("theirs"), far), "the other copy, coming again, stays out");
    }

    @Test
    void aDeletionWinsOverOlderCopiesToo() {
        sync.install(retained("v1"), new RetainedVersion(100, "a"));
        assertTrue(sync.install(retained(""), new RetainedVersion(150, "b")));
        assertNull(engine.retained.get("t"));
        assertFalse(sync.install(retained("v1"), new RetainedVersion(100, "a")), "a late copy of the deleted one");
        assertNull(engine.retained.get("t"));
    }

    @Test
    void aDeletionsVersionIsForgottenOnceTheClusterForgetsItTooAndAPermanentMessagesIsNot() {
        sync.install(retained(""), new RetainedVersion(150, "b"));
        sync.install(new ClusterMessage("kept", "k".getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, true,
                Properties.EMPTY, null, ClusterMessage.NEVER_EXPIRES), new RetainedVersion(150, "b"));
        now += 3_600_000 + 60_000;
        sync.install(new ClusterMessage("other", "o".getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, true,
                Properties.EMPTY, null, ClusterMessage.NEVER_EXPIRES), new RetainedVersion(1, "b")); // sweeps

        assertTrue(sync.install(retained("long after"), new RetainedVersion(100, "a")),
                "a day later nothing remembers the deletion (nor does the cluster's map)");
        assertFalse(sync.install(new ClusterMessage("kept", "older".getBytes(StandardCharsets.UTF_8),
                QoS.AT_MOST_ONCE, true, Properties.EMPTY, null, ClusterMessage.NEVER_EXPIRES),
                new RetainedVersion(100, "a")), "a retained message's version stays");
    }
}
