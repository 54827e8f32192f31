package io.corvid.broker.cli;

import io.corvid.broker.Broker;
import io.corvid.broker.admin.AdminServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The admin HTTP API and dashboard: off unless {@code --admin-port} is given. */
final class AdminOptions {
    /** Where the admin listener binds unless told otherwise: this machine only. */
    static final String DEFAULT_HOST = "127.0.0.1";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--admin-port", paramLabel = "<port>",
            description = "Serve the admin HTTP API and dashboard on this port (default: off); 0 picks a free one.")
    Integer adminPort;

    @Option(names = "--admin-host", paramLabel = "<address>",
            description = "Address the admin API binds to (default: ${DEFAULT-VALUE}); any other than a loopback "
                    + "address needs --admin-token or --admin-token-file.")
    String adminHost = DEFAULT_HOST;

    @Option(names = "--admin-token", paramLabel = "<token>", defaultValue = "${env:CORVID_ADMIN_TOKEN}",
            description = "Bearer token the admin API requires (default: none, loopback clients only). On the "
                    + "command line it is visible to other local users: prefer --admin-token-file or CORVID_ADMIN_TOKEN.")
    String adminToken;

    @Option(names = "--admin-token-file", paramLabel = "<file>",
            description = "File holding the admin API's bearer token (its first line).")
    Path adminTokenFile;

    /** The token as read by {@link #load()}. */
    private String token;

    /** Whether the admin API is to be served. */
    boolean enabled() {
        return adminPort != null;
    }

    /**
     * Checks the options and reads the token file, before anything starts.
     *
     * @throws CommandLine.ParameterException when options contradict each other
     * @throws IOException                    when the token file cannot be read
     */
    void load() throws IOException {
        if (!enabled()) {
            require(adminTokenFile == null && DEFAULT_HOST.equals(adminHost),
                    "--admin-host and --admin-token-file need --admin-port");
            return;
        }
        require(adminPort >= 0 && adminPort <= 65535, "--admin-port must be 0..65535: " + adminPort);
        if (adminTokenFile == null) {
            token = adminToken;
            return;
        }
        require(adminToken == null, "give either --admin-token (or CORVID_ADMIN_TOKEN) or --admin-token-file, not both");
        String firstLine;
        try {
            firstLine = Files.readString(adminTokenFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
        } catch (IOException e) {
            throw new IOException("cannot read the admin token file " + adminTokenFile + ": " + e, e);
        }
        require(!firstLine.isBlank(), "the admin token file " + adminTokenFile + " is empty");
        token = firstLine.strip();
    }

    /**
     * The admin server these options describe for {@code broker}, not started; {@code null} when
     * the admin API is off. Call {@link #load()} first.
     *
     * @param configuration what {@code /api/v1/config} shows
     * @param prometheus    the Prometheus text for {@code /metrics}, or {@code null} to serve none
     * @throws CommandLine.ParameterException for a token the server does not take
     */
    AdminServer server(Broker broker, Supplier<Map<String, Object>> configuration, Supplier<String> prometheus) {
        if (!enabled()) {
            return null;
        }
        AdminServer.Builder admin = AdminServer.builder(broker).host(adminHost).port(adminPort)
                .configuration(configuration);
        if (prometheus != null) {
            admin.prometheusMetrics(prometheus);
        }
        try {
            admin.token(token);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "admin token: " + e.getMessage());
        }
        return admin.build();
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
