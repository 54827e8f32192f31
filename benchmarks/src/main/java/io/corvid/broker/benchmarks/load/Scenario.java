package io.corvid.broker.benchmarks.load;

import java.util.Locale;

/** The load generator's scenarios. */
public enum Scenario {
    /** N publishers to one subscriber on a wildcard. */
    FANIN,
    /** One publisher to N subscribers. */
    FANOUT,
    /** N publisher/subscriber pairs on distinct topics. */
    PAIRS,
    /** End-to-end latency percentiles at a fixed offered rate. */
    LATENCY,
    /** N idle connections: connect rate and broker memory per connection. */
    CONNECTIONS,
    /** N retained messages, then the time a {@code #} subscription takes to receive them all. */
    RETAINED,
    /** One subscriber that never reads beside live ones on the same topic: do the live ones suffer? */
    STUCK,
    /** Pairs whose subscribers read nothing until their publisher is done: what did the broker keep? */
    LATE_READERS,
    /** One subscriber slower than its publisher: delivered, dropped or disconnected? */
    SLOW_SUBSCRIBER,
    /**
     * A persistent session and its stored messages across a broker restart: fill it while its
     * client is away, then (after the restart) resume it and time the delivery of them all.
     */
    RECOVERY;

    /** The name in results: lower case, words joined by dashes ("late-readers"). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether this is fan-in, fan-out, pairs or latency: a measured period of publishers and subscribers. */
    public boolean throughput() {
        return this == FANIN || this == FANOUT || this == PAIRS || this == LATENCY;
    }

    /** Whether this is one of the bounded runs of a fixed number of messages against misbehaving subscribers. */
    public boolean pressure() {
        return this == STUCK || this == LATE_READERS || this == SLOW_SUBSCRIBER;
    }

    /** Parses a name, case-insensitive, with or without dashes ("fan-in"). */
    public static Scenario parse(String text) {
        String name = text.trim().replace("-", "").replace("_", "").toUpperCase(Locale.ROOT);
        for (Scenario scenario : values()) {
            if (scenario.name().replace("_", "").equals(name)) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + text
                + "': fanin, fanout, pairs, latency, connections, retained, stuck, late-readers, slow-subscriber "
                + "or recovery");
    }
}
