package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.corvid.broker.topic.SharedGroup;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShareChooserTest {
    private static final List<SharedGroup.Member<String, Boolean>> NODES = List.of(
            new SharedGroup.Member<>("a", true), new SharedGroup.Member<>("b", true),
            new SharedGroup.Member<>("c", true));

    @Test
    void startsWhereItIsToldAndWrapsAround() {
        assertEquals("a", ShareChooser.choose(NODES, 0, node -> true, Set.of()));
        assertEquals("b", ShareChooser.choose(NODES, 1, node -> true, Set.of()));
        assertEquals("c", ShareChooser.choose(NODES, 2, node -> true, Set.of()));
        assertEquals("a", ShareChooser.choose(NODES, 2, node -> !node.equals("c"), Set.of()));
    }

    @Test
    void aConnectedNodeComesBeforeOneWhoseLinkIsDown() {
        assertEquals("c", ShareChooser.choose(NODES, 0, node -> node.equals("c"), Set.of()));
    }

    @Test
    void withEveryLinkDownTheFirstInTurnIsChosen() {
        assertEquals("b", ShareChooser.choose(NODES, 1, node -> false, Set.of()));
    }

    @Test
    void aNodeThatRefusedIsNeverChosenAgain() {
        assertEquals("c", ShareChooser.choose(NODES, 1, node -> true, Set.of("b")));
        assertEquals("b", ShareChooser.choose(NODES, 0, node -> node.equals("a"), Set.of("a")));
        assertNull(ShareChooser.choose(NODES, 0, node -> true, Set.of("a", "b", "c")));
        assertNull(ShareChooser.choose(List.of(), 0, node -> true, Set.of()));
    }
}
