package io.corvid.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corvid.broker.BrokerMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A scrape walks the sessions once per walking gauge at most, and scrapes within a second share the walks. */
class SessionTotalsTest {
    private static final Set<String> WALKING = Set.of("sessionsConnected", "sessionsOffline", "subscriptions",
            "queuedMessages", "inflightMessages");

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final AtomicLong nanoTime = new AtomicLong(1_000);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** Counts every call; the session-walking gauges answer 7. */
    private BrokerMetrics countingMetrics() {
        return (BrokerMetrics) Proxy.newProxyInstance(BrokerMetrics.class.getClassLoader(),
                new Class<?>[] {BrokerMetrics.class}, (proxy, method, args) -> {
                    calls.computeIfAbsent(method.getName(), name -> new AtomicInteger()).incrementAndGet();
                    if (method.getName().equals("connectsRefusedByReason")) {
                        return Map.of();
                    }
                    return WALKING.contains(method.getName()) ? 7L : 0L;
                });
    }

    private int walks(String method) {
        AtomicInteger count = calls.get(method);
        return count == null ? 0 : count.get();
    }

    @Test
    void oneScrapeWalksEachWayOnceAndScrapesWithinASecondShareIt() {
        new BrokerMeters(countingMetrics(), Tags.empty(), nanoTime::get).bindTo(registry);
        for (String method : WALKING) {
            assertEquals(0, walks(method), method + " before any scrape");
        }

        Scrape first = new Scrape(registry.scrape());
        assertEquals(7, first.value("corvid_sessions{state=\"connected\"}"));
        assertEquals(7, first.value("corvid_sessions{state=\"offline\"}"));
        assertEquals(7, first.value("corvid_subscriptions"));
        assertEquals(7, first.value("corvid_queued_messages"));
        assertEquals(7, first.value("corvid_inflight_messages"));
        for (String method : WALKING) {
            assertEquals(1, walks(method), method + " after one scrape");
        }

        nanoTime.addAndGet(SessionTotals.MAX_AGE_NANOS - 1);
        registry.scrape();
        for (String method : WALKING) {
            assertEquals(1, walks(method), method + " after a second scrape within the second");
        }

        nanoTime.addAndGet(1);
        registry.scrape();
        for (String method : WALKING) {
            assertEquals(2, walks(method), method + " after a scrape a second later");
        }
    }
}
