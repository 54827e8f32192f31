package io.corvid.broker.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.corvid.broker.Broker;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What each endpoint answers, against a real broker and real MQTT clients. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {
    private Broker broker;
    private AdminServer admin;
    private Http http;

    @BeforeAll
    void start() {
        broker = new Broker.Builder().host("127.0.0.1").port(0).build().start();
        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("port", 0);
        configuration.put("admin-token", "plain-in-the-map");
        configuration.put("key-store-psw", "changeit");
        configuration.put("password-file", "/etc/corvid/passwd");
        admin = AdminServer.builder(broker).port(0).configuration(() -> configuration).build().start();
        http = new Http(admin, null);
    }

    @AfterAll
    void stop() {
        admin.stop();
        broker.stop();
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void aConnectedClientIsListedDescribedAndDisconnectedByDelete() {
        try (PahoClient paho = PahoClient.connect(broker.port(), "paho-listed", 42, 0)) {
            paho.subscribe("sensors/+/temperature", 1);
            Await.until("paho-listed listed", () -> ids(http.get("/api/v1/clients").json()).contains("paho-listed"));

            JsonNode client = http.get("/api/v1/clients/paho-listed").json();
            assertEquals("paho-listed", client.get("clientId").asText());
            assertEquals("MQTT 5.0", client.get("protocol").asText());
            assertEquals("tcp", client.get("listener").asText());
            assertEquals(42, client.get("keepAliveSeconds").asInt());
            assertTrue(client.get("address").asText().startsWith("127.0.0.1:"), client.toString());
            assertTrue(client.get("username").isNull());
            assertEquals(0, client.get("queuedMessages").asInt());
            assertEquals(0, client.get("inflightMessages").asInt());
            assertEquals(1, client.get("subscriptionCount").asInt());
            assertEquals("sensors/+/temperature", client.get("subscriptions").get(0).get("topicFilter").asText());
            assertEquals(1, client.get("subscriptions").get(0).get("qos").asInt());
            assertTrue(client.get("connectedAt").asText().endsWith("Z"), client.toString());

            JsonNode subscriptions = http.get("/api/v1/clients/paho-listed/subscriptions").json();
            assertEquals("paho-listed", subscriptions.get("clientId").asText());
            assertEquals("sensors/+/temperature", subscriptions.get("subscriptions").get(0).get("topicFilter").asText());

            Http.Reply disconnected = http.delete("/api/v1/clients/paho-listed");
            assertEquals(200, disconnected.status(), disconnected.toString());
            assertTrue(disconnected.json().get("disconnected").asBoolean());
            MqttDisconnectResponse goodbye = Await.result("paho-listed disconnected", paho.disconnected);
            assertEquals(0x98, goodbye.getReturnCode(), "DISCONNECT 0x98 Administrative action");

            Await.until("paho-listed gone", () -> http.get("/api/v1/clients/paho-listed").status() == 404);
            assertEquals(404, http.delete("/api/v1/clients/paho-listed").status(), "no longer connected");
            assertFalse(ids(http.get("/api/v1/clients").json()).contains("paho-listed"));
        }
    }

    @Test
    void clientIdentifiersWithSlashesAndSpacesAreAddressedEscaped() {
        String clientId = "line 1/press+7";
        try (PahoClient paho = PahoClient.connect(broker.port(), clientId, 30, 0)) {
            Await.until(clientId + " listed", () -> http.get("/api/v1/clients/" + encode(clientId)).status() == 200);
            assertEquals(clientId, http.get("/api/v1/clients/" + encode(clientId)).json().get("clientId").asText());
            assertEquals(200, http.delete("/api/v1/clients/" + encode(clientId)).status());
            Await.result(clientId + " disconnected", paho.disconnected);
        }
    }

    @Test
    void clientsArePagedInIdentifierOrder() {
        List<PahoClient> clients = new ArrayList<>();
        try {
            for (String id : List.of("page-c", "page-a", "page-b")) {
                clients.add(PahoClient.connect(broker.port(), id, 30, 0));
            }
            Await.until("three clients listed", () -> ids(http.get("/api/v1/clients").json()).containsAll(
                    List.of("page-a", "page-b", "page-c")));
            List<String> all = ids(http.get("/api/v1/clients").json());
            assertEquals(all.stream().sorted().toList(), all, "ordered by identifier");
            int a = all.indexOf("page-a");
            JsonNode page = http.get("/api/v1/clients?offset=" + (a + 1) + "&limit=1").json();
            assertEquals(List.of("page-b"), ids(page));
            assertEquals(all.size(), page.get("total").asInt());
            assertEquals(1, page.get("limit").asInt());
            assertEquals(List.of(), ids(http.get("/api/v1/clients?offset=100000").json()));
        } finally {
            clients.forEach(PahoClient::close);
        }
    }

    @Test
    void aPublishReachesASubscriberInEitherEncoding() {
        try (PahoClient subscriber = PahoClient.connect(broker.port(), "publish-subscriber", 30, 0)) {
            subscriber.subscribe("admin/publish/#", 2);
            Http.Reply text = http.postJson("/api/v1/publish",
                    "{\"topic\": \"admin/publish/text\", \"payload\": \"21.5 °C\", \"qos\": 1}");
            assertEquals(200, text.status(), text.toString());
            assertEquals(1, text.json().get("deliveredToSessions").asInt());
            PahoClient.Received first = subscriber.next();
            assertEquals("admin/publish/text", first.topic());
            assertArrayEquals("21.5 °C".getBytes(StandardCharsets.UTF_8), first.message().getPayload());
            assertEquals(1, first.message().getQos());

            Http.Reply binary = http.postJson("/api/v1/publish",
                    "{\"topic\": \"admin/publish/binary\", \"payload\": \"/wAB\", \"encoding\": \"base64\", \"qos\": 2}");
            assertEquals(200, binary.status(), binary.toString());
            PahoClient.Received second = subscriber.next();
            assertEquals("admin/publish/binary", second.topic());
            assertArrayEquals(new byte[] {(byte) 0xFF, 0, 1}, second.message().getPayload());
            assertEquals(2, second.message().getQos());
        }
    }

    @Test
    void retainedMessagesAreListedReadAndDeleted() {
        broker.publish("retained-test/plain", "on".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, true);
        broker.publish("retained-test/with space/x", new byte[] {(byte) 0xFF, (byte) 0xFE}, QoS.AT_MOST_ONCE, true);
        broker.publish(new Publish("retained-test/props", QoS.AT_MOST_ONCE, true, false, 0,
                "{}".getBytes(StandardCharsets.UTF_8),
                Properties.builder().put(Property.CONTENT_TYPE, "application/json").userProperty("unit", "°C").build()));
        Http.Reply published = http.postJson("/api/v1/publish",
                "{\"topic\": \"retained-test/long\", \"payload\": \"" + "x".repeat(1000) + "\", \"retain\": true}");
        assertEquals(200, published.status());

        JsonNode list = http.get("/api/v1/retained?filter=retained-test/%23").json();
        assertEquals("retained-test/#", list.get("filter").asText());
        assertEquals(4, list.get("total").asInt(), list.toString());
        List<String> topics = new ArrayList<>();
        list.get("messages").forEach(message -> topics.add(message.get("topic").asText()));
        assertEquals(List.of("retained-test/long", "retained-test/plain", "retained-test/props",
                "retained-test/with space/x"), topics);
        JsonNode longOne = list.get("messages").get(0);
        assertTrue(longOne.get("truncated").asBoolean());
        assertEquals(RetainedMessageView.PREVIEW_CHARACTERS, longOne.get("payload").asText().length());
        assertEquals(1000, longOne.get("payloadBytes").asInt());

        JsonNode plain = http.get("/api/v1/retained/retained-test/plain").json();
        assertEquals("on", plain.get("payload").asText());
        assertEquals("utf-8", plain.get("encoding").asText());
        assertEquals(1, plain.get("qos").asInt());
        JsonNode binary = http.get("/api/v1/retained/retained-test/with%20space/x").json();
        assertEquals("base64", binary.get("encoding").asText());
        assertEquals("//4=", binary.get("payload").asText());
        JsonNode withProperties = http.get("/api/v1/retained/retained-test/props").json();
        assertEquals("application/json", withProperties.get("properties").get("contentType").asText());
        assertEquals("°C", withProperties.get("properties").get("userProperties").get(0).get("value").asText());
        assertEquals(1000, http.get("/api/v1/retained/retained-test/long").json().get("payload").asText().length(),
                "one message comes whole");

        Http.Reply deleted = http.delete("/api/v1/retained/retained-test/with%20space/x");
        assertEquals(200, deleted.status(), deleted.toString());
        assertEquals(404, http.get("/api/v1/retained/retained-test/with%20space/x").status());
        assertEquals(404, http.delete("/api/v1/retained/retained-test/with%20space/x").status());
        assertEquals(3, http.get("/api/v1/retained?filter=retained-test/%23").json().get("total").asInt());
        try (PahoClient late = PahoClient.connect(broker.port(), "retained-late", 30, 0)) {
            late.subscribe("retained-test/plain", 0);
            assertEquals("retained-test/plain", late.next().topic(), "the others are still retained");
        }
    }

    @Test
    void sessionsIncludeOfflineOnes() {
        try (PahoClient paho = PahoClient.connect(broker.port(), "session-keeper", 30, 3600)) {
            paho.subscribe("keep/#", 1);
        }
        Await.until("session-keeper offline", () -> http.get("/api/v1/sessions/session-keeper").json()
                .path("connected").asText().equals("false"));
        JsonNode session = http.get("/api/v1/sessions/session-keeper").json();
        assertEquals(3600, session.get("expiryIntervalSeconds").asLong());
        assertEquals("keep/#", session.get("subscriptions").get(0).get("topicFilter").asText());
        JsonNode list = http.get("/api/v1/sessions?limit=10000").json();
        boolean listed = false;
        for (JsonNode entry : list.get("sessions")) {
            if (entry.get("clientId").asText().equals("session-keeper")) {
                listed = true;
                assertFalse(entry.get("connected").asBoolean());
                assertEquals(1, entry.get("subscriptions").asInt());
            }
        }
        assertTrue(listed, list.toString());
        assertEquals(404, http.get("/api/v1/clients/session-keeper").status(), "a session is not a connected client");
    }

    @Test
    void everyMutatingActionIsLoggedWithWhoAskedForIt() {
        broker.publish("logged/retained", "x".getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, true);
        try (LogCapture publishes = new LogCapture(PublishEndpoint.class);
             LogCapture retained = new LogCapture(RetainedEndpoints.class);
             LogCapture clients = new LogCapture(ClientEndpoints.class);
             PahoClient paho = PahoClient.connect(broker.port(), "logged-client", 30, 0)) {
            assertEquals(200, http.postJson("/api/v1/publish", "{\"topic\": \"logged/topic\"}").status());
            assertEquals(200, http.delete("/api/v1/retained/logged/retained").status());
            assertEquals(200, http.delete("/api/v1/clients/logged-client").status());
            Await.result("logged-client disconnected", paho.disconnected);
            assertLoggedOnce(publishes, "published 0 bytes to 'logged/topic'");
            assertLoggedOnce(retained, "removed the retained message of 'logged/retained'");
            assertLoggedOnce(clients, "disconnected client 'logged-client'");
        }
    }

    private static void assertLoggedOnce(LogCapture log, String text) {
        List<String> lines = log.lines().stream().filter(line -> line.contains(text)).toList();
        assertEquals(1, lines.size(), "one line with '" + text + "' in " + log.lines());
        assertTrue(lines.get(0).startsWith("INFO Admin API: /127.0.0.1:"), "with the peer's address: " + lines.get(0));
    }

    @Test
    void theBrokerIsDescribedWithItsListenersAndCounters() {
        JsonNode description = http.get("/api/v1/broker").json();
        assertFalse(description.get("version").asText().isEmpty());
        assertTrue(description.get("uptimeSeconds").asLong() >= 0);
        assertTrue(description.get("startedAt").asText().endsWith("Z"));
        JsonNode listener = description.get("listeners").get(0);
        assertEquals("tcp", listener.get("name").asText());
        assertEquals("TCP", listener.get("protocol").asText());
        assertEquals("127.0.0.1:" + broker.port(), listener.get("address").asText());
        for (String counter : List.of("clientsConnected", "messagesReceived", "messagesSent", "retainedMessages",
                "subscriptions")) {
            assertTrue(description.get("counters").has(counter), counter);
        }
        assertTrue(description.get("cluster").isArray(), "a single node lists no cluster members");
        assertEquals(0, description.get("cluster").size());
    }

    @Test
    void theMetricsCountWhatHappened() {
        long before = http.get("/api/v1/metrics").json().get("messagesReceived").asLong();
        assertEquals(200, http.postJson("/api/v1/publish", "{\"topic\": \"metrics/test\"}").status());
        JsonNode after = http.get("/api/v1/metrics").json();
        assertEquals(before + 1, after.get("messagesReceived").asLong());
        for (String counter : List.of("startedAt", "connectionsAccepted", "connectionsOpen", "clientsConnected",
                "connectsRefused", "connectsRefusedByReason", "authenticationFailures", "sessionsConnected",
                "sessionsOffline", "subscriptions", "retainedMessages", "messagesReceived", "messagesReceivedByQos",
                "messagesSent", "messagesSentByQos", "bytesReceived", "bytesSent", "messagesDropped",
                "messagesDroppedByReason", "queuedMessages", "queuedBytes", "memoryBudgetBytes",
                "memoryBudgetEpisodes", "inflightMessages", "publisherPauses", "writeStalls", "malformedPackets",
                "protocolErrors", "subscriptionQuotaRefusals", "topicLimitRefusals", "publishRateLimited")) {
            assertTrue(after.has(counter), counter);
        }
        assertEquals(3, after.get("messagesReceivedByQos").size());
        assertTrue(after.get("messagesDroppedByReason").has("QUEUE_FULL"));
    }

    @Test
    void theConfigurationIsShownWithSecretsMasked() {
        JsonNode config = http.get("/api/v1/config").json();
        assertEquals(0, config.get("port").asInt());
        assertEquals(SecretMasking.MASK, config.get("admin-token").asText());
        assertEquals(SecretMasking.MASK, config.get("key-store-psw").asText());
        assertEquals("/etc/corvid/passwd", config.get("password-file").asText());
    }

    @Test
    void withoutAnExporterMetricsAnswer404SayingWhy() {
        Http.Reply reply = http.get("/metrics");
        assertEquals(404, reply.status());
        assertTrue(reply.json().get("message").asText().contains("/api/v1/metrics"), reply.toString());
    }

    @Test
    void badInputIsA400WithAMessage() {
        Map<String, Http.Reply> replies = new LinkedHashMap<>();
        replies.put("limit -1", http.get("/api/v1/clients?limit=-1"));
        replies.put("limit abc", http.get("/api/v1/clients?limit=abc"));
        replies.put("limit too large", http.get("/api/v1/sessions?limit=10001"));
        replies.put("offset twice", http.get("/api/v1/clients?offset=1&offset=2"));
        replies.put("bad filter", http.get("/api/v1/retained?filter=a/%23/b"));
        replies.put("shared filter", http.get("/api/v1/retained?filter=%24share/g/a"));
        replies.put("wildcard topic", http.get("/api/v1/retained/a/+"));
        replies.put("shared topic", http.get("/api/v1/retained/$share/g/a"));
        replies.put("not UTF-8", http.get("/api/v1/clients/%C3%28"));
        replies.put("not JSON", http.postJson("/api/v1/publish", "{topic"));
        replies.put("no body", http.postJson("/api/v1/publish", ""));
        replies.put("no topic", http.postJson("/api/v1/publish", "{\"payload\": \"x\"}"));
        replies.put("wildcard publish", http.postJson("/api/v1/publish", "{\"topic\": \"a/#\"}"));
        replies.put("qos 3", http.postJson("/api/v1/publish", "{\"topic\": \"a\", \"qos\": 3}"));
        replies.put("hex", http.postJson("/api/v1/publish", "{\"topic\": \"a\", \"payload\": \"ff\", \"encoding\": \"hex\"}"));
        replies.put("bad base64", http.postJson("/api/v1/publish",
                "{\"topic\": \"a\", \"payload\": \"%%%\", \"encoding\": \"base64\"}"));
        replies.put("unknown field", http.postJson("/api/v1/publish", "{\"topic\": \"a\", \"qso\": 1}"));
        replies.forEach((what, reply) -> {
            assertEquals(400, reply.status(), what + ": " + reply);
            assertEquals(400, reply.json().get("status").asInt(), what);
            assertFalse(reply.json().get("message").asText().isBlank(), what);
        });
        assertTrue(replies.get("unknown field").json().get("message").asText().contains("qso"));
    }

    @Test
    void wrongMethodsPathsAndBodiesGetTheirStatus() {
        Http.Reply wrongMethod = http.send("PUT", "/api/v1/clients/x", null, null);
        assertEquals(405, wrongMethod.status());
        assertEquals("GET, DELETE", wrongMethod.header("Allow"));
        assertEquals("POST", http.get("/api/v1/publish").header("Allow"));
        assertEquals(404, http.get("/api/v1/nothing-here").status());
        assertEquals(404, http.get("/dashboard/../pom.xml").status());
        assertEquals(404, http.get("/dashboard/secret.txt").status());
        assertEquals(415, http.send("POST", "/api/v1/publish", "text/plain", "{\"topic\": \"a\"}").status(),
                "a form-like content type is refused: only JSON, which needs a CORS preflight");
        String huge = "{\"topic\": \"a\", \"payload\": \"" + "x".repeat(AdminServer.Builder.DEFAULT_MAX_REQUEST_BYTES)
                + "\"}";
        assertEquals(413, http.postJson("/api/v1/publish", huge).status());
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("clients").forEach(client -> ids.add(client.get("clientId").asText()));
        return ids;
    }
}
