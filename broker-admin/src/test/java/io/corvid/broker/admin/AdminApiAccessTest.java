package io.corvid.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every endpoint with and without the token, and from loopback without one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiAccessTest {
    private static final String TOKEN = "test-token-0123456789";

    /**
     * One request and the status it gets once allowed.
     */
    record Call(String method, String path, String body, int allowedStatus) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Every endpoint, each with a request it answers without a client or message to act on. */
    private static final List<Call> API = List.of(
            new Call("GET", "/api/v1/broker", null, 200),
            new Call("GET", "/api/v1/metrics", null, 200),
            new Call("GET", "/api/v1/config", null, 200),
            new Call("GET", "/api/v1/clients", null, 200),
            new Call("GET", "/api/v1/clients/nobody", null, 404),
            new Call("DELETE", "/api/v1/clients/nobody", null, 404),
            new Call("GET", "/api/v1/clients/nobody/subscriptions", null, 404),
            new Call("GET", "/api/v1/sessions", null, 200),
            new Call("GET", "/api/v1/sessions/nobody", null, 404),
            new Call("GET", "/api/v1/retained?filter=%23", null, 200),
            new Call("GET", "/api/v1/retained/no/such/topic", null, 404),
            new Call("DELETE", "/api/v1/retained/no/such/topic", null, 404),
            new Call("POST", "/api/v1/publish", "{\"topic\": \"access/test\", \"payload\": \"x\"}", 200),
            new Call("GET", "/metrics", null, 200),
            new Call("GET", "/api/v2/unknown", null, 404));

    private static final List<Call> OPEN = List.of(
            new Call("GET", "/health", null, 200),
            new Call("GET", "/ready", null, 200),
            new Call("GET", "/", null, 200),
            new Call("GET", "/dashboard/dashboard.js", null, 200),
            new Call("GET", "/dashboard/dashboard.css", null, 200));

    private Broker broker;
    private AdminServer open;
    private AdminServer protectedServer;

    @BeforeAll
    void start() {
        broker = new Broker.Builder().host("127.0.0.1").port(0).build().start();
        open = AdminServer.builder(broker).port(0).prometheusMetrics(() -> "corvid_up 1\n").build().start();
        protectedServer = AdminServer.builder(broker).port(0).token(TOKEN)
                .prometheusMetrics(() -> "corvid_up 1\n").build().start();
    }

    @AfterAll
    void stop() {
        protectedServer.stop();
        open.stop();
        broker.stop();
    }

    private static Http.Reply call(Http http, Call call) {
        return http.send(call.method(), call.path(), call.body() == null ? null : "application/json", call.body());
    }

    @Test
    void withoutATokenConfiguredLoopbackClientsGetEveryEndpoint() {
        Http http = new Http(open, null);
        for (Call call : API) {
            assertEquals(call.allowedStatus(), call(http, call).status(), call.toString());
        }
    }

    @Test
    void withATokenConfiguredEveryApiRequestWithoutItGets401() {
        Http http = new Http(protectedServer, null);
        for (Call call : API) {
            Http.Reply reply = call(http, call);
            assertEquals(401, reply.status(), call + ": " + reply);
            assertEquals("Bearer realm=\"corvid-admin\"", reply.header("WWW-Authenticate"), call.toString());
            assertEquals(401, reply.json().get("status").asInt());
        }
    }

    @Test
    void withATokenConfiguredAWrongTokenGets401InvalidToken() {
        Http http = new Http(protectedServer, TOKEN + "x");
        for (Call call : API) {
            Http.Reply reply = call(http, call);
            assertEquals(401, reply.status(), call + ": " + reply);
            assertEquals("Bearer realm=\"corvid-admin\", error=\"invalid_token\"", reply.header("WWW-Authenticate"),
                    call.toString());
        }
    }

    @Test
    void withTheTokenEveryEndpointAnswers() {
        Http http = new Http(protectedServer, TOKEN);
        for (Call call : API) {
            assertEquals(call.allowedStatus(), call(http, call).status(), call.toString());
        }
    }

    @Test
    void healthReadinessAndTheDashboardNeedNoToken() {
        for (AdminServer server : List.of(open, protectedServer)) {
            Http http = new Http(server, null);
            for (Call call : OPEN) {
                assertEquals(call.allowedStatus(), call(http, call).status(), call.toString());
            }
        }
        assertEquals("UP", new Http(protectedServer, null).get("/health").json().get("status").asText());
        assertEquals("READY", new Http(protectedServer, null).get("/ready").json().get("status").asText());
    }

    @Test
    void aRequestNamingAnotherHostIsRefusedWithoutAToken() throws IOException {
        // What a DNS-rebinding page would send: a loopback connection, a foreign Host.
        String response = rawGet(open.port(), "/api/v1/clients", "Host: rebound.example:" + open.port());
        assertTrue(response.startsWith("HTTP/1.1 403 "), response);
        assertTrue(rawGet(open.port(), "/api/v1/clients", "Host: localhost:" + open.port()).startsWith("HTTP/1.1 200 "));
        assertTrue(rawGet(open.port(), "/health", "Host: rebound.example").startsWith("HTTP/1.1 200 "),
                "health stays open");
    }

    @Test
    void aCrossSiteRequestIsRefusedWithoutAToken() {
        Http.Reply reply = new Http(open, null).send(new Http(open, null).request("/api/v1/publish")
                .header("Origin", "https://evil.example")
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"topic\": \"x\"}")));
        assertEquals(403, reply.status(), reply.toString());
        assertTrue(reply.json().get("message").asText().contains("loopback"), reply.toString());
    }

    @Test
    void responsesAreNotCachedNorSniffed() {
        Http.Reply reply = new Http(open, null).get("/api/v1/broker");
        assertEquals("no-store", reply.header("Cache-Control"));
        assertEquals("nosniff", reply.header("X-Content-Type-Options"));
        assertEquals("application/json; charset=utf-8", reply.header("Content-Type"));
        Http.Reply page = new Http(open, null).get("/");
        assertEquals("DENY", page.header("X-Frame-Options"));
        assertTrue(page.header("Content-Security-Policy").contains("frame-ancestors 'none'"));
    }

    /** A GET over a plain socket, with exactly the headers given. */
    private static String rawGet(int port, String path, String... headers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) Await.TIMEOUT.toMillis());
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
