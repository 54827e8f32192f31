package io.corvid.broker.benchmarks.load;

/**
 * Who publishes where and who receives what in a throughput or latency scenario. Topics live
 * under a prefix unique to the run, so that runs against the same broker never see each
 * other's messages.
 *
 * @param publishers  the number of publishers
 * @param subscribers the number of subscribers
 * @param kind        which scenario's shape
 * @param prefix      the topic prefix of the run, e.g. {@code bench/3f9a1c}
 */
public record Topology(Kind kind, int publishers, int subscribers, String prefix) {

    /** The shapes. */
    public enum Kind {
        /** N publishers on {prefix}/fanin/{i}; every subscriber on the wildcard {prefix}/fanin/+. */
        FAN_IN,
        /** Every publisher on {prefix}/fanout; every subscriber on that topic. */
        FAN_OUT,
        /** Publisher i on {prefix}/pairs/{i}; subscriber i on the same topic only. */
        PAIRS,
        /** Publishers on {prefix}/latency/{i}; every subscriber on {prefix}/latency/+. */
        LATENCY
    }

    public Topology {
        if (publishers < 1 || subscribers < 1) {
            throw new IllegalArgumentException("need at least one publisher and one subscriber");
        }
        if (kind == Kind.PAIRS && publishers != subscribers) {
            throw new IllegalArgumentException("pairs need as many publishers as subscribers");
        }
    }

    /** The topic publisher {@code i} sends to. */
    public String topic(int publisher) {
        return switch (kind) {
            case FAN_IN -> prefix + "/fanin/" + publisher;
            case FAN_OUT -> prefix + "/fanout";
            case PAIRS -> prefix + "/pairs/" + publisher;
            case LATENCY -> prefix + "/latency/" + publisher;
        };
    }

    /** The filter subscriber {@code j} subscribes to. */
    public String filter(int subscriber) {
        return switch (kind) {
            case FAN_IN -> prefix + "/fanin/+";
            case FAN_OUT -> prefix + "/fanout";
            case PAIRS -> prefix + "/pairs/" + subscriber;
            case LATENCY -> prefix + "/latency/+";
        };
    }

    /** Whether subscriber {@code j} receives publisher {@code i}'s messages. */
    public boolean receives(int subscriber, int publisher) {
        return kind != Kind.PAIRS || subscriber == publisher;
    }

    /** How many publishers subscriber {@code j} receives. */
    public int publishersOf(int subscriber) {
        return kind == Kind.PAIRS ? 1 : publishers;
    }
}
