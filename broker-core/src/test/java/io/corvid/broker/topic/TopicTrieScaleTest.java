package io.corvid.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A million subscriptions go in within seconds (other brokers took minutes: Moquette #629), and
 * matching stays a walk of a few branches afterwards.
 */
class TopicTrieScaleTest {
    private static final Logger LOG = LoggerFactory.getLogger(TopicTrieScaleTest.class);
    private static final int SUBSCRIPTIONS = 1_000_000;
    private static final Duration INSERT_BOUND = Duration.ofSeconds(30);

    /**
     * Eight in ten subscribe to their own device's telemetry, one in ten shares the single
     * filter "devices/+/status" (100,000 subscribers on one node), one in ten subscribes to one
     * of 100 site filters "site/{n}/#".
     */
    private static String filterOf(int i) {
        switch (i % 10) {
            case 8:
                return "devices/+/status";
            case 9:
                return "site/" + (i % 1000) + "/#";
            default:
                return "devices/" + i + "/telemetry";
        }
    }

    @Test
    void aMillionSubscriptionsInsertQuicklyAndMatchCorrectly() {
        String[] filters = new String[SUBSCRIPTIONS];
        Integer[] keys = new Integer[SUBSCRIPTIONS];
        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            filters[i] = filterOf(i);
            keys[i] = i;
        }
        TopicTrie<Integer, String> trie = new TopicTrie<>();

        long startNanos = System.nanoTime();
        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            trie.put(filters[i], keys[i], "options");
        }
        Duration insert = Duration.ofNanos(System.nanoTime() - startNanos);
        LOG.info("inserted {} subscriptions in {} ms", SUBSCRIPTIONS, insert.toMillis());
        assertTrue(insert.compareTo(INSERT_BOUND) < 0, "insertion took " + insert);
        assertEquals(SUBSCRIPTIONS, trie.size());

        assertEquals(List.of(123), RecordingVisitor.match(trie, "devices/123/telemetry").subscribers);
        assertEquals(List.of(), RecordingVisitor.match(trie, "devices/128/telemetry").subscribers);
        assertEquals(SUBSCRIPTIONS / 10, RecordingVisitor.match(trie, "devices/123/status").subscribers.size());
        assertEquals(SUBSCRIPTIONS / 1000, RecordingVisitor.match(trie, "site/19/a/b").subscribers.size());
        assertEquals(SUBSCRIPTIONS / 1000, RecordingVisitor.match(trie, "site/19").subscribers.size());
        assertEquals(List.of(), RecordingVisitor.match(trie, "site/18/a").subscribers);
        assertTrue(RecordingVisitor.match(trie, "site/19/a").subscribers.stream().allMatch(key -> key % 1000 == 19));

        // A walk of the whole tree (two million nodes) per match would take hours here.
        Random random = new Random(1);
        long matchStart = System.nanoTime();
        for (int n = 0; n < 100_000; n++) {
            int i = random.nextInt(SUBSCRIPTIONS / 10) * 10 + random.nextInt(8);
            RecordingVisitor<Integer, String> visitor = RecordingVisitor.match(trie, "devices/" + i + "/telemetry");
            assertEquals(1, visitor.subscribers.size());
            assertEquals(i, visitor.subscribers.get(0));
        }
        Duration matching = Duration.ofNanos(System.nanoTime() - matchStart);
        LOG.info("100000 matches against {} subscriptions in {} ms", SUBSCRIPTIONS, matching.toMillis());
        assertTrue(matching.compareTo(Duration.ofSeconds(30)) < 0, "matching took " + matching);

        long removeStart = System.nanoTime();
        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            assertEquals("options", trie.remove(filters[i], keys[i]));
        }
        LOG.info("removed {} subscriptions in {} ms", SUBSCRIPTIONS,
                Duration.ofNanos(System.nanoTime() - removeStart).toMillis());
        assertEquals(0, trie.size());
        assertEquals(0, trie.nodeCount());
    }
}
