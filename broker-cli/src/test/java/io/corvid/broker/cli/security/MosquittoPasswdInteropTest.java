package io.corvid.broker.cli.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads files written by the real {@code mosquitto_passwd} (Debian package {@code mosquitto};
 * skipped where it is not installed).
 */
class MosquittoPasswdInteropTest {
    private static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    @TempDir
    Path directory;

    @BeforeAll
    static void needsMosquittoPasswd() {
        assumeTrue(Files.isExecutable(MOSQUITTO_PASSWD), "mosquitto_passwd is not installed (apt-get install mosquitto)");
    }

    @Test
    void acceptsThePasswordsMosquittoPasswdHashed() throws Exception {
        Path file = directory.resolve("passwords");
        run("-c", "-b", file.toString(), "alice", "s3cret");
        run("-b", file.toString(), "carol smith", "pässwörd");
        boolean sha512Supported = help().contains("-H sha512");
        if (sha512Supported) {
            run("-H", "sha512", "-b", file.toString(), "bob", "hunter2");
        }
        List<String> lines = Files.readAllLines(file);
        assertTrue(PasswordHashTest.MOSQUITTO_7.matcher(lines.get(0).substring("alice:".length())).matches(), lines.get(0));

        PasswordFileAuthentication authentication = new PasswordFileAuthentication(file, false);
        assertTrue(authentication.authenticate(Requests.connect("alice", "s3cret")).isAllowed());
        assertFalse(authentication.authenticate(Requests.connect("alice", "s3cret ")).isAllowed());
        assertFalse(authentication.authenticate(Requests.connect("alice", "hunter2")).isAllowed());
        assertTrue(authentication.authenticate(Requests.connect("carol smith", "pässwörd")).isAllowed());
        assertFalse(authentication.authenticate(Requests.connect("carol smith", "passwörd")).isAllowed());
        if (sha512Supported) {
            assertTrue(lines.get(2).startsWith("bob:$6$"), lines.get(2));
            assertTrue(authentication.authenticate(Requests.connect("bob", "hunter2")).isAllowed());
            assertFalse(authentication.authenticate(Requests.connect("bob", "s3cret")).isAllowed());
        }
    }

    @Test
    void mosquittoPasswdCanEditAFileWrittenHere() throws Exception {
        Path file = directory.resolve("passwords");
        PasswordFile.empty().withUser("alice", PasswordHash.create("one".getBytes(StandardCharsets.UTF_8))).write(file);
        // mosquitto_passwd reads every line back to rewrite the file, so it refuses a file it cannot parse.
        run("-b", file.toString(), "bob", "two");
        PasswordFileAuthentication authentication = new PasswordFileAuthentication(file, false);
        assertTrue(authentication.authenticate(Requests.connect("alice", "one")).isAllowed());
        assertTrue(authentication.authenticate(Requests.connect("bob", "two")).isAllowed());
    }

    private static String help() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(MOSQUITTO_PASSWD.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        return output;
    }

    private static void run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(MOSQUITTO_PASSWD.toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "mosquitto_passwd did not finish");
        assertEquals(0, process.exitValue(), "mosquitto_passwd " + String.join(" ", arguments) + ": " + output);
    }
}
