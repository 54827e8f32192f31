package io.corvid.broker.cli.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.ClientInfo;
import io.corvid.broker.packet.QoS;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AclAuthorizationTest {
    private static final String ACL = """
            # anonymous clients
            topic read public/#
            topic write public/inbox
            topic deny public/secret

            user alice
            topic readwrite alice/#
            topic deny alice/private/#
            topic read shared/+/status
            topic read $SYS/broker/#
            topic write users/alice/locked

            user bob
            topic write bob/out
            topic read public/#

            user carol
            topic write carol/out

            pattern readwrite users/%u/#
            pattern read clients/%c/in
            pattern write devices/%c/%u/data
            pattern deny users/%u/locked
            pattern read everyone/#
            """;

    @TempDir
    Path directory;
    Path file;
    AclAuthorization acl;

    @BeforeEach
    void readAcl() throws IOException {
        file = directory.resolve("acl");
        Files.writeString(file, ACL);
        acl = new AclAuthorization(file);
    }

    private static ClientInfo client(String clientId, String username) {
        return Requests.client(clientId, "-".equals(username) ? null : username);
    }

    @ParameterizedTest(name = "[{index}] {0}/{1} publishes {2}: {3}")
    @CsvSource({
        // anonymous ('-'): topic rules before the first user line
        "c1, -, public/inbox, true",
        "c1, -, public/news, false",
        "c1, -, public/secret, false",
        "c1, -, alice/x, false",
        // a user: own rules, deny first
        "c1, alice, alice/x, true",
        "c1, alice, alice, true",
        "c1, alice, alice/private/x, false",
        "c1, alice, alice/private, false",
        "c1, alice, shared/a/status, false",
        "c1, alice, public/inbox, false",
        "c1, bob, bob/out, true",
        "c1, bob, bob/in, false",
        // a user without a section has only patterns
        "c1, dave, dave/x, false",
        "c1, dave, users/dave/x, true",
        "c1, dave, users/dave, true",
        "c1, dave, users/erin/x, false",
        "c1, dave, users/dave/locked, false",
        "c1, dave, devices/c1/dave/data, true",
        "c1, dave, devices/c2/dave/data, false",
        "c1, dave, everyone/x, false",
        // patterns with %u never apply to anonymous clients, %c ones do
        "c1, -, users//x, false",
        "c1, -, devices/c1//data, false",
        "c1, -, clients/c1/in, false",
        // a user's own grant is decided before a deny pattern, as in Mosquitto
        "c1, alice, users/alice/locked, true",
        "c1, carol, users/carol/locked, false",
        // unsafe values are never substituted
        "c1, a+b, users/a+b/x, false",
        "c1, a/b, users/a/b/x, false",
        "c+1, dave, devices/c+1/dave/data, false",
        "c/1, dave, devices/c/1/dave/data, false",
        // $SYS is not for publishing, $share never
        "c1, alice, $SYS/broker/x, false",
        "c1, alice, $share/g/alice/x, false",
        // names are case sensitive
        "c1, Alice, alice/x, false",
    })
    void publishNeedsAWriteGrant(String clientId, String username, String topic, boolean expected) {
        assertEquals(expected, acl.canPublish(client(clientId, username), topic, QoS.AT_LEAST_ONCE, false));
    }

    @ParameterizedTest(name = "[{index}] {0}/{1} subscribes {2}: {3}")
    @CsvSource({
        "c1, -, public/news, true",
        "c1, -, public/+, false",
        "c1, -, public/news/#, true",
        "c1, -, public/#, false",
        "c1, -, public/secret, false",
        "c1, -, public/inbox, true",
        "c1, -, #, false",
        "c1, alice, alice/#, false",
        "c1, alice, alice/public/#, true",
        "c1, alice, alice/+/x, false",
        "c1, alice, alice/x/+, true",
        "c1, alice, shared/a/status, true",
        "c1, alice, shared/+/status, true",
        "c1, alice, shared/#, false",
        "c1, alice, $SYS/broker/load/#, true",
        "c1, alice, $SYS/#, false",
        "c1, alice, $share/group/alice/x/#, true",
        "c1, alice, $share/group/alice/private/#, false",
        "c1, bob, public/#, true",
        "c1, bob, bob/out, false",
        // patterns
        "c1, dave, users/dave/#, false",
        "c1, dave, users/dave/inbox/#, true",
        "c1, dave, users/+/inbox, false",
        "c1, dave, clients/c1/in, true",
        "c1, dave, clients/c2/in, false",
        "c1, dave, everyone/#, true",
        "c1, -, everyone/#, true",
        "c1, -, clients/c1/in, true",
        "c1, -, users//inbox, false",
        // a deny pattern that cannot be substituted refuses, a grant one is skipped
        "c1, a+b, everyone/#, false",
        "c1, a/b, everyone/#, false",
        "c/1, dave, clients/c/1/in, false",
        "c/1, dave, everyone/x, true",
        "c#, -, everyone/x, true",
        "c#, -, clients/c#/in, false",
    })
    void subscribeNeedsAReadGrantCoveringTheWholeFilter(String clientId, String username, String filter, boolean expected) {
        assertEquals(expected, acl.canSubscribe(client(clientId, username), filter, QoS.AT_MOST_ONCE));
    }

    /** As in Mosquitto: {@code #} does not cover the broker's $SYS topics; a rule must name them. */
    @Test
    void sysTopicsAreReadableOnlyWhereARuleNamesThem() throws IOException {
        Files.writeString(file, "topic read #\n");
        acl.reload();
        assertTrue(acl.canSubscribe(client("c1", "-"), "a/b/#", QoS.AT_MOST_ONCE));
        assertFalse(acl.canSubscribe(client("c1", "-"), "$SYS/#", QoS.AT_MOST_ONCE));
        assertFalse(acl.canSubscribe(client("c1", "-"), "$SYS/broker/uptime", QoS.AT_MOST_ONCE));
        Files.writeString(file, "topic read #\ntopic read $SYS/#\n");
        acl.reload();
        assertTrue(acl.canSubscribe(client("c1", "-"), "$SYS/#", QoS.AT_MOST_ONCE));
        assertTrue(acl.canSubscribe(client("c1", "-"), "$SYS/broker/load/+/1min", QoS.AT_MOST_ONCE));
    }

    @Test
    void aPatternCannotBeTurnedIntoADollarTopic() throws IOException {
        Files.writeString(file, "pattern read %c/#\n");
        acl.reload();
        assertTrue(acl.canSubscribe(client("room", "-"), "room/#", QoS.AT_MOST_ONCE));
        assertFalse(acl.canSubscribe(client("$SYS", "-"), "$SYS/#", QoS.AT_MOST_ONCE));
    }

    @Test
    void anEmptyFileRefusesEverything() throws IOException {
        Files.writeString(file, "# nothing allowed\n");
        assertEquals(0, acl.reload());
        assertFalse(acl.canPublish(client("c1", "alice"), "alice/x", QoS.AT_MOST_ONCE, false));
        assertFalse(acl.canSubscribe(client("c1", "-"), "public/x", QoS.AT_MOST_ONCE));
    }

    @Test
    void denyRulesWinWhateverTheirPlaceInTheSection() throws IOException {
        Files.writeString(file, "topic deny a/b\ntopic a/#\nuser u\ntopic u/#\ntopic deny u/x\n");
        acl.reload();
        assertFalse(acl.canPublish(client("c1", "-"), "a/b", QoS.AT_MOST_ONCE, false));
        assertTrue(acl.canPublish(client("c1", "-"), "a/c", QoS.AT_MOST_ONCE, false));
        assertFalse(acl.canPublish(client("c1", "u"), "u/x", QoS.AT_MOST_ONCE, false));
        assertTrue(acl.canPublish(client("c1", "u"), "u/y", QoS.AT_MOST_ONCE, false));
    }

    @Test
    void aBridgeStateTopicCanBeGranted() throws IOException {
        Files.writeString(file, "pattern write $SYS/broker/connection/%c/state\n");
        acl.reload();
        assertTrue(acl.canPublish(client("bridge1", "-"), "$SYS/broker/connection/bridge1/state", QoS.AT_LEAST_ONCE, true));
        assertFalse(acl.canPublish(client("bridge1", "-"), "$SYS/broker/connection/bridge2/state", QoS.AT_LEAST_ONCE, true));
    }

    @Test
    void topicsWithBlanksWork() throws IOException {
        Files.writeString(file, "topic read room 101/temperature  \n");
        acl.reload();
        assertTrue(acl.canSubscribe(client("c1", "-"), "room 101/temperature", QoS.AT_MOST_ONCE));
        assertFalse(acl.canSubscribe(client("c1", "-"), "room 101", QoS.AT_MOST_ONCE));
    }

    @Test
    void aBadFileOnReloadKeepsThePreviousRules() throws IOException {
        Files.writeString(file, "topic read public/#\nuser\n");
        SecurityFileException e = assertThrows(SecurityFileException.class, acl::reload);
        assertEquals(2, e.lineNumber());
        assertTrue(acl.canPublish(client("c1", "alice"), "alice/x", QoS.AT_MOST_ONCE, false));

        Files.delete(file);
        assertThrows(NoSuchFileException.class, acl::reload);
        assertTrue(acl.canPublish(client("c1", "alice"), "alice/x", QoS.AT_MOST_ONCE, false));
    }

    @Test
    void reloadAppliesToConnectedClientsAtTheirNextCheck() throws IOException {
        ClientInfo alice = client("c1", "alice");
        assertTrue(acl.canPublish(alice, "alice/x", QoS.AT_MOST_ONCE, false));
        Files.writeString(file, "user alice\ntopic read alice/#\n");
        assertEquals(1, acl.reload());
        assertFalse(acl.canPublish(alice, "alice/x", QoS.AT_MOST_ONCE, false));
        assertTrue(acl.canSubscribe(alice, "alice/x", QoS.AT_MOST_ONCE));
    }
}
