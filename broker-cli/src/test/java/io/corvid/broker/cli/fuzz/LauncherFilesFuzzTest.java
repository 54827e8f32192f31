package io.corvid.broker.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.corvid.broker.cli.config.ConfigException;
import io.corvid.broker.cli.config.ConfigFile;
import io.corvid.broker.cli.security.AclFile;
import io.corvid.broker.cli.security.PasswordFile;
import io.corvid.broker.cli.security.SecurityFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the files the launcher reads: the YAML configuration file, the
 * Mosquitto password file and the Mosquitto ACL file. Each target writes the fuzzer's bytes to
 * a file and reads it the way the launcher does. Invariant: any content gives a parsed result
 * or the documented error ({@link ConfigException}; {@link SecurityFileException}), never
 * another exception; and what parses is self-consistent (every entry and ACL rule has a line
 * inside the file, every user of a password file is
 * a stripped name without ':' with a hash).
 *
 * <p>A plain test run replays the corpus under {@code src/test/resources/io/corvid/broker/cli/
 * fuzz/LauncherFilesFuzzTestInputs/<method>/}; see docs/testing.md for fuzzing runs. Jazzer
 * fuzzes one target per JVM, so each method has its own surefire execution in the pom.
 */
class LauncherFilesFuzzTest {

    /** One scratch directory for the JVM: fuzz tests take no JUnit-injected parameters. */
    private static final Path SCRATCH = scratchDirectory();

    @FuzzTest(maxDuration = FuzzBudget.PER_TARGET)
    void configFile(byte[] content) throws IOException {
        Path file = write("corvid.yaml", content);
        try {
            ConfigFile config = ConfigFile.load(file);
            config.entries().forEach((key, entry) -> {
                assertEquals(key, entry.key());
                assertTrue(entry.line() >= 1, () -> key + " has no line");
            });
        } catch (ConfigException expected) {
            assertTrue(expected.getMessage().startsWith(file.toString()), expected::getMessage);
        }
    }

    @FuzzTest(maxDuration = FuzzBudget.PER_TARGET)
    void passwordFile(byte[] content) throws IOException {
        Path file = write("passwd", content);
        PasswordFile parsed;
        try {
            parsed = PasswordFile.read(file);
        } catch (SecurityFileException expected) {
            return;
        }
        parsed.users().forEach((user, hash) -> {
            assertTrue(!user.isEmpty() && user.equals(user.strip()) && user.indexOf(':') < 0, () -> "user '" + user + "'");
            assertTrue(hash != null, () -> "no hash for " + user);
        });
    }

    @FuzzTest(maxDuration = FuzzBudget.PER_TARGET)
    void aclFile(byte[] content) throws IOException {
        Path file = write("acl", content);
        AclFile acl;
        try {
            acl = AclFile.read(file);
        } catch (SecurityFileException expected) {
            return;
        }
        long lines = Files.readAllLines(file).size();
        acl.anonymousRules().forEach(rule -> assertLineWithin(rule, lines));
        acl.patterns().forEach(rule -> assertLineWithin(rule, lines));
        acl.userRules().values().forEach(rules -> rules.forEach(rule -> assertLineWithin(rule, lines)));
    }

    private static void assertLineWithin(AclFile.Rule rule, long lines) {
        assertTrue(rule.lineNumber() >= 1 && rule.lineNumber() <= lines, () -> rule + " outside 1.." + lines);
    }

    private static Path write(String name, byte[] content) throws IOException {
        return Files.write(SCRATCH.resolve(name), content);
    }

    private static Path scratchDirectory() {
        try {
            Path directory = Files.createTempDirectory("corvid-fuzz-");
            directory.toFile().deleteOnExit();
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
