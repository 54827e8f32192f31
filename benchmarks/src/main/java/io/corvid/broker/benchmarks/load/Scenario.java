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
    RETAINED;

    /** The name in results: lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a name, case-insensitive, with or without dashes ("fan-in"). */
    public static Scenario parse(String text) {
        String name = text.trim().replace("-", "").replace("_", "").toUpperCase(Locale.ROOT);
        for (Scenario scenario : values()) {
            if (scenario.name().equals(name)) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + text
                + "': fanin, fanout, pairs, latency, connections or retained");
    }
}
