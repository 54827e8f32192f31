package io.corvid.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md stays true to the meters: its Metrics tables list every {@code corvid_*}
 * family a scrape has and no other, each with its type and tags; and every JVM or Netty family a
 * scrape has is in the second table.
 */
class MetricsDocumentationTest {
    private static final Path DOC = Path.of("..", "docs", "operations.md");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9_]+)` \\| ([a-z]+) \\|([^|]*)\\|.*\\|$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    /** A family as documented or as scraped: its type and tag keys. */
    private record Family(String type, Set<String> tags) {
    }

    @Test
    void theTablesListEveryMetricWithItsTypeAndTags() throws IOException {
        Map<String, Family> documented = documented();
        Map<String, Family> scraped;
        try (PrometheusMetrics metrics = new PrometheusMetrics();
             Broker broker = new Broker.Builder().host("127.0.0.1").port(0).metricsRecorder(metrics.recorder())
                     .build().start()) {
            metrics.bindTo(broker);
            scraped = families(new Scrape(metrics.scrape()));
        }

        Set<String> undocumented = new TreeSet<>(scraped.keySet());
        undocumented.removeAll(documented.keySet());
        assertTrue(undocumented.isEmpty(), "scraped but not documented in " + DOC + ": " + undocumented);
        // The JVM's families vary with its collector and version; the broker's do not.
        Set<String> notScraped = names(documented, true);
        notScraped.removeAll(scraped.keySet());
        assertTrue(notScraped.isEmpty(), "documented in " + DOC + " but not scraped: " + notScraped);
        for (Map.Entry<String, Family> family : scraped.entrySet()) {
            assertEquals(family.getValue(), documented.get(family.getKey()),
                    family.getKey() + ": type and tags as scraped (left) and documented (right)");
        }
    }

    /** The rows of the tables in the Metrics section. */
    private static Map<String, Family> documented() throws IOException {
        String doc = Files.readString(DOC);
        int start = doc.indexOf("\n## Metrics\n");
        assertTrue(start >= 0, "no Metrics section in " + DOC);
        int end = doc.indexOf("\n## ", start + 1);
        Map<String, Family> rows = new TreeMap<>();
        for (String line : doc.substring(start, end < 0 ? doc.length() : end).split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                Set<String> tags = new TreeSet<>();
                Matcher tag = Pattern.compile("`([a-z_]+)`").matcher(row.group(3));
                while (tag.find()) {
                    tags.add(tag.group(1));
                }
                Family previous = rows.put(row.group(1), new Family(row.group(2), tags));
                assertEquals(null, previous, row.group(1) + " is documented twice");
            }
        }
        assertTrue(rows.size() > 20, "the tables were not found: " + rows.keySet());
        return rows;
    }

    /**
     * Every family of a scrape with its tag keys. A timer's or summary's {@code _max} gauge is part
     * of its family, as the tables describe it; {@code le} is a bucket's bound, not a tag.
     */
    private static Map<String, Family> families(Scrape scrape) {
        Map<String, Family> families = new TreeMap<>();
        for (Map.Entry<String, String> type : scrape.types().entrySet()) {
            String name = type.getKey();
            String distribution = name.endsWith("_max") ? name.substring(0, name.length() - "_max".length()) : null;
            String owner = distribution == null ? null : scrape.types().get(distribution);
            if (distribution != null && ("histogram".equals(owner) || "summary".equals(owner))) {
                continue;
            }
            Set<String> tags = new TreeSet<>();
            for (String sample : scrape.samples().keySet()) {
                String sampleName = sample.contains("{") ? sample.substring(0, sample.indexOf('{')) : sample;
                if (sampleName.equals(name) || sampleName.equals(name + "_bucket") || sampleName.equals(name + "_count")
                        || sampleName.equals(name + "_sum") || sampleName.equals(name + "_max")) {
                    Matcher label = LABEL.matcher(sample);
                    while (label.find()) {
                        tags.add(label.group(1));
                    }
                }
            }
            tags.remove("le");
            families.put(name, new Family(type.getValue(), tags));
        }
        return families;
    }

    private static Set<String> names(Map<String, Family> families, boolean corvid) {
        Set<String> names = new TreeSet<>();
        for (String name : families.keySet()) {
            if (name.startsWith("corvid_") == corvid) {
                names.add(name);
            }
        }
        return names;
    }
}
