package io.corvid.broker.cli.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class PasswdCommandTest {
    @TempDir
    Path directory;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int passwd(String stdin, String... arguments) {
        CommandLine command = new CommandLine(new PasswdCommand(new ByteArrayInputStream(stdin.getBytes(UTF_8))));
        command.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return command.execute(arguments);
    }

    @Test
    void createsTheFileOwnerOnlyWithAMosquittoStyleLine() throws IOException {
        Path file = directory.resolve("passwords");
        assertEquals(0, passwd("s3cret\n", file.toString(), "alice"), err.toString());
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith("alice:"), lines.get(0));
        assertTrue(PasswordHashTest.MOSQUITTO_7.matcher(lines.get(0).substring(6)).matches(), lines.get(0));
        assertTrue(out.toString().contains("Added user 'alice'"), out.toString());
        assertFalse(out.toString().contains("s3cret") || err.toString().contains("s3cret"));
        PasswordFileAuthentication authentication = new PasswordFileAuthentication(file, false);
        assertTrue(authentication.authenticate(Requests.connect("alice", "s3cret")).isAllowed());
        assertFalse(authentication.authenticate(Requests.connect("alice", "s3cret\n")).isAllowed());
        if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    void changesAPasswordInPlaceAndKeepsOtherLines() throws IOException {
        Path file = directory.resolve("passwords");
        Files.writeString(file, "# ours\nalice:" + PasswordHashTest.ALICE + "\nbob:" + PasswordHashTest.BOB + "\n");
        assertEquals(0, passwd("n€w pass\r\n", file.toString(), "alice"), err.toString());
        List<String> lines = Files.readAllLines(file);
        assertEquals("# ours", lines.get(0));
        assertTrue(lines.get(1).startsWith("alice:$7$101$"));
        assertEquals("bob:" + PasswordHashTest.BOB, lines.get(2));
        assertTrue(out.toString().contains("Changed the password of user 'alice'"), out.toString());
        PasswordFileAuthentication authentication = new PasswordFileAuthentication(file, false);
        assertTrue(authentication.authenticate(Requests.connect("alice", "n€w pass")).isAllowed());
        assertFalse(authentication.authenticate(Requests.connect("alice", "secret")).isAllowed());
        assertTrue(authentication.authenticate(Requests.connect("bob", "hunter2")).isAllowed());
    }

    @Test
    void deletesAUser() throws IOException {
        Path file = directory.resolve("passwords");
        Files.writeString(file, "alice:" + PasswordHashTest.ALICE + "\nbob:" + PasswordHashTest.BOB + "\n");
        assertEquals(0, passwd("", "-D", file.toString(), "alice"), err.toString());
        assertEquals(List.of("bob:" + PasswordHashTest.BOB), Files.readAllLines(file));
        assertEquals(0, passwd("", "--delete", file.toString(), "bob"), err.toString());
        assertEquals(List.of(), Files.readAllLines(file));
    }

    @Test
    void deletingAnAbsentUserOrFileFails() throws IOException {
        Path file = directory.resolve("passwords");
        assertEquals(1, passwd("", "-D", file.toString(), "alice"));
        assertTrue(err.toString().contains("does not exist"), err.toString());
        Files.writeString(file, "bob:" + PasswordHashTest.BOB + "\n");
        assertEquals(1, passwd("", "-D", file.toString(), "alice"));
        assertTrue(err.toString().contains("user 'alice' is not in"), err.toString());
        assertEquals(List.of("bob:" + PasswordHashTest.BOB), Files.readAllLines(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "\r\n"})
    void refusesAnEmptyOrMissingPassword(String stdin) {
        Path file = directory.resolve("passwords");
        assertEquals(1, passwd(stdin, file.toString(), "alice"));
        assertTrue(err.toString().startsWith("Error: "), err.toString());
        assertFalse(Files.exists(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a:b", "#admin", " alice"})
    void refusesUserNamesTheFileCannotHold(String user) {
        Path file = directory.resolve("passwords");
        assertEquals(1, passwd("pw\n", file.toString(), user));
        assertTrue(err.toString().startsWith("Error: the user name"), err.toString());
        assertFalse(Files.exists(file));
    }

    @Test
    void refusesToEditAMalformedFile() throws IOException {
        Path file = directory.resolve("passwords");
        Files.writeString(file, "alice:plain\n");
        assertEquals(1, passwd("pw\n", file.toString(), "bob"));
        assertTrue(err.toString().contains("line 1"), err.toString());
        assertEquals("alice:plain\n", Files.readString(file));
    }

    @Test
    void neverTakesThePasswordAsAnArgument() {
        Path file = directory.resolve("passwords");
        assertEquals(2, passwd("pw\n", file.toString(), "alice", "secret"));
        assertFalse(Files.exists(file));
    }

    @Test
    void refusesAMissingUser() {
        assertEquals(2, passwd("pw\n", directory.resolve("passwords").toString()));
    }

    @Test
    void aFileInAMissingDirectoryFailsWithAMessage() {
        assertEquals(1, passwd("pw\n", directory.resolve("missing/passwords").toString(), "alice"));
        assertTrue(err.toString().contains("cannot create"), err.toString());
    }
}
