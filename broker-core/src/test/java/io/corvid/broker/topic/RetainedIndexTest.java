package io.corvid.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Storing, replacing, removing and pruning retained messages, and looking them up by filter. */
class RetainedIndexTest {
    private final RetainedIndex<String> index = new RetainedIndex<>();

    private Set<String> match(String filter) {
        Set<String> found = new TreeSet<>();
        index.match(filter, (topic, message) -> assertTrue(found.add(topic + "=" + message), "twice: " + topic));
        return found;
    }

    @Test
    void emptyIndexHoldsNothing() {
        assertNull(index.get("a"));
        assertEquals(Set.of(), match("#"));
        assertEquals(0, index.size());
        assertEquals(0, index.nodeCount());
    }

    @Test
    void putReturnsPreviousAndReplaces() {
        assertNull(index.put("a/b", "m1"));
        assertEquals("m1", index.put("a/b", "m2"));
        assertEquals("m2", index.get("a/b"));
        assertEquals(1, index.size());
        assertEquals(Set.of("a/b=m2"), match("a/b"));
    }

    @Test
    void getFindsOnlyTheExactTopic() {
        index.put("a/b", "m");
        assertNull(index.get("a"));
        assertNull(index.get("a/b/c"));
        assertNull(index.get("a/b/"));
        assertNull(index.get("a//b"));
    }

    @Test
    void removeReturnsTheMessageAndPrunes() {
        index.put("a/b/c", "m");
        assertEquals(3, index.nodeCount());
        assertEquals("m", index.remove("a/b/c"));
        assertNull(index.remove("a/b/c"));
        assertEquals(0, index.size());
        assertEquals(0, index.nodeCount());
        assertEquals(Set.of(), match("#"));
    }

    @Test
    void removeKeepsMessagesAboveAndBelow() {
        index.put("a", "top");
        index.put("a/b", "middle");
        index.put("a/b/c", "bottom");
        assertNull(index.remove("a/x"));
        assertNull(index.remove("a/b/c/d"));
        assertEquals("middle", index.remove("a/b"));
        assertEquals(3, index.nodeCount());
        assertEquals(Set.of("a=top", "a/b/c=bottom"), match("#"));
        assertEquals("bottom", index.remove("a/b/c"));
        assertEquals(1, index.nodeCount());
        assertEquals("top", index.remove("a"));
        assertEquals(0, index.nodeCount());
    }

