package io.corvid.broker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class LocalFiltersTest {
    private final RecordingCluster cluster = new RecordingCluster();
    private final LocalFilters filters = new LocalFilters(cluster);

    @Test
    void reportsOnlyTheFirstAndTheLastSubscriber() {
        filters.added("a/#");
        filters.added("a/#");
        filters.removed("a/#");
        filters.added("b");
        filters.removed("a/#");
        filters.removed("a/#"); // one removal too many (a caller's bug) changes nothing
        assertEquals(List.of("+a/#", "+b", "-a/#"), cluster.filterEvents);
        assertEquals(0, filters.count("a/#"));
        assertEquals(1, filters.count("b"));
    }

    @Test
    void countsASharedGroupByItsWholeFilterApartFromThePlainOne() {
        filters.added("$share/group/a");
        filters.added("$share/group/a");
        filters.added("a");
        filters.removed("$share/group/a");
        filters.removed("$share/group/a");
        assertEquals(List.of("+$share/group/a", "+a", "-$share/group/a"), cluster.filterEvents);
    }

    /**
     * Threads subscribing and unsubscribing one filter at once: the reports for it must
     * alternate, starting with "added", and end in the state the count ends in.
     */
    @Test
    void reportsOfOneFilterAlternateUnderConcurrency() throws Exception {
        int threads = 4;
        int rounds = 20_000;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < rounds; i++) {
                    filters.added("hot/+");
                    filters.removed("hot/+");
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        List<String> events = cluster.filterEvents;
        assertTrue(events.size() >= 2, "no transitions at all: " + events.size());
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i % 2 == 0 ? "+hot/+" : "-hot/+", events.get(i), "report " + i + " out of order");
        }
        assertEquals(0, filters.count("hot/+"));
        assertEquals(0, events.size() % 2, "the last report must be a removal when nobody subscribes");
    }
}
