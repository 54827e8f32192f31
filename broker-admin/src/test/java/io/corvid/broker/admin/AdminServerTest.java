package io.corvid.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Starting, binding and stopping the admin server. */
class AdminServerTest {
    private Broker broker;

    @BeforeEach
    void startBroker() {
        broker = new Broker.Builder().host("127.0.0.1").port(0).build().start();
    }

    @AfterEach
    void stopBroker() {
        broker.stop();
    }

    @Test
    void aNonLoopbackAddressWithoutATokenIsRefusedAtStart() {
        AdminServer server = AdminServer.builder(broker).host("0.0.0.0").port(0).build();
        IllegalStateException refused = assertThrows(IllegalStateException.class, server::start);
        assertTrue(refused.getMessage().contains("without a token"), refused.getMessage());
        assertThrows(IllegalStateException.class, server::port, "nothing was bound");
    }

    @Test
    void aNonLoopbackAddressWithATokenServes() {
        try (AdminServer server = AdminServer.builder(broker).host("0.0.0.0").port(0).token("t0ken").build().start()) {
            assertEquals(200, new Http(server, "t0ken").get("/api/v1/clients").status());
            assertEquals(401, new Http(server, null).get("/api/v1/clients").status(), "loopback needs it too");
            assertTrue(server.url().startsWith("http://0.0.0.0:"), server.url());
        }
    }

    @Test
    void theUrlNamesTheBoundAddressAndNeverTheToken() {
        try (AdminServer server = AdminServer.builder(broker).port(0).token("t0ken").build().start()) {
            assertEquals("http://127.0.0.1:" + server.port() + "/", server.url());
        }
    }

    @Test
    void aPortInUseFailsTheStartWithTheAddress() {
        try (AdminServer first = AdminServer.builder(broker).port(0).build().start()) {
            AdminServer second = AdminServer.builder(broker).port(first.port()).build();
            UncheckedIOException failed = assertThrows(UncheckedIOException.class, second::start);
            assertTrue(failed.getMessage().contains(String.valueOf(first.port())), failed.getMessage());
        }
    }

    @Test
    void stopIsIdempotentAndFinal() {
        AdminServer server = AdminServer.builder(broker).port(0).build().start();
        int port = server.port();
        server.stop();
        server.stop();
        assertThrows(IllegalStateException.class, server::start);
        assertThrows(IllegalStateException.class, server::port);
        assertThrows(UncheckedIOException.class, () -> Http.onPort(port, null).get("/health"), "nothing listens");
    }

    @Test
    void aStoppedBrokerIsNotReadyAndItsDataUnavailable() {
        try (AdminServer server = AdminServer.builder(broker).port(0).build().start()) {
            Http http = new Http(server, null);
            assertEquals(200, http.get("/ready").status());
            broker.stop();
            Http.Reply ready = http.get("/ready");
            assertEquals(503, ready.status());
            assertEquals("NOT_READY", ready.json().get("status").asText());
            assertEquals(200, http.get("/health").status(), "the admin server itself is alive");
            assertEquals(503, http.get("/api/v1/clients").status());
        }
    }

    @Test
    void blankOrUnprintableTokensAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> AdminServer.builder(broker).token("  \n"));
        assertThrows(IllegalArgumentException.class, () -> AdminServer.builder(broker).token("two words"));
        assertThrows(IllegalArgumentException.class, () -> AdminServer.builder(broker).token("tök"));
        try (AdminServer server = AdminServer.builder(broker).port(0).token("from-a-file\n").build().start()) {
            assertEquals(200, new Http(server, "from-a-file").get("/api/v1/broker").status(),
                    "the line break of a token file is not part of the token");
        }
    }
}
