package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.ClusterMessage;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Where {@link Forwarder} sends a message and its shared groups, without a network. */
class ForwarderTest {
    private static final String GROUP = "$share/g/jobs/+";

    /** Links that record the frames they take, some nodes disconnected or refusing. */
    private static final class FakeLinks implements Forwarder.Links {
        final Set<String> peers = new LinkedHashSet<>(List.of("b", "c", "d"));
        final Set<String> disconnected = new HashSet<>();
        final Set<String> refusing = new HashSet<>();
        /** node -> the frames it took, decoded. */
        final Map<String, List<FrameCodec.Inbound>> sent = new HashMap<>();

        @Override
        public boolean send(String node, byte[] frame) {
            if (refusing.contains(node) || !peers.contains(node)) {
                return false;
            }
            sent.computeIfAbsent(node, n -> new ArrayList<>())
                    .add(FrameCodec.readMessage(ByteBuffer.wrap(frame), FrameCodec.newDecoder()));
            return true;
        }

        @Override
        public boolean isConnected(String node) {
            return peers.contains(node) && !disconnected.contains(node);
        }

        @Override
        public Set<String> peers() {
            return peers;
        }

        int frames() {
            return sent.values().stream().mapToInt(List::size).sum();
        }
    }

    private final RouteIndex index = new RouteIndex();
    private final FakeLinks links = new FakeLinks();
    private final List<Collection<String>> servedHere = new ArrayList<>();
    private int localMembersTake;
    private final AtomicLong unserved = new AtomicLong();
    private final Forwarder forwarder = new Forwarder(index, links, message -> new RetainedVersion(7, "a"),
            (message, shares) -> {
                servedHere.add(List.copyOf(shares));
                return Math.min(localMembersTake, shares.size());
            }, unserved);

    private static ClusterMessage message(String topic) {
        return new ClusterMessage(topic, new byte[] {1}, QoS.AT_LEAST_ONCE, false, Properties.EMPTY, "p",
                ClusterMessage.NEVER_EXPIRES);
    }

    @Test
    void aNodeWithSubscribersAndAGroupGetsOneFrameNamingTheGroup() {
        index.add("b", "jobs/#");
        index.add("b", GROUP);
        index.add("c", "jobs/#");

        assertEquals(2, forwarder.publish(message("jobs/1"), List.of()));

        assertEquals(2, links.frames());
        FrameCodec.Inbound toB = links.sent.get("b").get(0);
        assertEquals(List.of(GROUP), toB.shares());
        assertFalse(toB.sharesOnly());
        assertTrue(links.sent.get("c").get(0).shares().isEmpty());
    }

    @Test
    void aGroupServedHereIsNotSentAnywhere() {
        index.add("b", GROUP);
        assertEquals(0, forwarder.publish(message("jobs/1"), List.of(GROUP)));
        assertEquals(0, links.frames());
    }

    @Test
    void aGroupWithoutSubscribersOnItsNodesGetsAFrameForTheGroupOnlySpreadOverItsNodes() {
        index.add("b", GROUP);
        index.add("c", GROUP);
        for (int i = 0; i < 10; i++) {
            assertEquals(1, forwarder.publish(message("jobs/" + i), List.of()));
        }
        assertEquals(5, links.sent.get("b").size());
        assertEquals(5, links.sent.get("c").size());
        for (FrameCodec.Inbound inbound : links.sent.get("b")) {
            assertTrue(inbound.sharesOnly());
            assertEquals(List.of(GROUP), inbound.shares());
        }
    }

    @Test
    void aNodeWhoseLinkIsDownIsPassedOver() {
        index.add("b", GROUP);
        index.add("c", GROUP);
        links.disconnected.add("b");
        for (int i = 0; i < 4; i++) {
            forwarder.publish(message("jobs/" + i), List.of());
        }
        assertEquals(4, links.sent.get("c").size());
        assertFalse(links.sent.containsKey("b"));
    }

    @Test
    void aGroupRefusedByItsNodeGoesToAnotherAndTheNodesSubscribersStillGetTheirs() {
        index.add("b", "jobs/#");
        index.add("b", GROUP);
        index.add("c", GROUP);
        links.refusing.add("b"); // its queue is full: it misses the message for its subscribers too
        for (int i = 0; i < 4; i++) {
            forwarder.publish(message("jobs/" + i), List.of());
        }
        assertEquals(4, links.sent.get("c").size(), "every message went to the group on c");
        assertTrue(forwarder.rerouted() >= 2, "the turns that fell on b were placed again");
        assertEquals(0, unserved.get());
    }

    @Test
    void whenEveryNodeRefusesAMemberHereTakesItOrTheGroupMissesItCounted() {
        index.add("b", GROUP);
        index.add("c", GROUP);
        links.refusing.addAll(List.of("b", "c"));

        localMembersTake = 1;
        assertEquals(1, forwarder.publish(message("jobs/1"), List.of()));
        assertEquals(List.of(List.of(GROUP)), servedHere);
        assertEquals(0, unserved.get());

        localMembersTake = 0;
        forwarder.publish(message("jobs/2"), List.of());
        assertEquals(1, unserved.get());
        assertEquals(0, links.frames());
    }

    @Test
    void aRetainedMessageGoesToEveryNodeWithItsVersionAndCarriesTheGroupToItsNode() {
        index.add("c", GROUP);
        ClusterMessage retained = new ClusterMessage("jobs/1", new byte[] {1}, QoS.AT_MOST_ONCE, true,
                Properties.EMPTY, null, ClusterMessage.NEVER_EXPIRES);
        forwarder.publish(retained, List.of());
        assertEquals(3, links.frames(), "one frame per node, the group's included");
        assertEquals(List.of(GROUP), links.sent.get("c").get(0).shares());
        assertEquals(new RetainedVersion(7, "a"), links.sent.get("c").get(0).version());
        assertTrue(links.sent.get("b").get(0).shares().isEmpty());
    }

    @Test
    void twoGroupsPlacedOnOneNodeShareItsFrame() {
        index.add("b", GROUP);
        index.add("b", "$share/h/jobs/#");
        forwarder.publish(message("jobs/1"), List.of());
        assertEquals(1, links.frames());
        assertEquals(Set.of(GROUP, "$share/h/jobs/#"), Set.copyOf(links.sent.get("b").get(0).shares()));
    }
}
