package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.admin.AdminServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --admin-port, --admin-host, --admin-token and --admin-token-file, as flags and config keys. */
class AdminOptionsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    private static CorvidCommand parse(String... args) {
        CorvidCommand command = new CorvidCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private static AdminServer server(CorvidCommand command, Broker broker) throws IOException {
        command.admin.load();
        return command.admin.server(broker, () -> EffectiveOptions.of(command.spec), null);
    }

    private static HttpResponse<String> get(AdminServer server, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path.substring(1)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAdminApiIsOffByDefault() throws IOException {
        try (Broker broker = new Broker.Builder().host("127.0.0.1").port(0).build()) {
            assertNull(server(parse(), broker));
        }
    }

    @Test
    void theTokenFileGivesTheTokenAndConfigShowsTheOptionsWithSecretsMasked() throws Exception {
        Path tokenFile = temp.resolve("admin.token");
        Files.writeString(tokenFile, "from-the-file\n");
        CorvidCommand command = parse("-h", "127.0.0.1", "-p", "0", "--max-inflight", "7", "--key-store-psw", "pw",
                "--admin-port", "0", "--admin-token-file", tokenFile.toString());
        try (Broker broker = command.builder().build().start();
             AdminServer admin = server(command, broker).start()) {
            assertTrue(admin.requiresToken());
            assertEquals(401, get(admin, "/api/v1/config", null).statusCode());
            HttpResponse<String> config = get(admin, "/api/v1/config", "from-the-file");
            assertEquals(200, config.statusCode(), config.body());
            assertTrue(config.body().contains("\"max-inflight\" : 7"), config.body());
            assertTrue(config.body().contains("\"key-store-psw\" : \"********\""), config.body());
            assertTrue(config.body().contains("\"admin-token-file\" : \"" + tokenFile + "\""), config.body());
            assertTrue(!config.body().contains("from-the-file\""), "the token is never shown");
        }
    }

    @Test
    void theEffectiveOptionsAreEveryKeyWithItsValue() {
        CorvidCommand command = parse("--admin-token", "t0ken", "--max-qos", "1", "--durability", "FSYNC",
                "--tls-versions", "TLSv1.3");
        Map<String, Object> options = EffectiveOptions.of(new CommandLine(command).getCommandSpec());
        assertEquals(EffectiveOptions.MASK, options.get("admin-token"));
        assertEquals(1, options.get("max-qos"));
        assertEquals("FSYNC", options.get("durability"));
        assertEquals(java.util.List.of("TLSv1.3"), options.get("tls-versions"));
        assertEquals("0.0.0.0", options.get("host"));
        assertTrue(options.containsKey("tcp-port") && options.get("tcp-port") == null, "unset options are shown unset");
        assertTrue(!options.containsKey("config") && !options.containsKey("help"), "command-line-only options are not");
    }

    @Test
    void theKeysComeFromTheConfigFileToo() throws Exception {
        Path tokenFile = temp.resolve("token");
        Files.writeString(tokenFile, "yaml-token");
        Path config = temp.resolve("corvid.yaml");
        Files.writeString(config, "host: 127.0.0.1\nport: 0\nadmin-port: 0\nadmin-host: 127.0.0.1\n"
                + "admin-token-file: " + tokenFile + "\n");
        String[] args = {"--config", config.toString()};
        CommandLine commandLine = CorvidCommand.commandLine(args);
        commandLine.parseArgs(args);
        CorvidCommand command = commandLine.getCommand();
        try (Broker broker = command.builder().build().start();
             AdminServer admin = server(command, broker).start()) {
            assertEquals(200, get(admin, "/api/v1/broker", "yaml-token").statusCode());
        }
    }

    @Test
    void contradictionsAreRefused() throws IOException {
        Path tokenFile = temp.resolve("token");
        Files.writeString(tokenFile, "t");
        assertThrows(CommandLine.ParameterException.class, () -> parse("--admin-port", "0", "--admin-token", "a",
                "--admin-token-file", tokenFile.toString()).admin.load());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--admin-host", "0.0.0.0").admin.load(),
                "an admin host without an admin port is a mistake");
        assertThrows(CommandLine.ParameterException.class, () -> parse("--admin-port", "70000").admin.load());
        Path empty = temp.resolve("empty");
        Files.writeString(empty, "\n");
        assertThrows(CommandLine.ParameterException.class,
                () -> parse("--admin-port", "0", "--admin-token-file", empty.toString()).admin.load());
        assertThrows(IOException.class, () -> parse("--admin-port", "0", "--admin-token-file",
                temp.resolve("missing").toString()).admin.load());
    }

    @Test
    void aNonLoopbackAdminHostWithoutATokenStopsTheLauncher() {
        StringWriter err = new StringWriter();
        int exit = CorvidCommand.execute(new String[] {"-h", "127.0.0.1", "-p", "0", "--in-memory",
            "--admin-port", "0", "--admin-host", "0.0.0.0"}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(CorvidCommand.EXIT_BAD_CONFIGURATION, exit, err.toString());
        assertTrue(err.toString().contains("without a token"), err.toString());
    }

    @Test
    void theBannerSaysWhereTheAdminApiIs() {
        assertTrue(StartupBanner.lines("Corvid test", null, "a", "b", "c", java.util.List.of(),
                "http://127.0.0.1:8081/ (bearer token required)", "off")
                .contains("Admin API and dashboard: http://127.0.0.1:8081/ (bearer token required)"));
    }
}
