package io.corvid.broker.cli.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.cli.security.AclFile.Access;
import io.corvid.broker.cli.security.AclFile.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AclFileTest {
    private static final Path SOURCE = Path.of("acl.conf");

    private static AclFile parse(String... lines) throws SecurityFileException {
        return AclFile.parse(SOURCE, List.of(lines));
    }

    @Test
    void readsMosquittosExampleFile() throws IOException {
        AclFile acl = parse(
                "# This affects access control for clients with no username.",
                "topic read $SYS/#",
                "",
                "# This only affects clients with username \"roger\".",
                "user roger",
                "topic foo/bar",
                "",
                "# This affects all clients.",
                "pattern write $SYS/broker/connection/%c/state");
        assertEquals(List.of(new Rule(Access.READ, "$SYS/#", 2)), acl.anonymousRules());
        assertEquals(Map.of("roger", List.of(new Rule(Access.READWRITE, "foo/bar", 6))), acl.userRules());
        assertEquals(List.of(new Rule(Access.WRITE, "$SYS/broker/connection/%c/state", 9)), acl.patterns());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "topic read a/b|READ|a/b",
        "topic write a/b|WRITE|a/b",
        "topic readwrite a/b|READWRITE|a/b",
        "topic deny a/b|DENY|a/b",
        "topic a/b|READWRITE|a/b",
        "'topic read a/b   '|READ|a/b",
        "'topic   read    a/b'|READ|a/b",
        "'  topic read a/b'|READ|a/b",
        "'topic\tread\ta/b'|READ|a/b",
        "topic read room 101/temperature|READ|room 101/temperature",
        "topic deny with  two  spaces|DENY|with  two  spaces",
        "topic read|READWRITE|read",
        "topic deny|READWRITE|deny",
        "topic read #|READ|#",
        "topic read $SYS/#|READ|$SYS/#",
    })
    void readsATopicLine(String line, Access access, String topic) throws IOException {
        assertEquals(List.of(new Rule(access, topic, 1)), parse(line).anonymousRules());
    }

    @Test
    void topicLinesBelongToTheLastUserAndPatternsToEveryone() throws IOException {
        AclFile acl = parse(
                "topic read public/#",
                "user alice",
                "topic alice/#",
                "pattern read clients/%c/#",
                "topic deny alice/secret",
                "user john smith  ",
                "topic read john/#",
                "user alice",
                "topic write shared/in");
        assertEquals(List.of(new Rule(Access.READ, "public/#", 1)), acl.anonymousRules());
        assertEquals(List.of(new Rule(Access.READWRITE, "alice/#", 3), new Rule(Access.DENY, "alice/secret", 5),
                new Rule(Access.WRITE, "shared/in", 9)), acl.userRules().get("alice"));
        assertEquals(List.of(new Rule(Access.READ, "john/#", 7)), acl.userRules().get("john smith"));
        assertEquals(List.of(new Rule(Access.READ, "clients/%c/#", 4)), acl.patterns());
    }

    @Test
    void anEmptyFileOrOneOfCommentsHasNoRules() throws IOException {
        for (AclFile acl : List.of(parse(), parse("# nothing", "", "   ", "\t# indented"))) {
            assertTrue(acl.anonymousRules().isEmpty() && acl.userRules().isEmpty() && acl.patterns().isEmpty());
        }
    }

    @Test
    void skipsAByteOrderMark() throws IOException {
        assertEquals(1, parse("\uFEFFtopic read a").anonymousRules().size());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "topics read a|unknown keyword 'topics'",
        "Topic read a|unknown keyword 'Topic'",
        "allow a/b|unknown keyword 'allow'",
        "# fine|-",
        "topic|'topic' without a topic",
        "'topic   '|'topic' without a topic",
        "pattern|'pattern' without a topic",
        "user|'user' without a user name",
        "'user   '|'user' without a user name",
        "topic reed a/b|unknown access 'reed'",
        "topic a b|unknown access 'a'",
        "topic read a/#/b|invalid topic 'a/#/b'",
        "topic read a/b+|invalid topic 'a/b+'",
        "pattern write %c#|invalid topic '%c#'",
    })
    void anInvalidLineMakesTheFileInvalid(String line, String problem) throws IOException {
        if (problem.equals("-")) {
            parse("topic a", line);
            return;
        }
        SecurityFileException e = assertThrows(SecurityFileException.class, () -> parse("topic a", "", line, "topic b"));
        assertEquals(3, e.lineNumber());
        assertTrue(e.getMessage().startsWith("acl.conf, line 3: "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void readsAFile(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("acl");
        Files.writeString(file, "user alice\r\ntopic read a/#\r\n");
        assertEquals(List.of(new Rule(Access.READ, "a/#", 2)), AclFile.read(file).userRules().get("alice"));
    }
}
