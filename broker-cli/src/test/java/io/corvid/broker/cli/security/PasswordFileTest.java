package io.corvid.broker.cli.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordFileTest {
    private static final Path SOURCE = Path.of("users.txt");

    @TempDir
    Path directory;

    @Test
    void readsUsersAndSkipsBlankLinesAndComments() throws IOException {
        PasswordFile file = PasswordFile.parse(SOURCE, List.of(
                "# users of the test broker",
                "",
                "alice:" + PasswordHashTest.ALICE,
                "   ",
                "  # indented comment",
                " carol smith : " + PasswordHashTest.CAROL + "  ",
                "bob:" + PasswordHashTest.BOB));
        assertEquals(List.of("alice", "carol smith", "bob"), List.copyOf(file.users().keySet()));
        assertTrue(file.users().get("carol smith").matches("pässwörd".getBytes(UTF_8)));
        assertThrows(UnsupportedOperationException.class, () -> file.users().remove("alice"));
    }

    @Test
    void anEmptyFileHasNoUsers() throws IOException {
        assertTrue(PasswordFile.parse(SOURCE, List.of()).users().isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "alice|3|found no ':'",
        "alice:|3|no password hash for user 'alice'",
        ":$6$uWQLZ2so+i6bGGqz$CCV8|3|empty user name",
        "alice:secret|3|user 'alice': not a hashed password",
        "alice:$7$101$abc|3|user 'alice': a $7$ hash has the form",
        "alice:$7$101$N6FMV8B/7SzDFWC7$ghqPJ4mZEPy99OFF:x|3|more than one ':'",
        "bob:" + PasswordHashTest.BOB + "|3|user 'bob' is already defined above",
        "al\tice:" + PasswordHashTest.BOB + "|3|the user name contains a control character",
        "al\u0001ice:" + PasswordHashTest.BOB + "|3|the user name contains a control character",
    })
    void aMalformedLineMakesTheFileInvalidNamingFileAndLine(String badLine, int lineNumber, String problem) {
        SecurityFileException e = assertThrows(SecurityFileException.class, () -> PasswordFile.parse(SOURCE,
                List.of("bob:" + PasswordHashTest.BOB, "# comment", badLine, "carol:" + PasswordHashTest.CAROL)));
        assertEquals(lineNumber, e.lineNumber());
        assertEquals(SOURCE, e.file());
        assertTrue(e.getMessage().startsWith("users.txt, line 3: "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertFalse(e.getMessage().contains("CCV8Ae4Mt1hH"), "never echo a hash: " + e.getMessage());
    }

    @Test
    void updatingAUserKeepsEveryOtherLineInPlace() throws IOException {
        Path path = directory.resolve("pw");
        Files.writeString(path, "# head\nalice:" + PasswordHashTest.ALICE + "\n\nbob:" + PasswordHashTest.BOB + "\n# tail\n");
        PasswordHash newHash = PasswordHash.create("new".getBytes(UTF_8));
        PasswordFile.read(path).withUser("alice", newHash).withUser("dave", newHash).write(path);
        assertEquals(List.of("# head", "alice:" + newHash.encode(), "", "bob:" + PasswordHashTest.BOB, "# tail",
                "dave:" + newHash.encode()), Files.readAllLines(path));

        PasswordFile.read(path).withoutUser("bob").write(path);
        assertEquals(List.of("# head", "alice:" + newHash.encode(), "", "# tail", "dave:" + newHash.encode()),
                Files.readAllLines(path));
        assertEquals(List.of(path.getFileName()), listDirectory(), "no temporary file left behind");
    }

    @Test
    void removingAnAbsentUserChangesNothing() throws IOException {
        PasswordFile file = PasswordFile.parse(SOURCE, List.of("bob:" + PasswordHashTest.BOB));
        assertSame(file, file.withoutUser("alice"));
    }

    @Test
    void aNewFileIsReadableByItsOwnerOnlyAndAnExistingOneKeepsItsMode() throws IOException {
        assumeTrue(Files.getFileStore(directory).supportsFileAttributeView(PosixFileAttributeView.class));
        Path path = directory.resolve("new-pw");
        PasswordFile.empty().withUser("alice", PasswordHash.create("pw".getBytes(UTF_8))).write(path);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));

        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r-----"));
        PasswordFile.read(path).withUser("bob", PasswordHash.create("pw".getBytes(UTF_8))).write(path);
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        assertEquals(2, PasswordFile.read(path).users().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a:b", "tab\tuser", " lead", "trail ", "#hash"})
    void refusesUserNamesThatCannotBeWrittenOrWouldReadBackDifferently(String user) {
        PasswordHash hash = PasswordHash.create("pw".getBytes(UTF_8));
        assertThrows(IllegalArgumentException.class, () -> PasswordFile.empty().withUser(user, hash));
    }

    @Test
    void refusesAFileThatIsNotUtf8() throws IOException {
        Path path = directory.resolve("latin1");
        Files.write(path, new byte[] {'a', (byte) 0xe9, ':', '$', '6', '$'});
        SecurityFileException e = assertThrows(SecurityFileException.class, () -> PasswordFile.read(path));
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
    }

    private List<Path> listDirectory() throws IOException {
        try (var files = Files.list(directory)) {
            return files.map(Path::getFileName).toList();
        }
    }
}
