package io.corvid.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The matching rules of MQTT 5.0 section 4.7, checked on both structures that apply them: the
 * subscription trie (plain and shared filters) and the retained-message index.
 */
class TopicMatchingTest {

    /** Filter, topic name, whether the filter matches the topic. */
    static Stream<Arguments> matrix() {
        return Stream.of(
                // 4.7.1.2 multi-level wildcard, the spec's own examples
                row("sport/tennis/player1/#", "sport/tennis/player1", true),
                row("sport/tennis/player1/#", "sport/tennis/player1/ranking", true),
                row("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true),
                row("sport/tennis/player1/#", "sport/tennis/player2", false),
                row("sport/tennis/player1/#", "sport/tennis", false),
                row("sport/#", "sport", true),
                row("sport/#", "sport/", true),
                row("sport/#", "sports", false),
                row("sport/#", "sports/tennis", false),
                row("#", "sport", true),
                row("#", "sport/tennis/player1", true),
                row("#", "/", true),
                row("#", "//", true),
                row("#", "/$SYS", true),
                row("/#", "/", true),
                row("/#", "/a/b", true),
                row("/#", "a", false),
                row("a/b/#", "a/b", true),
                row("a/b/#", "a/b/", true),
                row("a/b/#", "a/bc", false),
                // 4.7.1.3 single-level wildcard, the spec's own examples
                row("sport/tennis/+", "sport/tennis/player1", true),
                row("sport/tennis/+", "sport/tennis/player2", true),
                row("sport/tennis/+", "sport/tennis/player1/ranking", false),
                row("sport/tennis/+", "sport/tennis", false),
                row("sport/tennis/+", "sport/tennis/", true),
                row("sport/+", "sport", false),
                row("sport/+", "sport/", true),
                row("+/+", "/finance", true),
                row("/+", "/finance", true),
                row("+", "/finance", false),
                row("+", "finance", true),
                row("+", "a/", false),
                row("+/+", "/", true),
                row("+/+", "a", false),
                row("+/+", "a/b/c", false),
                row("+/+", "//", false),
                row("+/+/+", "//", true),
                row("+/+/+", "a/b", false),
                row("/+", "finance", false),
                row("+/tennis/#", "sport/tennis", true),
                row("+/tennis/#", "sport/tennis/player1/ranking", true),
                row("+/tennis/#", "sport/tennis2", false),
                row("sport/+/player1", "sport/tennis/player1", true),
                row("sport/+/player1", "sport//player1", true),
                row("sport/+/player1", "sport/tennis/player2", false),
                row("a/+/c", "a/b/c/d", false),
                row("+/b/#", "a/b", true),
                row("+/#", "a", true),
                row("+/#", "a/b/c", true),
                // 4.7.2 topics beginning with '$'
                row("#", "$SYS/monitor/Clients", false),
                row("#", "$SYS", false),
                row("+/monitor/Clients", "$SYS/monitor/Clients", false),
                row("$SYS/#", "$SYS/monitor/Clients", true),
                row("$SYS/#", "$SYS", true),
                row("$SYS/monitor/+", "$SYS/monitor/Clients", true),
                row("$SYS/+", "$SYS", false),
                row("+", "$SYS", false),
                row("+/#", "$SYS", false),
                row("+/+", "$/", false),
                row("$/+", "$/", true),
                row("$", "$", true),
                row("a/+", "a/$b", true),
                row("a/#", "a/$b/c", true),
                row("+", "a$", true),
                row("#", "$share/g/x", false),
                row("$share", "$share", true),
                // 4.7.3 topic semantics: case, spaces, separators and empty levels all count
                row("ACCOUNTS", "Accounts", false),
                row("ACCOUNTS", "ACCOUNTS", true),
                row("Accounts payable", "Accounts payable", true),
                row("Accounts payable", "Accounts  payable", false),
                row("/finance", "finance", false),
                row("finance", "/finance", false),
                row("a/b", "a//b", false),
                row("a//b", "a//b", true),
                row("a/+/b", "a//b", true),
                row("a/b", "a/b/", false),
                row("a/b/", "a/b/", true),
                row("a/b/", "a/b", false),
                row("a/b/+", "a/b/", true),
                row("//", "//", true),
                row("a/b/c", "a/b/c", true),
                row("a/b/c", "a/b", false),
                row("a/b", "a/b/c", false),
                row("\u00fc/+/\u20ac", "\u00fc/x/\u20ac", true),
                row("\u00fc", "u", false));
    }

    private static Arguments row(String filter, String topic, boolean matches) {
        return Arguments.of(filter, topic, matches);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" vs \"{1}\" -> {2}")
    @MethodSource("matrix")
    void trieMatchesAsTheSpecSays(String filter, String topic, boolean matches) {
        TopicTrie<String, String> trie = new TopicTrie<>();
        trie.put(filter, "client", "options");
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, topic);
        assertEquals(matches ? List.of("client") : List.of(), visitor.subscribers);
        assertEquals(List.of(), visitor.groups);
    }

