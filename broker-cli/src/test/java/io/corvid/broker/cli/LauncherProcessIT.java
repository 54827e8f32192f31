package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the fat jar as a real process: it must serve MQTT and stop cleanly on SIGTERM. */
class LauncherProcessIT {
    @TempDir
    Path temp;

    @Test
    void fatJarServesMqttAndStopsOnSigterm() throws Exception {
        try (LauncherProcess launcher = LauncherProcess.start(temp.resolve("launcher.log"),
                List.of("-h", "127.0.0.1", "-p", "0", "--in-memory"))) {
            int port = launcher.awaitReady();
            try (Socket socket = new Socket("127.0.0.1", port)) {
                assertEquals(ReasonCode.SUCCESS, connAck(socket, "it").reasonCode());
                launcher.stop(); // SIGTERM, with the client still connected
            }
            launcher.awaitLog(Pattern.compile("Stopped"));
            assertTrue(launcher.log().contains("client it"), "the connected client was said goodbye to");
        }
    }

    /**
     * The mission's form, {@code -p ... --key-store ks.p12}: TLS on that port and no plain TCP
     * anywhere. The key store is made here with the JDK's keytool; no key material is checked in.
     */
    @Test
    void fatJarServesTlsOnlyOnTheMainPortWithAKeyStore() throws Exception {
        Path keyStore = temp.resolve("ks.p12");
        String javaHome = System.getProperty("java.home");
        Process keytool = new ProcessBuilder(List.of(Path.of(javaHome, "bin", "keytool").toString(), "-genkeypair",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", "launcher-test",
                "-alias", "corvid", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1"))
                .redirectErrorStream(true).redirectOutput(temp.resolve("keytool.log").toFile()).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                () -> "keytool failed: " + readQuietly(temp.resolve("keytool.log")));
        try (LauncherProcess launcher = LauncherProcess.start(temp.resolve("launcher-tls.log"), List.of("-h",
                "127.0.0.1", "-p", "0", "--key-store", keyStore.toString(), "--key-store-psw", "launcher-test",
                "--in-memory"))) {
            int tlsPort = Integer.parseInt(launcher.awaitLog(Pattern.compile("Listening for MQTT on .*:(\\d+) \\(tls\\)"))
                    .group(1));
            launcher.awaitLog(Pattern.compile("TLS engine: "));
            launcher.awaitReady();
            assertFalse(launcher.log().contains("(tcp)"), "no plain TCP listener beside TLS");
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(keyStore)) {
                trust.load(in, "launcher-test".toCharArray());
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            try (Socket socket = context.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
                socket.setSoTimeout(20_000);
                assertEquals(ReasonCode.SUCCESS, connAck(socket, "tls-it").reasonCode());
            }
            launcher.stop();
        }
    }

    /**
     * {@code --admin-port} with a token file: the banner gives the URL and never the token, the API
     * answers with the token and the client's disconnect goes through it, and on SIGTERM the admin
     * listener stops before the broker.
     */
    @Test
    void fatJarServesTheAdminApiWithTheTokenFromAFile() throws Exception {
        Path tokenFile = temp.resolve("admin.token");
        Files.writeString(tokenFile, "launcher-admin-token\n");
        try (LauncherProcess launcher = LauncherProcess.start(temp.resolve("launcher-admin.log"), List.of("-h",
                "127.0.0.1", "-p", "0", "--in-memory", "--admin-port", "0", "--admin-token-file", tokenFile.toString()))) {
            int port = launcher.awaitReady();
            String url = launcher.awaitLog(Pattern.compile(
                    "Admin API and dashboard: (http://127\\.0\\.0\\.1:\\d+/) \\(bearer token required\\)")).group(1);
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest.Builder clients = HttpRequest.newBuilder(URI.create(url + "api/v1/clients"));
            assertEquals(401, http.send(clients.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            try (Socket socket = new Socket("127.0.0.1", port)) {
                assertEquals(ReasonCode.SUCCESS, connAck(socket, "admin-it").reasonCode());
                HttpResponse<String> listed = http.send(clients.header("Authorization", "Bearer launcher-admin-token")
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, listed.statusCode());
                assertTrue(listed.body().contains("\"admin-it\""), listed.body());
                HttpResponse<String> disconnected = http.send(HttpRequest.newBuilder(
                                URI.create(url + "api/v1/clients/admin-it")).DELETE()
                        .header("Authorization", "Bearer launcher-admin-token").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, disconnected.statusCode(), disconnected.body());
                socket.setSoTimeout(20_000);
                assertEquals(-1, socket.getInputStream().read(), "the client's connection was closed");
            }
            // The launcher's Prometheus registry is what /metrics serves.
            HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(URI.create(url + "metrics"))
                    .header("Authorization", "Bearer launcher-admin-token").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scraped.statusCode(), scraped.body());
            assertTrue(scraped.body().contains("corvid_connections_accepted_total 1.0"), scraped.body());
            launcher.stop();
            launcher.awaitLog(Pattern.compile("Stopped"));
            String log = launcher.log();
            assertFalse(log.contains("launcher-admin-token"), "the token is never logged:\n" + log);
            assertTrue(log.indexOf("Admin API stopped") < log.indexOf("Stopping: disconnecting"),
                    "the admin API stops first:\n" + log);
        }
    }

    /** Sends an MQTT 3.1.1 CONNECT on {@code socket} and reads the CONNACK. */
    private static ConnAck connAck(Socket socket, String clientId) throws IOException {
        socket.getOutputStream().write(MqttEncoder.encode(new Connect(ProtocolVersion.MQTT_3_1_1, clientId, true, 30,
                null, null, null, Properties.EMPTY), ProtocolVersion.MQTT_3_1_1));
        socket.getOutputStream().flush();
        byte[] answer = socket.getInputStream().readNBytes(4);
        DecodeResult result = MqttDecoder.forClient(ProtocolVersion.MQTT_3_1_1, 1024).decode(ByteBuffer.wrap(answer));
        return (ConnAck) ((DecodeResult.Decoded) result).packet();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
