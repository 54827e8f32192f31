package io.corvid.broker.cli.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicPatternsTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
        "a/b, a/b, true",
        "a/b, a/c, false",
        "a/b, a/b/c, false",
        "a/b/c, a/b, false",
        "a/+, a/b, true",
        "a/+, a/, true",
        "a/+, a, false",
        "a/+, a/b/c, false",
        "+/+, a/b, true",
        "+, /a, false",
        "+/a, /a, true",
        "a/#, a, true",
        "a/#, a/b/c, true",
        "a/#, ab, false",
        "#, a/b, true",
        "#, /, true",
        "#, $SYS/broker, false",
        "+/broker, $SYS/broker, false",
        "$SYS/#, $SYS/broker/uptime, true",
        "$SYS/#, $SYS, true",
        "$SYS/+/uptime, $SYS/broker/uptime, true",
        "foo/+/#, foo/bar, true",
        "a b/c, a b/c, true",
        "A/b, a/b, false",
    })
    void matchesTopicsLikeMqtt(String filter, String topic, boolean expected) {
        assertEquals(expected, TopicPatterns.matches(TopicPatterns.levels(filter), TopicPatterns.levels(topic)));
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "a/b, a/b, true",
        "a/+, a/b, true",
        "a/+, a/+, true",
        "a/b, a/+, false",
        "a/#, a/#, true",
        "a/#, a, true",
        "a/#, a/+/c, true",
        "a/+, a/#, false",
        "a/+/#, a/#, false",
        "a/+/#, a/+, true",
        "#, #, true",
        "#, +/+/#, true",
        "+/#, #, true",
        "+/+/#, #, false",
        "+, #, false",
        "a, a/#, false",
        "#, $SYS/#, false",
        "+/#, $SYS/x, false",
        "$SYS/#, $SYS/+/uptime, true",
        "$SYS/broker/#, $SYS/#, false",
        "x/#, a/#, false",
    })
    void coversAFilterWhenEveryTopicOfTheFilterMatchesTheRule(String rule, String filter, boolean expected) {
        assertEquals(expected, TopicPatterns.covers(TopicPatterns.levels(rule), TopicPatterns.levels(filter)));
    }

    @ParameterizedTest(name = "{0} overlaps {1}: {2}")
    @CsvSource({
        "a/b, a/b, true",
        "a/b, a/c, false",
        "a/+, +/b, true",
        "a/#, a, true",
        "a, a/#, true",
        "a/+, a, false",
        "a/secret, #, true",
        "a/secret, a/+, true",
        "a/secret, b/#, false",
        "a/b/c, a/+, false",
        "#, $SYS/x, false",
        "$SYS/x, +/x, false",
        "$SYS/#, $SYS/+, true",
        "+/+, a/b/c, false",
        "a/+/c/#, a/b/#, true",
    })
    void overlapsWhenSomeTopicMatchesBoth(String first, String second, boolean expected) {
        assertEquals(expected, TopicPatterns.overlaps(TopicPatterns.levels(first), TopicPatterns.levels(second)));
        assertEquals(expected, TopicPatterns.overlaps(TopicPatterns.levels(second), TopicPatterns.levels(first)));
    }

    @ParameterizedTest(name = "valid filter {0}: {1}")
    @CsvSource({
        "a/b, true",
        "#, true",
        "a/#, true",
        "+/+/x, true",
        "a b/c, true",
        "sensor/%c/data, true",
        "a/#/b, false",
        "a/b#, false",
        "a+/b, false",
        "'', false",
    })
    void validatesFilters(String filter, boolean expected) {
        assertEquals(expected, TopicPatterns.isValidFilter(filter));
    }
}
