package io.corvid.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.MetricsRecorder;
import io.corvid.broker.store.mvstore.Durability;
import io.corvid.broker.store.mvstore.MvStoreSessionStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code corvid.*} meters against known traffic from real clients, read as Prometheus scrapes them. */
class BrokerTrafficMetricsTest {

    @Test
    void messagesAtEachQosCountExactlyOnceInAndOut() throws Exception {
        int perQos = 5;
        try (MeteredBroker metered = new MeteredBroker()) {
            AtomicInteger received = new AtomicInteger();
            MqttClient subscriber = Clients.subscriber(metered, "subscriber", true, "q/#", 2, received);
            MqttClient publisher = Clients.connect(metered, "publisher", true);
            for (int qos = 0; qos <= 2; qos++) {
                Clients.publish(publisher, "q/" + qos, qos, perQos);
            }
            Await.until("the subscriber has every message", () -> received.get() == 3 * perQos);
            Await.until("every delivery is counted",
                    () -> sum(metered.scrape(), "corvid_messages_sent_total", "qos", "0", "1", "2") >= 3 * perQos);

            Scrape scrape = metered.scrape();
            for (String qos : new String[] {"0", "1", "2"}) {
                assertEquals(perQos, scrape.value("corvid_messages_received_total{qos=\"" + qos + "\"}"), "received at " + qos);
                assertEquals(perQos, scrape.value("corvid_messages_sent_total{qos=\"" + qos + "\"}"), "sent at " + qos);
            }
            assertEquals(2, scrape.value("corvid_connections_accepted_total"));
            assertEquals(2, scrape.value("corvid_connections_open"));
            assertEquals(2, scrape.value("corvid_clients_connected"));
            assertEquals(2, scrape.value("corvid_sessions{state=\"connected\"}"));
            assertEquals(0, scrape.value("corvid_sessions{state=\"offline\"}"));
            assertEquals(1, scrape.value("corvid_subscriptions"));
            // Each PUBLISH carries at least its topic and payload both ways.
            int payloadAndTopic = "q/0".length() + "message 0".length();
            assertTrue(scrape.value("corvid_bytes_received_total") > 3 * perQos * payloadAndTopic);
            assertTrue(scrape.value("corvid_bytes_sent_total") > 3 * perQos * payloadAndTopic);
            assertEquals(0, sum(scrape, "corvid_messages_dropped_total", "reason", "queue_full", "memory_budget",
                    "expired", "packet_too_large", "client_offline", "session_ended"));
            Clients.close(publisher);
            Clients.close(subscriber);
        }
    }

    @Test
    void limitRefusalsAreCounted() throws Exception {
        try (MeteredBroker metered = new MeteredBroker(builder -> builder.maxSubscriptionsPerClient(1).maxTopicLevels(3))) {
            MqttClient client = Clients.connect(metered, "limited", true);
            int[] granted = client.subscribeWithResponse(new String[] {"a", "b", "x/y/z/w"}, new int[] {1, 1, 1})
                    .getGrantedQos();
            assertEquals(1, granted[0]);
            assertEquals(0x80, granted[1], "over the subscription quota");
            assertEquals(0x80, granted[2], "over the topic levels");
            Scrape scrape = metered.scrape();
            assertEquals(1, scrape.value("corvid_subscription_quota_refusals_total"));
            assertEquals(1, scrape.value("corvid_topic_limit_refusals_total"));
            assertEquals(0, scrape.value("corvid_publish_rate_limited_total"));
            Clients.close(client);
        }
    }

    @Test
    void connectionsRefusedAtTheLimitAndAcceptPausesAreCounted() throws Exception {
        try (MeteredBroker metered = new MeteredBroker(builder -> builder.maxConnections(1)
                .maxConnectionRate(1).connectionRateBurst(1))) {
            assertEquals(0, metered.scrape().value("corvid_connections_refused_limit_total"));
            try (java.net.Socket first = new java.net.Socket("127.0.0.1", metered.broker.port());
                 java.net.Socket second = new java.net.Socket("127.0.0.1", metered.broker.port())) {
                // The second is over the limit of one: closed as soon as it is accepted, once the pacer lets it in.
                second.setSoTimeout(10_000);
                assertEquals(-1, second.getInputStream().read(), "closed by the broker");
                Await.until("the refusal is counted",
                        () -> metered.value("corvid_connections_refused_limit_total") >= 1);
                Scrape scrape = metered.scrape();
                assertEquals(1, scrape.value("corvid_connections_refused_limit_total"));
                assertTrue(scrape.value("corvid_accept_pauses_total") >= 1,
                        "a second connection within the same second waits for the rate limit");
                assertTrue(first.isConnected());
            }
        }
    }

