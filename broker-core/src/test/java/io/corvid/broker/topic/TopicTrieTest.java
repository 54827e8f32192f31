package io.corvid.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Adding, replacing, removing and pruning subscriptions, and what a match reports. */
class TopicTrieTest {
    private final TopicTrie<String, String> trie = new TopicTrie<>();

    @Test
    void emptyTrieMatchesNothing() {
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "a/b");
        assertTrue(visitor.subscribers.isEmpty());
        assertTrue(visitor.groups.isEmpty());
        assertEquals(0, trie.size());
        assertEquals(0, trie.nodeCount());
    }

    @Test
    void putReturnsPreviousValueAndReplaces() {
        assertNull(trie.put("a/b", "c1", "qos0"));
        assertEquals("qos0", trie.put("a/b", "c1", "qos1"));
        assertEquals("qos1", trie.get("a/b", "c1"));
        assertEquals(1, trie.size());
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "a/b");
        assertEquals(List.of("c1"), visitor.subscribers);
        assertEquals(List.of("qos1"), visitor.values);
    }

    @Test
    void getFindsOnlyTheExactFilterAndKey() {
        trie.put("a/+", "c1", "v");
        assertEquals("v", trie.get("a/+", "c1"));
        assertNull(trie.get("a/b", "c1"));
        assertNull(trie.get("a/+", "c2"));
        assertNull(trie.get("a", "c1"));
        assertNull(trie.get("a/+/c", "c1"));
        assertNull(trie.get("$share/g/a/+", "c1"));
    }

    @Test
    void manySubscribersOnOneFilterAreAllReported() {
        for (int i = 0; i < 1_000; i++) {
            trie.put("a/+", "c" + i, "v" + i);
        }
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "a/x");
        assertEquals(1_000, visitor.subscribers.size());
        assertEquals(1_000, new HashSet<>(visitor.subscribers).size());
        assertEquals(1_000, trie.size());
        assertEquals(2, trie.nodeCount());
    }

    @Test
    void aSubscriberWithOverlappingFiltersIsReportedOncePerFilter() {
        trie.put("a/b", "c1", "exact");
        trie.put("a/+", "c1", "single");
        trie.put("a/#", "c1", "multi");
        trie.put("#", "c1", "all");
        trie.put("+/+", "c1", "two");
        trie.put("a/b/c", "c1", "deeper");
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "a/b");
        assertEquals(List.of("c1", "c1", "c1", "c1", "c1"), visitor.subscribers);
        assertEquals(Set.of("exact", "single", "multi", "all", "two"), new HashSet<>(visitor.values));
    }

    @Test
    void removeReturnsTheValueAndPrunesTheBranch() {
        trie.put("a/b/c", "c1", "v");
        assertEquals(3, trie.nodeCount());
        assertEquals("v", trie.remove("a/b/c", "c1"));
        assertEquals(0, trie.size());
        assertEquals(0, trie.nodeCount());
        assertTrue(RecordingVisitor.match(trie, "a/b/c").subscribers.isEmpty());
    }

    @Test
    void removeOfUnknownSubscriptionChangesNothing() {
        trie.put("a/b", "c1", "v");
        assertNull(trie.remove("a/b", "c2"));
        assertNull(trie.remove("a/b/c", "c1"));
        assertNull(trie.remove("a", "c1"));
        assertNull(trie.remove("x/y", "c1"));
        assertNull(trie.remove("a/+", "c1"));
        assertNull(trie.remove("$share/g/a/b", "c1"));
        assertEquals(1, trie.size());
        assertEquals(2, trie.nodeCount());
        assertEquals("v", trie.get("a/b", "c1"));
    }

    @Test
    void removingALeafKeepsTheSharedPrefix() {
        trie.put("a/b", "c1", "short");
        trie.put("a/b/c/d", "c2", "long");
        assertEquals(4, trie.nodeCount());
        trie.remove("a/b/c/d", "c2");
        assertEquals(2, trie.nodeCount());
        assertEquals(List.of("c1"), RecordingVisitor.match(trie, "a/b").subscribers);
    }

    @Test
    void removingAnInnerSubscriptionKeepsTheDeeperOne() {
        trie.put("a", "c1", "short");
        trie.put("a/b/c", "c2", "long");
        trie.remove("a", "c1");
        assertEquals(3, trie.nodeCount());
        assertEquals(List.of("c2"), RecordingVisitor.match(trie, "a/b/c").subscribers);
        assertTrue(RecordingVisitor.match(trie, "a").subscribers.isEmpty());
    }

    @Test
    void removingOneOfSeveralSubscribersKeepsTheNode() {
        trie.put("a/+", "c1", "v1");
        trie.put("a/+", "c2", "v2");
        trie.remove("a/+", "c1");
        assertEquals(2, trie.nodeCount());
        assertEquals(List.of("c2"), RecordingVisitor.match(trie, "a/x").subscribers);
    }

    @Test
    void wildcardNodesArePruned() {
        trie.put("#", "c1", "v");
        trie.put("+/#", "c1", "v");
        trie.put("+/+/+", "c1", "v");
        trie.put("a/+/#", "c1", "v");
        assertEquals(1 + 2 + 3 + 3 - 1, trie.nodeCount(), "'+' at the root is shared by two filters");
        trie.remove("#", "c1");
        trie.remove("+/#", "c1");
        trie.remove("+/+/+", "c1");
        trie.remove("a/+/#", "c1");
        assertEquals(0, trie.nodeCount());
    }

    @Test
    void emptyLevelsAreNodesAndArePruned() {
        trie.put("/", "c1", "v");
        trie.put("a//b/", "c1", "v");
        assertEquals(2 + 4, trie.nodeCount());
        assertEquals(List.of("c1"), RecordingVisitor.match(trie, "/").subscribers);
        assertEquals(List.of("c1"), RecordingVisitor.match(trie, "a//b/").subscribers);
        trie.remove("/", "c1");
        trie.remove("a//b/", "c1");
        assertEquals(0, trie.nodeCount());
    }

    @Test
    void churnLeavesNoNodesBehind() {
        Random random = new Random(42);
        String[] levels = {"a", "b", "+", "", "$x", "c"};
        List<String[]> subscriptions = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            int depth = 1 + random.nextInt(5);
            StringBuilder filter = new StringBuilder();
            for (int level = 0; level < depth; level++) {
                filter.append(level == 0 ? "" : "/").append(levels[random.nextInt(levels.length)]);
            }
            if (random.nextBoolean()) {
                filter.append("/#");
            } else if (filter.length() == 0) {
                filter.append('z');
            }
            if (random.nextInt(10) == 0) {
                filter.insert(0, "$share/g" + random.nextInt(3) + "/");
            }
            String key = "c" + random.nextInt(500);
            if (trie.put(filter.toString(), key, "v") == null) {
                subscriptions.add(new String[] {filter.toString(), key});
            }
        }
        assertEquals(subscriptions.size(), trie.size());
        Collections.shuffle(subscriptions, random);
        for (String[] subscription : subscriptions) {
            assertEquals("v", trie.remove(subscription[0], subscription[1]));
        }
        assertEquals(0, trie.size());
        assertEquals(0, trie.nodeCount());
    }

    @Test
    void clearRemovesEverything() {
        trie.put("a/b", "c1", "v");
        trie.put("#", "c2", "v");
        trie.put("$share/g/a/+", "c3", "v");
        trie.clear();
        assertEquals(0, trie.size());
        assertEquals(0, trie.nodeCount());
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "a/b");
        assertTrue(visitor.subscribers.isEmpty());
        assertTrue(visitor.groups.isEmpty());
        assertNull(trie.put("a/b", "c1", "again"));
        assertEquals(1, trie.size());
    }

    @Test
    void forEachListsEverySubscriptionWithItsFilter() {
        trie.put("a/b", "c1", "v1");
        trie.put("a/b", "c2", "v2");
        trie.put("a/+/#", "c1", "v3");
        trie.put("/", "c3", "v4");
        trie.put("$share/g/a/b", "c4", "v5");
        trie.put("$share/g/a/b", "c5", "v6");
        trie.put("$share/h/#", "c4", "v7");
        Set<String> listed = new HashSet<>();
        trie.forEach((filter, key, value) -> assertTrue(listed.add(filter + " " + key + " " + value)));
        assertEquals(Set.of("a/b c1 v1", "a/b c2 v2", "a/+/# c1 v3", "/ c3 v4",
                "$share/g/a/b c4 v5", "$share/g/a/b c5 v6", "$share/h/# c4 v7"), listed);
    }

    @Test
    void invalidFiltersAreRefused() {
        for (String filter : List.of("", "a/#/b", "a#", "a+/b", "+a", "#/", "$share/g", "$share//a",
                "$share/g+/a", "$share/g/a/#/b", "$share/")) {
            assertThrows(IllegalArgumentException.class, () -> trie.put(filter, "c1", "v"), filter);
            assertThrows(IllegalArgumentException.class, () -> trie.remove(filter, "c1"), filter);
            assertThrows(IllegalArgumentException.class, () -> trie.get(filter, "c1"), filter);
        }
        assertEquals(0, trie.nodeCount());
        assertThrows(NullPointerException.class, () -> trie.put("a", null, "v"));
        assertThrows(NullPointerException.class, () -> trie.put("a", "c1", null));
    }

    @Test
    void invalidTopicNamesAreRefused() {
        for (String topic : List.of("", "a/+", "#", "a/b#")) {
            assertThrows(IllegalArgumentException.class,
                    () -> trie.match(topic, new RecordingVisitor<>()), topic);
        }
    }

    @Test
    void filtersThatLookLikeSharedButAreNotArePlain() {
        trie.put("$share", "c1", "v");
        trie.put("$shared/x", "c2", "v");
        assertEquals(List.of("c1"), RecordingVisitor.match(trie, "$share").subscribers);
        assertEquals(List.of("c2"), RecordingVisitor.match(trie, "$shared/x").subscribers);
    }

    @Test
    void veryDeepFiltersDoNotOverflowTheStack() {
        int depth = 100_000;
        String literal = "a/".repeat(depth - 1) + "a";
        String wildcards = "+/".repeat(depth - 1) + "#";
        trie.put(literal, "c1", "v");
        trie.put(wildcards, "c2", "v");
        trie.put("a/".repeat(depth / 2) + "+/".repeat(depth / 2 - 1) + "a", "c3", "v");
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, literal);
        assertEquals(Set.of("c1", "c2", "c3"), new HashSet<>(visitor.subscribers));
        trie.remove(literal, "c1");
        trie.remove(wildcards, "c2");
        trie.remove("a/".repeat(depth / 2) + "+/".repeat(depth / 2 - 1) + "a", "c3");
        assertEquals(0, trie.nodeCount());
    }

    @Test
    void matchVisitsOnlyTheBranchesOfTheTopic() {
        // 200,000 filters in unrelated branches: a match that walked them all would take minutes
        // for the 100,000 lookups below, a match that does not takes milliseconds.
        for (int i = 0; i < 200_000; i++) {
            trie.put("bulk/" + i + "/x", "c" + i, "v");
        }
        trie.put("needle/+/y", "finder", "v");
        trie.put("bulk/+/+/+/#", "deep", "v");
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 100_000; i++) {
                RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, "needle/" + i + "/y");
                assertEquals(List.of("finder"), visitor.subscribers);
                visitor = RecordingVisitor.match(trie, "bulk/" + i + "/x");
                assertEquals(List.of("c" + i), visitor.subscribers);
            }
        });
    }
}
