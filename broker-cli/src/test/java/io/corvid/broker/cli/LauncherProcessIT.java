package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the fat jar as a real process: it must serve MQTT and stop cleanly on SIGTERM. */
class LauncherProcessIT {
    private static final Pattern LISTENING = Pattern.compile("Listening for MQTT on .*:(\\d+) ");

    @TempDir
    Path temp;

    @Test
    void fatJarServesMqttAndStopsOnSigterm() throws Exception {
        Path jar = Path.of("target", "broker-cli.jar");
        assertTrue(Files.exists(jar), "package the module first: " + jar.toAbsolutePath());
        Path output = temp.resolve("launcher.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Output goes to a file: a pipe's reader can lose the last lines when the process exits.
        Process process = new ProcessBuilder(List.of(java, "-jar", jar.toString(), "-h", "127.0.0.1", "-p", "0", "--in-memory"))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            int port = Integer.parseInt(awaitLog(output, LISTENING).group(1));
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write(MqttEncoder.encode(new Connect(ProtocolVersion.MQTT_3_1_1, "it", true, 30,
                        null, null, null, Properties.EMPTY), ProtocolVersion.MQTT_3_1_1));
                socket.getOutputStream().flush();
                byte[] answer = socket.getInputStream().readNBytes(4);
                DecodeResult result = MqttDecoder.forClient(ProtocolVersion.MQTT_3_1_1, 1024).decode(ByteBuffer.wrap(answer));
                ConnAck connAck = (ConnAck) ((DecodeResult.Decoded) result).packet();
                assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
                process.destroy(); // SIGTERM, with the client still connected
                assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the launcher did not exit after SIGTERM");
            }
            awaitLog(output, Pattern.compile("Stopped"));
            assertTrue(Files.readString(output).contains("client it"), "the connected client was said goodbye to");
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * The mission's form, {@code -p ... --key-store ks.p12}: TLS on that port and no plain TCP
     * anywhere. The key store is made here with the JDK's keytool; no key material is checked in.
     */
    @Test
    void fatJarServesTlsOnlyOnTheMainPortWithAKeyStore() throws Exception {
        Path jar = Path.of("target", "broker-cli.jar");
        assertTrue(Files.exists(jar), "package the module first: " + jar.toAbsolutePath());
        Path keyStore = temp.resolve("ks.p12");
        String javaHome = System.getProperty("java.home");
        Process keytool = new ProcessBuilder(List.of(Path.of(javaHome, "bin", "keytool").toString(), "-genkeypair",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", "launcher-test",
                "-alias", "corvid", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1"))
                .redirectErrorStream(true).redirectOutput(temp.resolve("keytool.log").toFile()).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                () -> "keytool failed: " + readQuietly(temp.resolve("keytool.log")));
        Path output = temp.resolve("launcher-tls.log");
        String java = Path.of(javaHome, "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-jar", jar.toString(), "-h", "127.0.0.1", "-p", "0",
                "--key-store", keyStore.toString(), "--key-store-psw", "launcher-test", "--in-memory"))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            int tlsPort = Integer.parseInt(awaitLog(output, Pattern.compile("Listening for MQTT on .*:(\\d+) \\(tls\\)"))
                    .group(1));
            awaitLog(output, Pattern.compile("TLS engine: "));
            awaitLog(output, Pattern.compile("Ready"));
            assertFalse(Files.readString(output).contains("(tcp)"), "no plain TCP listener beside TLS");
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
                socket.getOutputStream().write(MqttEncoder.encode(new Connect(ProtocolVersion.MQTT_3_1_1, "tls-it", true,
                        30, null, null, null, Properties.EMPTY), ProtocolVersion.MQTT_3_1_1));
                socket.getOutputStream().flush();
                byte[] answer = socket.getInputStream().readNBytes(4);
                DecodeResult result = MqttDecoder.forClient(ProtocolVersion.MQTT_3_1_1, 1024).decode(ByteBuffer.wrap(answer));
                ConnAck connAck = (ConnAck) ((DecodeResult.Decoded) result).packet();
                assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
            }
            process.destroy();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the launcher did not exit after SIGTERM");
        } finally {
            process.destroyForcibly();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static Matcher awaitLog(Path output, Pattern pattern) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String log = Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
            Matcher matcher = pattern.matcher(log);
            if (matcher.find()) {
                return matcher;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return fail("the launcher never logged " + pattern + "; it logged:\n" + Files.readString(output));
    }
}
