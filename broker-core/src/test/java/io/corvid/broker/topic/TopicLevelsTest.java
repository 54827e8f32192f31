package io.corvid.broker.topic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Splitting keeps every level, empty ones included. */
class TopicLevelsTest {

    @Test
    void splitKeepsEmptyLevels() {
        assertArrayEquals(new String[] {"a"}, TopicLevels.split("a"));
        assertArrayEquals(new String[] {"a", "b", "c"}, TopicLevels.split("a/b/c"));
        assertArrayEquals(new String[] {"a", "", "b"}, TopicLevels.split("a//b"));
        assertArrayEquals(new String[] {"", "a"}, TopicLevels.split("/a"));
        assertArrayEquals(new String[] {"a", ""}, TopicLevels.split("a/"));
        assertArrayEquals(new String[] {"", ""}, TopicLevels.split("/"));
        assertArrayEquals(new String[] {"", "", ""}, TopicLevels.split("//"));
        assertArrayEquals(new String[] {"sport", "+", "#"}, TopicLevels.split("sport/+/#"));
    }

    @Test
    void splitTopicNameRefusesWhatPublishMayNotCarry() {
        assertArrayEquals(new String[] {"$SYS", "x"}, TopicLevels.splitTopicName("$SYS/x"));
        assertThrows(IllegalArgumentException.class, () -> TopicLevels.splitTopicName(""));
        assertThrows(IllegalArgumentException.class, () -> TopicLevels.splitTopicName("a/+"));
        assertThrows(IllegalArgumentException.class, () -> TopicLevels.splitTopicName("a#"));
    }
}
