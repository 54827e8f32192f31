package io.corvid.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.packet.QoS;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;

/** The launcher's registry: the broker's meters next to the JVM's and the transport allocator's. */
class PrometheusMetricsTest {

    @Test
    void theScrapeHasTheBrokerTheJvmAndTheTransportsAllocator() throws Exception {
        try (PrometheusMetrics metrics = new PrometheusMetrics();
             Broker broker = new Broker.Builder().host("127.0.0.1").port(0).metricsRecorder(metrics.recorder())
                     .build().start()) {
            metrics.bindTo(broker);
            MeteredBrokerClient.roundTrip(broker.port());

            Scrape scrape = new Scrape(metrics.scrape());
            assertEquals(1, scrape.value("corvid_messages_received_total{qos=\"1\"}"));
            assertTrue(heapUsed(scrape) > 0, "heap used");
            assertTrue(scrape.has("jvm_buffer_memory_used_bytes{id=\"direct\"}"), "direct memory");
            assertTrue(scrape.value("jvm_threads_live_threads") > 0);
            assertTrue(scrape.value("process_uptime_seconds") > 0);
            assertTrue(scrape.has("system_cpu_count"));
            // The allocator reported is the one the transport wrote and read that traffic with.
            Map.Entry<String, Double> nettyDirect = scrape.samples().entrySet().stream()
                    .filter(sample -> sample.getKey().startsWith("netty_allocator_memory_used{")
                            && sample.getKey().contains("memory_type=\"direct\""))
                    .findFirst().orElseThrow(() -> new AssertionError("no Netty allocator in\n" + scrape.text()));
            assertTrue(nettyDirect.getValue() > 0, nettyDirect.toString());
        }
    }

    @Test
    void theContentTypeIsPrometheusText004() {
        assertEquals(PrometheusTextFormatWriter.create().getContentType(), PrometheusMetrics.CONTENT_TYPE);
    }

    @Test
    void aBrokerIsBoundOnceAndOnlyWhileItRuns() {
        try (PrometheusMetrics metrics = new PrometheusMetrics()) {
            Broker notStarted = new Broker.Builder().host("127.0.0.1").port(0).build();
            assertThrows(IllegalStateException.class, () -> metrics.bindTo(notStarted));
            try (Broker broker = new Broker.Builder().host("127.0.0.1").port(0).build().start()) {
                metrics.bindTo(broker);
                assertThrows(IllegalStateException.class, () -> metrics.bindTo(broker));
            }
        }
    }

    @Test
    void tagsTellTwoBrokersInOneRegistryApart() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CorvidMetrics first = new CorvidMetrics(registry, Tags.of("broker", "first"));
        CorvidMetrics second = new CorvidMetrics(registry, Tags.of("broker", "second"));
        try (Broker a = new Broker.Builder().host("127.0.0.1").port(0).metricsRecorder(first.recorder()).build().start();
             Broker b = new Broker.Builder().host("127.0.0.1").port(0).metricsRecorder(second.recorder()).build().start()) {
            first.bindTo(a);
            second.bindTo(b);
            a.publish("t", new byte[0], QoS.AT_LEAST_ONCE, false);
            b.publish("t", new byte[0], QoS.AT_LEAST_ONCE, false);
            b.publish("t", new byte[0], QoS.AT_LEAST_ONCE, false);
            assertEquals(1, registry.get("corvid.messages.received").tags("broker", "first", "qos", "1")
                    .functionCounter().count());
            assertEquals(2, registry.get("corvid.messages.received").tags("broker", "second", "qos", "1")
                    .functionCounter().count());
            assertEquals(2, registry.get("corvid.delivery.latency").timers().size());
        }
    }

    /** The heap used over every heap pool (their names depend on the collector). */
    private static double heapUsed(Scrape scrape) {
        return scrape.samples().entrySet().stream()
                .filter(sample -> sample.getKey().startsWith("jvm_memory_used_bytes{area=\"heap\""))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** One QoS 1 message from a client to a subscriber, through the transport. */
    private static final class MeteredBrokerClient {
        static void roundTrip(int port) throws Exception {
            AtomicInteger received = new AtomicInteger();
            MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "round-trip",
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            client.connect();
            client.subscribe("r/#", 1, (topic, message) -> received.incrementAndGet());
            client.publish("r/1", new byte[100], 1, false);
            Await.until("the message came back", () -> received.get() == 1);
            Clients.close(client);
        }
    }
}
