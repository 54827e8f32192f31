package io.corvid.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Shared subscriptions {@code $share/{group}/{filter}} in the trie, and group rotation. */
class SharedGroupTest {
    private final TopicTrie<String, String> trie = new TopicTrie<>();

    private static List<String> keys(SharedGroup<String, String> group) {
        return group.members().stream().map(SharedGroup.Member::key).collect(Collectors.toList());
    }

    @Test
    void aSharedSubscriptionIsReportedAsItsGroup() {
        trie.put("$share/workers/jobs/+", "c1", "qos1");
        trie.put("$share/workers/jobs/+", "c2", "qos2");
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "jobs/42");
        assertTrue(visitor.subscribers.isEmpty());
        assertEquals(1, visitor.groups.size(), "one group, however many members");
        SharedGroup<String, String> group = visitor.groups.get(0);
        assertEquals("workers", group.name());
        assertEquals("jobs/+", group.filter());
        assertEquals(List.of(new SharedGroup.Member<>("c1", "qos1"), new SharedGroup.Member<>("c2", "qos2")),
                group.members());
        assertEquals(2, trie.size());
    }

    @Test
    void sameGroupNameOnTwoFiltersIsTwoGroups() {
        trie.put("$share/g/a/+", "c1", "v");
        trie.put("$share/g/a/#", "c2", "v");
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "a/b");
        assertEquals(2, visitor.groups.size());
        assertEquals(Set.of("a/+", "a/#"), visitor.groups.stream().map(SharedGroup::filter).collect(Collectors.toSet()));
        assertNotSame(visitor.groups.get(0), visitor.groups.get(1));
    }

    @Test
    void twoGroupsOnOneFilterAreBothReported() {
        trie.put("$share/g1/a", "c1", "v");
        trie.put("$share/g2/a", "c2", "v");
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "a");
        assertEquals(Set.of("g1", "g2"), visitor.groups.stream().map(SharedGroup::name).collect(Collectors.toSet()));
    }

    @Test
    void sharedAndPlainSubscriptionsOfOneClientCoexist() {
        trie.put("a/b", "c1", "plain");
        trie.put("$share/g/a/b", "c1", "shared");
        assertEquals(2, trie.size());
        assertEquals("plain", trie.get("a/b", "c1"));
        assertEquals("shared", trie.get("$share/g/a/b", "c1"));
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "a/b");
        assertEquals(List.of("c1"), visitor.subscribers);
        assertEquals(List.of("c1"), keys(visitor.groups.get(0)));
        assertEquals("plain", trie.remove("a/b", "c1"));
        assertEquals(List.of("c1"), keys(RecordingVisitor.match(trie, "a/b").groups.get(0)));
    }

    @Test
    void putReplacesAMemberInPlace() {
        trie.put("$share/g/a", "c1", "v1");
        trie.put("$share/g/a", "c2", "v2");
        trie.put("$share/g/a", "c3", "v3");
        assertEquals("v2", trie.put("$share/g/a", "c2", "v2b"));
        assertEquals(3, trie.size());
        assertEquals("v2b", trie.get("$share/g/a", "c2"));
        SharedGroup<String, String> group = RecordingVisitor.match(trie, "a").groups.get(0);
        assertEquals(List.of("c1", "c2", "c3"), keys(group));
        assertEquals("v2b", group.members().get(1).value());
    }

    @Test
    void membersIsAnImmutableSnapshot() {
        trie.put("$share/g/a", "c1", "v1");
        SharedGroup<String, String> group = RecordingVisitor.match(trie, "a").groups.get(0);
        List<SharedGroup.Member<String, String>> before = group.members();
        trie.put("$share/g/a", "c2", "v2");
        trie.put("$share/g/a", "c1", "v1b");
        assertEquals(List.of(new SharedGroup.Member<>("c1", "v1")), before);
        assertEquals(List.of("c1", "c2"), keys(group));
        assertThrows(UnsupportedOperationException.class, () -> group.members().add(new SharedGroup.Member<>("x", "y")));
        assertThrows(UnsupportedOperationException.class, () -> group.members().remove(0));
    }

    @Test
    void removingMembersKeepsOrderAndTheGroupUntilItIsEmpty() {
        trie.put("$share/g/a/b", "c1", "v1");
        trie.put("$share/g/a/b", "c2", "v2");
        trie.put("$share/g/a/b", "c3", "v3");
        SharedGroup<String, String> group = RecordingVisitor.match(trie, "a/b").groups.get(0);
        assertEquals("v2", trie.remove("$share/g/a/b", "c2"));
        assertNull(trie.remove("$share/g/a/b", "c2"));
        assertNull(trie.remove("$share/other/a/b", "c1"));
        assertEquals(List.of("c1", "c3"), keys(group));
        assertSame(group, RecordingVisitor.match(trie, "a/b").groups.get(0));
        trie.remove("$share/g/a/b", "c1");
        trie.remove("$share/g/a/b", "c3");
        assertTrue(group.members().isEmpty());
        assertTrue(RecordingVisitor.match(trie, "a/b").groups.isEmpty());
        assertEquals(0, trie.size());
        assertEquals(0, trie.nodeCount());
    }

    @Test
    void anEmptiedGroupLeavesTheNodeEvenWhenOtherSubscriptionsKeepIt() {
        trie.put("a", "plain", "v");
        trie.put("$share/g/a", "c1", "v");
        trie.remove("$share/g/a", "c1");
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "a");
        assertTrue(visitor.groups.isEmpty());
        assertEquals(List.of("plain"), visitor.subscribers);
        assertNull(trie.get("$share/g/a", "c1"));
        // A new member makes a new group, with a fresh rotation.
        trie.put("$share/g/a", "c2", "v");
        assertEquals(List.of("c2"), keys(RecordingVisitor.match(trie, "a").groups.get(0)));
    }

    @Test
    void sharedWildcardFiltersFollowTheDollarRule() {
        trie.put("$share/g/#", "c1", "v");
        trie.put("$share/g/+/x", "c2", "v");
        trie.put("$share/g/$SYS/#", "c3", "v");
        assertTrue(RecordingVisitor.match(trie, "$SYS/x").groups.stream()
                .allMatch(group -> group.filter().equals("$SYS/#")));
        assertEquals(1, RecordingVisitor.match(trie, "$SYS/x").groups.size());
        assertEquals(2, RecordingVisitor.match(trie, "a/x").groups.size());
    }

    @Test
    void nextIndexRotatesThroughTheMembers() {
        trie.put("$share/g/a", "c1", "v");
        trie.put("$share/g/a", "c2", "v");
        trie.put("$share/g/a", "c3", "v");
        SharedGroup<String, String> group = RecordingVisitor.match(trie, "a").groups.get(0);
        int[] picks = new int[7];
        for (int i = 0; i < picks.length; i++) {
            picks[i] = group.nextIndex(group.members().size());
        }
        assertEquals(List.of(0, 1, 2, 0, 1, 2, 0), Arrays.stream(picks).boxed().collect(Collectors.toList()));
        // The caller passes the size of its snapshot: a smaller group stays in range.
        int index = group.nextIndex(2);
        assertTrue(index >= 0 && index < 2);
        assertEquals(0, group.nextIndex(1));
    }

    @Test
    void nextIndexRefusesAnEmptyGroup() {
        trie.put("$share/g/a", "c1", "v");
        SharedGroup<String, String> group = RecordingVisitor.match(trie, "a").groups.get(0);
        assertThrows(IllegalArgumentException.class, () -> group.nextIndex(0));
        assertThrows(IllegalArgumentException.class, () -> group.nextIndex(-1));
    }

    @Test
    void nextIndexIsFairAcrossThreads() throws Exception {
        trie.put("$share/g/a", "c1", "v");
        SharedGroup<String, String> group = RecordingVisitor.match(trie, "a").groups.get(0);
        int members = 5;
        int threads = 4;
        int perThread = 50_000;
        AtomicIntegerArray counts = new AtomicIntegerArray(members);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        counts.incrementAndGet(group.nextIndex(members));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // Every call took its own cursor value, so the picks are spread exactly evenly.
        for (int i = 0; i < members; i++) {
            assertEquals(threads * perThread / members, counts.get(i));
        }
    }
}