    @ParameterizedTest(name = "[{index}] \"$share/g/{0}\" vs \"{1}\" -> {2}")
    @MethodSource("matrix")
    void sharedFiltersMatchLikeTheirInnerFilter(String filter, String topic, boolean matches) {
        TopicTrie<String, String> trie = new TopicTrie<>();
        trie.put("$share/g/" + filter, "client", "options");
        RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, topic);
        assertEquals(List.of(), visitor.subscribers);
        assertEquals(matches ? 1 : 0, visitor.groups.size());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" vs \"{1}\" -> {2}")
    @MethodSource("matrix")
    void retainedIndexMatchesAsTheSpecSays(String filter, String topic, boolean matches) {
        RetainedIndex<String> index = new RetainedIndex<>();
        index.put(topic, "message");
        List<String> found = new ArrayList<>();
        index.match(filter, (name, message) -> found.add(name + "=" + message));
        assertEquals(matches ? List.of(topic + "=message") : List.of(), found);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" vs \"{1}\" -> {2}")
    @MethodSource("matrix")
    void referenceMatcherAgreesWithTheTable(String filter, String topic, boolean matches) {
        // Guards the oracle that the randomised tests below rely on.
        assertEquals(matches, ReferenceMatcher.matches(filter, topic));
    }

    @Test
    void trieAgreesWithReferenceOnRandomFiltersAndTopics() {
        Random random = new Random(4_7_1);
        Set<String> filters = new LinkedHashSet<>();
        while (filters.size() < 400) {
            filters.add(randomFilter(random));
        }
        TopicTrie<String, String> trie = new TopicTrie<>();
        for (String filter : filters) {
            // The filter is its own key, so each match must report each matching filter exactly once.
            trie.put(filter, filter, filter);
        }
        for (int i = 0; i < 1_000; i++) {
            String topic = randomTopic(random);
            Set<String> expected = new HashSet<>();
            for (String filter : filters) {
                if (ReferenceMatcher.matches(filter, topic)) {
                    expected.add(filter);
                }
            }
            RecordingVisitor<String, String> visitor = RecordingVisitor.match(trie, topic);
            assertEquals(expected.size(), visitor.subscribers.size(), () -> "duplicates for " + topic);
            assertEquals(expected, new HashSet<>(visitor.subscribers), () -> "topic " + topic);
        }
    }

    @Test
    void retainedIndexAgreesWithReferenceOnRandomFiltersAndTopics() {
        Random random = new Random(4_7_2);
        Set<String> topics = new LinkedHashSet<>();
        // Of the 340 distinct topics the generator can make, most.
        while (topics.size() < 250) {
            topics.add(randomTopic(random));
        }
        RetainedIndex<String> index = new RetainedIndex<>();
        for (String topic : topics) {
            index.put(topic, topic);
        }
        for (int i = 0; i < 1_000; i++) {
            String filter = randomFilter(random);
            Set<String> expected = new HashSet<>();
            for (String topic : topics) {
                if (ReferenceMatcher.matches(filter, topic)) {
                    expected.add(topic);
                }
            }
            List<String> found = new ArrayList<>();
            index.match(filter, (topic, message) -> {
                assertEquals(topic, message);
                found.add(topic);
            });
            assertEquals(expected.size(), found.size(), () -> "duplicates for " + filter);
            assertEquals(expected, new HashSet<>(found), () -> "filter " + filter);
        }
    }

    private static final String[] LEVELS = {"a", "b", "", "$a"};

    private static String randomTopic(Random random) {
        int count = 1 + random.nextInt(4);
        StringBuilder topic = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                topic.append('/');
            }
            topic.append(LEVELS[random.nextInt(LEVELS.length)]);
        }
        if (topic.length() == 0) {
            topic.append('a');
        }
        return topic.toString();
    }

    private static String randomFilter(Random random) {
        int count = 1 + random.nextInt(4);
        StringBuilder filter = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                filter.append('/');
            }
            int pick = random.nextInt(LEVELS.length + 2);
            if (pick == LEVELS.length) {
                filter.append('+');
            } else if (pick == LEVELS.length + 1) {
                filter.append(i == count - 1 ? "#" : "+");
            } else {
                filter.append(LEVELS[pick]);
            }
        }
        if (filter.length() == 0) {
            filter.append('#');
        }
        return filter.toString();
    }
}