    @Test
    void refusedConnectsShowUnderTheirReasonCodeAndAsAuthenticationFailures() throws Exception {
        try (MeteredBroker metered = new MeteredBroker(builder -> builder.authentication(request ->
                "v5-client".equals(request.clientId()) ? AuthenticationResult.notAuthorized()
                        : "secret".equals(new String(request.password(), StandardCharsets.UTF_8))
                        ? AuthenticationResult.allow() : AuthenticationResult.badCredentials()))) {
            MqttClient v3 = new MqttClient(metered.uri(), "v3-client", new MemoryPersistence());
            MqttConnectOptions wrongPassword = new MqttConnectOptions();
            // Without a version Paho retries a refused 3.1.1 CONNECT as 3.1, which is refused and counted too.
            wrongPassword.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            wrongPassword.setUserName("alice");
            wrongPassword.setPassword("guess".toCharArray());
            MqttSecurityException refused = assertThrows(MqttSecurityException.class, () -> v3.connect(wrongPassword));
            assertEquals(MqttException.REASON_CODE_FAILED_AUTHENTICATION, refused.getReasonCode());
            v3.close();

            org.eclipse.paho.mqttv5.client.MqttClient v5 = new org.eclipse.paho.mqttv5.client.MqttClient(
                    metered.uri(), "v5-client", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setUserName("bob");
            options.setPassword("secret".getBytes(StandardCharsets.UTF_8));
            assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class, () -> v5.connect(options));
            v5.close();

            Await.until("both refusals are counted",
                    () -> metered.value("corvid_authentication_failures_total") >= 2);
            Scrape scrape = metered.scrape();
            assertEquals(2, scrape.value("corvid_authentication_failures_total"));
            assertEquals(1, scrape.value("corvid_connects_refused_total{reason=\"bad_user_name_or_password\"}"));
            assertEquals(1, scrape.value("corvid_connects_refused_total{reason=\"not_authorized\"}"));
            assertEquals(0, scrape.value("corvid_connects_refused_total{reason=\"server_unavailable\"}"));
            assertEquals(0, scrape.value("corvid_clients_connected"));
        }
    }

    @Test
    void droppedMessagesShowUnderTheirReasonAndTheQueueGaugesShowWhatWaits() throws Exception {
        try (MeteredBroker metered = new MeteredBroker(builder -> builder.maxQueuedMessages(1))) {
            MqttClient subscriber = Clients.subscriber(metered, "away", false, "d/#", 1, new AtomicInteger());
            subscriber.disconnect();
            subscriber.close();
            MqttClient publisher = Clients.connect(metered, "publisher", true);
            // QoS 0 is not queued for a client that is away; of three QoS 1 messages its queue of one takes the first.
            Clients.publish(publisher, "d/qos0", 0, 1);
            Clients.publish(publisher, "d/qos1", 1, 3);
            Await.until("the drops are counted",
                    () -> metered.value("corvid_messages_dropped_total{reason=\"queue_full\"}") >= 2);

            Await.until("the session gauges see the offline session", () -> {
                Scrape scrape = metered.scrape();
                return scrape.value("corvid_sessions{state=\"offline\"}") == 1 && scrape.value("corvid_queued_messages") == 1;
            });
            Scrape scrape = metered.scrape();
            assertEquals(1, scrape.value("corvid_messages_dropped_total{reason=\"client_offline\"}"));
            assertEquals(2, scrape.value("corvid_messages_dropped_total{reason=\"queue_full\"}"));
            assertEquals(0, scrape.value("corvid_messages_dropped_total{reason=\"memory_budget\"}"));
            assertEquals(1, scrape.value("corvid_sessions{state=\"connected\"}"));
            assertEquals(1, scrape.value("corvid_subscriptions"));
            assertEquals(0, scrape.value("corvid_inflight_messages"));
            assertTrue(scrape.value("corvid_memory_budget_bytes") > 0);
            Clients.close(publisher);
        }
    }