    @Test
    void churnLeavesNoNodesBehind() {
        Random random = new Random(7);
        String[] levels = {"a", "b", "", "$x", "c"};
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder topic = new StringBuilder(levels[random.nextInt(levels.length)]);
            int depth = random.nextInt(6);
            for (int level = 0; level < depth; level++) {
                topic.append('/').append(levels[random.nextInt(levels.length)]);
            }
            if (topic.length() == 0) {
                topic.append('z');
            }
            index.put(topic.toString(), "m" + i);
            expected.put(topic.toString(), "m" + i);
        }
        assertEquals(expected.size(), index.size());
        Map<String, String> listed = new HashMap<>();
        index.forEach(listed::put);
        assertEquals(expected, listed);
        List<String> topics = new ArrayList<>(expected.keySet());
        Collections.shuffle(topics, random);
        for (String topic : topics) {
            assertEquals(expected.get(topic), index.remove(topic));
        }
        assertEquals(0, index.size());
        assertEquals(0, index.nodeCount());
    }

    @Test
    void matchFollowsOnlyTheBranchesTheFilterNames() {
        index.put("sport/tennis/player1", "p1");
        index.put("sport/tennis/player1/ranking", "r1");
        index.put("sport/tennis/player2", "p2");
        index.put("sport", "s");
        index.put("sport/", "s-empty");
        index.put("$SYS/broker/uptime", "up");
        index.put("/finance", "f");
        assertEquals(Set.of("sport/tennis/player1=p1"), match("sport/tennis/player1"));
        assertEquals(Set.of("sport/tennis/player1=p1", "sport/tennis/player2=p2"), match("sport/tennis/+"));
        assertEquals(Set.of("sport/tennis/player1=p1", "sport/tennis/player1/ranking=r1"),
                match("sport/tennis/player1/#"));
        assertEquals(Set.of("sport=s", "sport/=s-empty", "sport/tennis/player1=p1", "sport/tennis/player2=p2",
                "sport/tennis/player1/ranking=r1"), match("sport/#"));
        assertEquals(Set.of("sport/=s-empty"), match("sport/+"));
        assertEquals(Set.of("sport=s"), match("+"));
        assertEquals(Set.of("/finance=f", "sport/=s-empty"), match("+/+"));
        assertEquals(Set.of("sport=s", "sport/=s-empty", "sport/tennis/player1=p1", "sport/tennis/player2=p2",
                "sport/tennis/player1/ranking=r1", "/finance=f"), match("#"));
        assertEquals(Set.of("$SYS/broker/uptime=up"), match("$SYS/#"));
        assertEquals(Set.of("$SYS/broker/uptime=up"), match("$SYS/+/uptime"));
        assertEquals(Set.of(), match("+/broker/uptime"));
    }

    @Test
    void forEachListsDollarTopicsToo() {
        index.put("$SYS/x", "m1");
        index.put("a", "m2");
        Map<String, String> listed = new HashMap<>();
        index.forEach(listed::put);
        assertEquals(Map.of("$SYS/x", "m1", "a", "m2"), listed);
    }

    @Test
    void clearRemovesEverything() {
        index.put("a/b", "m");
        index.put("c", "m");
        index.clear();
        assertEquals(0, index.size());
        assertEquals(0, index.nodeCount());
        assertNull(index.get("a/b"));
        assertEquals(Set.of(), match("#"));
        assertNull(index.put("a/b", "again"));
        assertEquals(1, index.size());
    }

    @Test
    void invalidInputIsRefused() {
        for (String topic : List.of("", "a/+", "#", "a/b#")) {
            assertThrows(IllegalArgumentException.class, () -> index.put(topic, "m"), topic);
            assertThrows(IllegalArgumentException.class, () -> index.get(topic), topic);
            assertThrows(IllegalArgumentException.class, () -> index.remove(topic), topic);
        }
        for (String filter : List.of("", "a/#/b", "a+", "$share/g/a", "$share/g/#")) {
            assertThrows(IllegalArgumentException.class, () -> index.match(filter, (topic, message) -> { }), filter);
        }
        assertThrows(NullPointerException.class, () -> index.put("a", null));
        assertEquals(0, index.nodeCount());
    }

    @Test
    void veryDeepTopicsDoNotOverflowTheStack() {
        String deep = "a/".repeat(99_999) + "a";
        index.put(deep, "deep");
        assertEquals("deep", index.get(deep));
        assertEquals(Set.of(deep + "=deep"), match("#"));
        assertEquals(Set.of(deep + "=deep"), match("+/".repeat(99_999) + "+"));
        assertEquals("deep", index.remove(deep));
        assertEquals(0, index.nodeCount());
    }

    @Test
    void manyRetainedMessagesAreStoredQuicklyAndLookedUpDirectly() {
        int count = 300_000;
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < count; i++) {
                index.put("devices/" + i + "/state", "s" + i);
            }
        });
        index.put("needle/x", "found");
        assertEquals(count + 1, index.size());
        // A walk of all 600,000 nodes per lookup would take many minutes for these lookups.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 100_000; i++) {
                assertEquals(Set.of("needle/x=found"), match("needle/x"));
                assertEquals(Set.of("needle/x=found"), match("needle/+"));
                assertEquals(Set.of("devices/" + i + "/state=s" + i), match("devices/" + i + "/#"));
            }
        });
        int[] all = {0};
        index.match("devices/+/state", (topic, message) -> all[0]++);
        assertEquals(count, all[0]);
    }
}
