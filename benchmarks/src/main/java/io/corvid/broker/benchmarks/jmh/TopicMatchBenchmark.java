package io.corvid.broker.benchmarks.jmh;

import io.corvid.broker.topic.SharedGroup;
import io.corvid.broker.topic.TopicTrie;
import io.corvid.broker.topic.TrieVisitor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing a PUBLISH: {@link TopicTrie#match} in a trie of 1,000,000 subscriptions, exact and
 * wildcard, built once per trial:
 * <ul>
 * <li>700,000 exact filters {@code device/{i}/telemetry}, one subscriber each;</li>
 * <li>299,800 {@code site/{i % 1000}/#}, about 300 subscribers per site;</li>
 * <li>100 subscribers of {@code device/+/status} and 100 of {@code +/alerts/#} (monitoring).</li>
 * </ul>
 * Topic names: {@code exact} matches one subscriber, {@code plus} the 100 of
 * {@code device/+/status}, {@code hash} the ~300 of one site, {@code leading-plus} the 100 of
 * {@code +/alerts/#}, {@code miss} nothing. The visitor only counts, so the figure is the walk
 * itself. {@code subscribeUnsubscribe} adds and removes one filter in the full trie, as a
 * client's SUBSCRIBE and UNSUBSCRIBE do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx4g"})
public class TopicMatchBenchmark {
    static final int EXACT = 700_000;
    static final int SITE_WIDE = 299_800;
    static final int SITES = 1000;
    static final int MONITORS = 100;

    private TopicTrie<String, Integer> trie;
    private int next;

    /** Topic names of one kind; a state of its own so that {@link #subscribeUnsubscribe} runs once. */
    @State(Scope.Thread)
    public static class Names {
        /** Which kind of topic name is routed. */
        @Param({"exact", "plus", "hash", "leading-plus", "miss"})
        public String topic;

        String[] names;
        int next;

        @Setup(Level.Trial)
        public void createNames() {
            // A few different names of the kind, so that one hot path does not stay in cache alone.
            names = new String[64];
            for (int k = 0; k < names.length; k++) {
                int i = (k * 10_007) % EXACT;
                names[k] = switch (topic) {
                    case "exact" -> "device/" + i + "/telemetry";
                    case "plus" -> "device/" + i + "/status";
                    case "hash" -> "site/" + (i % SITES) + "/building/3/floor/2/temperature";
                    case "leading-plus" -> "plant" + k + "/alerts/fire/line/" + i;
                    case "miss" -> "unknown/" + i + "/topic";
                    default -> throw new IllegalArgumentException(topic);
                };
            }
        }
    }

    @Setup(Level.Trial)
    public void buildTrie() {
        trie = new TopicTrie<>();
        for (int i = 0; i < EXACT; i++) {
            trie.put("device/" + i + "/telemetry", "d" + i, 1);
        }
        for (int i = 0; i < SITE_WIDE; i++) {
            trie.put("site/" + (i % SITES) + "/#", "s" + i, 0);
        }
        for (int i = 0; i < MONITORS; i++) {
            trie.put("device/+/status", "m" + i, 1);
            trie.put("+/alerts/#", "a" + i, 2);
        }
        if (trie.size() != EXACT + SITE_WIDE + 2 * MONITORS) {
            throw new IllegalStateException("trie holds " + trie.size() + " subscriptions");
        }
    }

    /** Routes one topic name; returns the number of matching subscriptions. */
    @Benchmark
    public int match(Names kind) {
        String name = kind.names[kind.next++ & (kind.names.length - 1)];
        Counter counter = new Counter();
        trie.match(name, counter);
        return counter.count;
    }

    /** Adds then removes one subscription in the full trie. */
    @Benchmark
    public Integer subscribeUnsubscribe() {
        int i = next++ & 0xFFFF;
        String filter = "device/" + i + "/config";
        trie.put(filter, "x", 1);
        return trie.remove(filter, "x");
    }

    /** Counts what matched. */
    static final class Counter implements TrieVisitor<String, Integer> {
        int count;

        @Override
        public void subscriber(String key, Integer value) {
            count++;
        }

        @Override
        public void sharedGroup(SharedGroup<String, Integer> group) {
            count++;
        }
    }
}
