package io.corvid.broker.benchmarks.jmh;

import io.corvid.broker.topic.RetainedIndex;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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
 * A new subscription looking up retained messages: {@link RetainedIndex} holding 100,000
 * retained topics {@code site/{i % 100}/device/{i}/state}, built once per trial.
 * {@code get} is an exact lookup; {@code match} takes a filter: {@code exact} (one message),
 * {@code plus} ({@code site/42/device/+/state}, 1,000 messages), {@code hash}
 * ({@code site/42/#}, 1,000) or {@code all} ({@code #}, every message). The consumer only counts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RetainedBenchmark {
    static final int TOPICS = 100_000;
    static final int SITES = 100;

    private RetainedIndex<byte[]> index;
    private String[] topics;
    private int next;

    /** The filters of one kind; a state of its own so that {@link #get} does not run once per kind. */
    @State(Scope.Thread)
    public static class Filters {
        /** Which filter a subscription uses. */
        @Param({"exact", "plus", "hash", "all"})
        public String filter;

        String[] filters;
        int next;

        @Setup(Level.Trial)
        public void createFilters() {
            filters = new String[64];
            for (int k = 0; k < filters.length; k++) {
                int i = (k * 1_009) % TOPICS;
                filters[k] = switch (filter) {
                    case "exact" -> topic(i);
                    case "plus" -> "site/" + (i % SITES) + "/device/+/state";
                    case "hash" -> "site/" + (i % SITES) + "/#";
                    case "all" -> "#";
                    default -> throw new IllegalArgumentException(filter);
                };
            }
        }
    }

    @Setup(Level.Trial)
    public void buildIndex() {
        index = new RetainedIndex<>();
        byte[] payload = new byte[64];
        for (int i = 0; i < TOPICS; i++) {
            index.put(topic(i), payload);
        }
        if (index.size() != TOPICS) {
            throw new IllegalStateException("index holds " + index.size() + " messages");
        }
        topics = new String[64];
        for (int k = 0; k < topics.length; k++) {
            topics[k] = topic((k * 1_009) % TOPICS);
        }
    }

    private static String topic(int i) {
        return "site/" + (i % SITES) + "/device/" + i + "/state";
    }

    /** Exact lookup of one retained topic. */
    @Benchmark
    public byte[] get() {
        return index.get(topics[next++ & (topics.length - 1)]);
    }

    /** Finds the retained messages a filter matches; returns how many. */
    @Benchmark
    public int match(Filters kind) {
        Counter counter = new Counter();
        index.match(kind.filters[kind.next++ & (kind.filters.length - 1)], counter);
        return counter.count;
    }

    /** Counts what matched. */
    static final class Counter implements BiConsumer<String, byte[]> {
        int count;

        @Override
        public void accept(String topic, byte[] message) {
            count++;
        }
    }
}
