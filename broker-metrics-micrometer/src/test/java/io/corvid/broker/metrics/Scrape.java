package io.corvid.broker.metrics;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One Prometheus text exposition, parsed: each sample line ({@code name{labels} value}) by its
 * name and labels exactly as written, and each family's type from its {@code # TYPE} line.
 */
final class Scrape {
    private final String text;
    private final Map<String, Double> samples = new LinkedHashMap<>();
    private final Map<String, String> types = new TreeMap<>();

    Scrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring("# TYPE ".length()).split(" ");
                types.put(parts[0], parts[1]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                // Label values may hold spaces; the value is after the last one.
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
    }

    /** The value of a sample, e.g. {@code corvid_messages_received_total{qos="1"}}; fails when absent. */
    double value(String sample) {
        Double value = samples.get(sample);
        if (value == null) {
            fail("no sample " + sample + " in the scrape:\n" + text);
        }
        return value;
    }

    boolean has(String sample) {
        return samples.containsKey(sample);
    }

    Map<String, Double> samples() {
        return samples;
    }

    /** Every family with its type (counter, gauge, histogram, summary). */
    Map<String, String> types() {
        return types;
    }

    String text() {
        return text;
    }
}
