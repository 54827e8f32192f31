package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteIndexTest {
    private final RouteIndex index = new RouteIndex();

    private List<String> nodesFor(String topic) {
        List<String> nodes = new ArrayList<>();
        index.nodesFor(topic, nodes);
        return nodes;
    }

    @Test
    void aNodeWithSeveralMatchingFiltersIsNamedOnce() {
        index.add("b", "a/#");
        index.add("b", "a/+");
        index.add("b", "+/b");
        index.add("b", "a/b");
        index.add("c", "a/b");
        List<String> nodes = nodesFor("a/b");
        assertEquals(2, nodes.size(), nodes.toString());
        assertTrue(nodes.containsAll(List.of("b", "c")));
    }

    @Test
    void aSharedGroupsRouteMakesItsNodeAMemberOfTheGroupNotASubscriber() {
        index.add("b", "$share/g/jobs/+");
        index.add("c", "$share/g/jobs/+");
        index.add("c", "$share/h/jobs/#");
        index.add("d", "jobs/#");
        List<String> nodes = new ArrayList<>();
        List<io.corvid.broker.topic.SharedGroup<String, Boolean>> groups = new ArrayList<>();

        index.match("jobs/1", nodes, groups);
        assertEquals(List.of("d"), nodes);
        assertEquals(Set.of("$share/g/jobs/+", "$share/h/jobs/#"),
                Set.of(groups.get(0).shareFilter(), groups.get(1).shareFilter()));
        for (io.corvid.broker.topic.SharedGroup<String, Boolean> group : groups) {
            List<String> members = group.members().stream().map(member -> member.key()).toList();
            assertEquals(group.shareFilter().startsWith("$share/g/") ? List.of("b", "c") : List.of("c"), members);
        }

        index.removeNode("c");
        index.match("jobs/1", nodes, groups);
        assertEquals(1, groups.size(), "a group without nodes is not matched");
        assertEquals(List.of("b"), groups.get(0).members().stream().map(member -> member.key()).toList());
    }

    @Test
    void matchingFollowsMqttRules() {
        index.add("b", "sport/+/score");
        index.add("c", "#");
        index.add("d", "$SYS/#");
        assertEquals(Set.of("b", "c"), Set.copyOf(nodesFor("sport/tennis/score")));
        assertEquals(List.of("c"), nodesFor("sport/tennis/player/score"));
        assertEquals(List.of("d"), nodesFor("$SYS/broker/load"), "# does not match $ topics");
        assertEquals(List.of(), nodesFor("$other"));
    }

    @Test
    void addAndRemoveAreIdempotent() {
        assertTrue(index.add("b", "x"));
        assertFalse(index.add("b", "x"));
        assertEquals(1, index.size());
        assertTrue(index.remove("b", "x"));
        assertFalse(index.remove("b", "x"));
        assertFalse(index.remove("nobody", "x"));
        assertEquals(List.of(), nodesFor("x"));
        assertEquals(Map.of(), index.snapshot());
    }

    @Test
    void aNodeThatLeavesTakesAllItsRoutes() {
        index.add("b", "x/#");
        index.add("b", "y");
        index.add("c", "y");
        assertEquals(2, index.removeNode("b"));
        assertEquals(List.of(), nodesFor("x/1"));
        assertEquals(List.of("c"), nodesFor("y"));
        assertEquals(Map.of("c", Set.of("y")), index.snapshot());
        assertEquals(0, index.removeNode("b"));
    }

    @Test
    void theListIsClearedBeforeUse() {
        index.add("b", "t");
        List<String> nodes = new ArrayList<>(List.of("stale"));
        index.nodesFor("t", nodes);
        assertEquals(List.of("b"), nodes);
    }

    @Test
    void routeKeysSplitBackIntoNodeAndFilter() {
        String key = RouteTable.key("node-1", "a/+/#");
        assertEquals("node-1", RouteTable.nodeOf(key));
        assertEquals("a/+/#", RouteTable.filterOf(key));
        assertEquals(null, RouteTable.nodeOf("not a route key"));
    }
}