    @Test
    void oneMessageInSixteenPerPublisherIsTimedWithPrometheusBuckets() throws Exception {
        int messages = 2 * MetricsRecorder.LATENCY_SAMPLE_INTERVAL;
        try (MeteredBroker metered = new MeteredBroker()) {
            AtomicInteger received = new AtomicInteger();
            MqttClient subscriber = Clients.subscriber(metered, "subscriber", true, "l/#", 0, received);
            MqttClient publisher = Clients.connect(metered, "publisher", true);
            Clients.publish(publisher, "l/1", 0, messages);
            Await.until("the subscriber has every message", () -> received.get() == messages);

            Scrape scrape = metered.scrape();
            assertEquals(2, scrape.value("corvid_delivery_latency_seconds_count"));
            assertEquals(2, scrape.value("corvid_delivery_latency_seconds_bucket{le=\"+Inf\"}"));
            assertTrue(scrape.value("corvid_delivery_latency_seconds_sum") > 0);
            assertTrue(scrape.value("corvid_delivery_latency_seconds_max") > 0);
            // The bounds an alert rule would name are exact buckets.
            for (String bound : new String[] {"0.001", "0.01", "0.1", "1.0", "10.0"}) {
                assertTrue(scrape.has("corvid_delivery_latency_seconds_bucket{le=\"" + bound + "\"}"), bound);
            }
            assertEquals(2, scrape.value("corvid_delivery_latency_seconds_bucket{le=\"10.0\"}"));
            Clients.close(publisher);
            Clients.close(subscriber);
        }
    }

    @Test
    void theDurableStoreReportsItsCommitsAndTheirBatches(@TempDir Path dir) throws Exception {
        try (MeteredBroker metered = new MeteredBroker(builder ->
                builder.sessionStore(MvStoreSessionStore.open(dir, Durability.OS)))) {
            // A persistent subscriber and a QoS 1 message for it: its session and the message are stored.
            MqttClient subscriber = Clients.subscriber(metered, "persistent", false, "s/#", 1, new AtomicInteger());
            MqttClient publisher = Clients.connect(metered, "publisher", true);
            Clients.publish(publisher, "s/1", 1, 1);

            Await.until("commits are counted by the timer and the batch summary alike", () -> {
                Scrape scrape = metered.scrape();
                double commits = scrape.value("corvid_store_commit_seconds_count");
                return commits >= 2 && commits == scrape.value("corvid_store_commit_batch_count")
                        && commits == scrape.value("corvid_store_commit_seconds_bucket{le=\"+Inf\"}");
            });
            Scrape scrape = metered.scrape();
            // At least the session, its subscription and the message; a commit of the store's own jobs has none.
            assertTrue(scrape.value("corvid_store_commit_batch_sum") >= 2, "writes made durable");
            assertTrue(scrape.value("corvid_store_commit_seconds_sum") > 0);
            assertTrue(scrape.has("corvid_store_commit_batch_bucket{le=\"1.0\"}"));
            Clients.close(publisher);
            Clients.close(subscriber);
        }
    }

    @Test
    void withoutAStoreNothingIsCommitted() throws Exception {
        try (MeteredBroker metered = new MeteredBroker()) {
            MqttClient subscriber = Clients.subscriber(metered, "persistent", false, "s/#", 1, new AtomicInteger());
            Clients.publish(subscriber, "s/1", 1, 1);
            assertEquals(0, metered.value("corvid_store_commit_seconds_count"));
            Clients.close(subscriber);
        }
    }

    private static double sum(Scrape scrape, String name, String tag, String... values) {
        double total = 0;
        for (String value : values) {
            total += scrape.value(name + "{" + tag + "=\"" + value + "\"}");
        }
        return total;
    }
}
