package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server's access rules, with the real jar as a process. A client's address is
 * given by a PROXY protocol header, so that a test on one machine can come "from elsewhere".
 */
class SecurityProcessIT {
    private static final String REMOTE = "203.0.113.7";
    private static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    @TempDir
    Path temp;

    private static Connect connect(String clientId, String username, String password) {
        return new Connect(ProtocolVersion.MQTT_3_1_1, clientId, true, 30, username,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8), null, Properties.EMPTY);
    }

    @Test
    void anonymousClientsAreAcceptedFromThisHostOnlyUnlessAllowed() throws Exception {
        try (LauncherProcess broker = LauncherProcess.start(temp.resolve("default.log"),
                List.of("-h", "127.0.0.1", "-p", "0", "--in-memory", "--proxy-protocol"))) {
            int port = broker.awaitReady();
            assertTrue(broker.log().contains("anonymous clients accepted from this host only"), broker.log());
            assertTrue(broker.log().contains("--allow-anonymous"), "the startup log names the flag");
            assertEquals(ReasonCode.SUCCESS, WireClient.connAckFrom(port, "127.0.0.1", connect("here", null, null))
                    .reasonCode());
            assertEquals(ReasonCode.NOT_AUTHORIZED, WireClient.connAckFrom(port, REMOTE, connect("there", null, null))
                    .reasonCode());
            assertEquals(ReasonCode.NOT_AUTHORIZED, WireClient.connAckFrom(port, REMOTE,
                    connect("there-with-a-name", "mallory", "guess")).reasonCode());
        }
        try (LauncherProcess broker = LauncherProcess.start(temp.resolve("anonymous.log"),
                List.of("-h", "127.0.0.1", "-p", "0", "--in-memory", "--proxy-protocol", "--allow-anonymous"))) {
            int port = broker.awaitReady();
            assertEquals(ReasonCode.SUCCESS, WireClient.connAckFrom(port, REMOTE, connect("there", null, null))
                    .reasonCode());
        }
    }

    @Test
    void aBadConfigFileStopsTheLauncherWithTheKeyAndANonZeroExit() throws Exception {
        Path config = temp.resolve("corvid.yaml");
        java.nio.file.Files.writeString(config, "port: 0\nmax-inflight: many\n");
        try (LauncherProcess broker = LauncherProcess.start(temp.resolve("bad.log"),
                List.of("--config", config.toString(), "--in-memory"))) {
            assertEquals(CorvidCommand.EXIT_BAD_CONFIGURATION, broker.awaitExit());
            assertTrue(broker.log().contains(config + " line 2: max-inflight: 'many' is not allowed"), broker.log());
        }
        try (LauncherProcess broker = LauncherProcess.start(temp.resolve("flag.log"), List.of("--max-qos", "7"))) {
            assertEquals(CorvidCommand.EXIT_BAD_CONFIGURATION, broker.awaitExit());
            assertTrue(broker.log().contains("expected 0, 1 or 2"), broker.log());
        }
    }

    /** Runs Debian's mosquitto_passwd (package mosquitto, installed by .ci/run) with {@code arguments}. */
    private static void mosquittoPasswd(String... arguments) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(MOSQUITTO_PASSWD), "mosquitto_passwd is not installed (apt-get install mosquitto)");
        List<String> command = new ArrayList<>(List.of(MOSQUITTO_PASSWD.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0,
                "mosquitto_passwd " + String.join(" ", arguments) + ": " + output);
    }

    private static ReasonCode connAck(int port, String username, String password) throws IOException {
        try (WireClient client = WireClient.attempt(port, null, connect("c-" + username, username, password))) {
            return client.connAck().reasonCode();
        }
    }

    private static WireClient connected(int port, String username, String password) throws IOException {
        WireClient client = WireClient.attempt(port, null, connect("c-" + username, username, password));
        assertEquals(ReasonCode.SUCCESS, client.connAck().reasonCode(), username);
        return client;
    }

    private static ReasonCode subscribe(WireClient client, int packetId, String filter) throws IOException {
        client.send(new Subscribe(packetId, List.of(new Subscription(filter, QoS.AT_LEAST_ONCE)), Properties.EMPTY));
        return assertInstanceOf(SubAck.class, client.receive()).reasonCodes().get(0);
    }

    /** Publishes at QoS 1 and waits for the PUBACK (3.1.1 acknowledges a refused PUBLISH too, and drops it). */
    private static void publish(WireClient client, int packetId, String topic, String payload) throws IOException {
        client.send(new Publish(topic, QoS.AT_LEAST_ONCE, false, false, packetId,
                payload.getBytes(StandardCharsets.UTF_8), Properties.EMPTY));
        assertEquals(packetId, assertInstanceOf(PubAck.class, client.receive()).packetId());
    }

    /** The payload of the next PUBLISH, acknowledged. */
    private static String nextMessage(WireClient client) throws IOException {
        Publish publish = assertInstanceOf(Publish.class, client.receive());
        if (publish.qos() == QoS.AT_LEAST_ONCE) {
            client.send(new PubAck(publish.packetId(), ReasonCode.SUCCESS, Properties.EMPTY));
        }
        return publish.topic() + " " + new String(publish.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void usersFromMosquittoPasswdAndRulesFromAMosquittoAclFile() throws Exception {
        Path passwords = temp.resolve("passwd");
        mosquittoPasswd("-c", "-b", passwords.toString(), "alice", "alice-secret");
        mosquittoPasswd("-b", "-H", "sha512", passwords.toString(), "bob", "bob-secret");
        Path acl = temp.resolve("acl");
        Files.writeString(acl, """
                # Mosquitto's format. Before any "user" line: the anonymous clients' rules.
                topic read public/#

                user alice
                topic readwrite alice/#
                topic write public/#

                user bob
                topic read alice/news

                # Patterns are everyone's: %u is the user name.
                pattern readwrite devices/%u/#
                """);
        try (LauncherProcess broker = LauncherProcess.start(temp.resolve("users.log"), List.of("-h", "127.0.0.1", "-p",
                "0", "--in-memory", "--password-file", passwords.toString(), "--acl-file", acl.toString()))) {
            int port = broker.awaitReady();
            assertTrue(broker.log().contains("(" + passwords + ", 2 users)"), broker.log());
            assertTrue(broker.log().contains("ACL file " + acl + " (5 rules)"), broker.log());
            assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, connAck(port, "alice", "wrong"));
            assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, connAck(port, "carol", "alice-secret"));
            assertEquals(ReasonCode.NOT_AUTHORIZED, connAck(port, null, null), "anonymous, even from loopback");
            try (WireClient alice = connected(port, "alice", "alice-secret");
                 WireClient bob = connected(port, "bob", "bob-secret")) {
                // Per user.
                assertEquals(ReasonCode.GRANTED_QOS_1, subscribe(alice, 1, "alice/#"));
                assertEquals(ReasonCode.UNSPECIFIED_ERROR, subscribe(bob, 1, "alice/#"), "0x80 for 3.1.1");
                assertEquals(ReasonCode.GRANTED_QOS_1, subscribe(bob, 2, "alice/news"));
                publish(bob, 3, "alice/news", "from bob, who may only read it"); // refused: dropped
                publish(alice, 3, "alice/news", "from alice");
                assertEquals("alice/news from alice", nextMessage(alice), "bob's refused message never arrived");
                assertEquals("alice/news from alice", nextMessage(bob));
                // Per pattern.
                assertEquals(ReasonCode.GRANTED_QOS_1, subscribe(bob, 4, "devices/bob/#"));
                assertEquals(ReasonCode.UNSPECIFIED_ERROR, subscribe(bob, 5, "devices/alice/#"));
                assertEquals(ReasonCode.UNSPECIFIED_ERROR, subscribe(alice, 4, "devices/#"));
                publish(bob, 6, "devices/alice/cmd", "into alice's device: refused");
                publish(bob, 7, "devices/bob/temp", "21.5");
                assertEquals("devices/bob/temp 21.5", nextMessage(bob));
            }
        }
        // Anonymous clients' rules apply once anonymous clients are let in.
        try (LauncherProcess broker = LauncherProcess.start(temp.resolve("anonymous-acl.log"), List.of("-h", "127.0.0.1",
                "-p", "0", "--in-memory", "--password-file", passwords.toString(), "--acl-file", acl.toString(),
                "--allow-anonymous"))) {
            int port = broker.awaitReady();
            try (WireClient anonymous = connected(port, null, null);
                 WireClient alice = connected(port, "alice", "alice-secret")) {
                assertEquals(ReasonCode.GRANTED_QOS_1, subscribe(anonymous, 1, "public/#"));
                assertEquals(ReasonCode.UNSPECIFIED_ERROR, subscribe(anonymous, 2, "alice/#"));
                assertEquals(ReasonCode.UNSPECIFIED_ERROR, subscribe(anonymous, 3, "devices/+/cmd"),
                        "a %u pattern does not apply to a client without a user name");
                publish(anonymous, 4, "public/hello", "anonymous may only read here"); // refused
                publish(alice, 1, "public/hello", "from alice");
                assertEquals("public/hello from alice", nextMessage(anonymous));
            }
        }
    }

    @Test
    void sighupReloadsThePasswordFileKeepsConnectionsAndKeepsOldRulesWhenTheNewFileIsBad() throws Exception {
        Path passwords = temp.resolve("passwd");
        mosquittoPasswd("-c", "-b", passwords.toString(), "alice", "alice-secret");
        try (LauncherProcess broker = LauncherProcess.start(temp.resolve("reload.log"), List.of("-h", "127.0.0.1", "-p",
                "0", "--in-memory", "--password-file", passwords.toString()))) {
            int port = broker.awaitReady();
            try (WireClient alice = connected(port, "alice", "alice-secret")) {
                assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, connAck(port, "carol", "carol-secret"));
                mosquittoPasswd("-b", passwords.toString(), "carol", "carol-secret");
                broker.signal("HUP");
                broker.awaitLog(Pattern.compile("Reloaded the password file .*\\(SIGHUP\\): 2 users"));
                assertEquals(ReasonCode.SUCCESS, connAck(port, "carol", "carol-secret"));

                Files.writeString(passwords, "this line is not user:hash\n");
                broker.signal("HUP");
                broker.awaitLog(Pattern.compile("Kept the previous password file: .* cannot be used \\(SIGHUP\\)"));
                assertEquals(ReasonCode.SUCCESS, connAck(port, "carol", "carol-secret"), "the previous users stay");

                alice.send(new PingReq());
                assertInstanceOf(PingResp.class, alice.receive(), "a connection made before the reloads is still served");
            }
        }
    }
}
