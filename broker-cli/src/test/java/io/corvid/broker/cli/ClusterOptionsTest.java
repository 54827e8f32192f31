package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.ClusterMember;
import io.corvid.broker.cluster.hazelcast.HazelcastCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --cluster-*: off by default, checked, and two launchers' brokers form one cluster. */
class ClusterOptionsTest {
    @TempDir
    Path dir;

    private static CorvidCommand parse(String... args) {
        CommandLine commandLine = CorvidCommand.commandLine(args);
        commandLine.parseArgs(args);
        return commandLine.getCommand();
    }

    @Test
    void withoutClusterOptionsTheBrokerIsASingleNode() {
        CorvidCommand command = parse("-h", "127.0.0.1", "-p", "0");
        try (Broker broker = command.builder().build().start()) {
            assertEquals(List.of(), broker.clusterMembers());
            assertEquals("off (--cluster-name, --cluster-members)", ClusterOptions.describe(broker, null));
        }
    }

    @Test
    void clusterSettingsWithoutAClusterAreRefused() {
        assertThrows(CommandLine.ParameterException.class, () -> parse("--cluster-port", "5801").builder());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--cluster-host", "10.0.0.1").builder());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--cluster-min-size", "2").builder());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--cluster-retained-backups", "2").builder());
    }

    @Test
    void theMinimumSizeAndRetainedBackupsAreCheckedAndNamedByTheirFlags() {
        CommandLine.ParameterException size = assertThrows(CommandLine.ParameterException.class,
                () -> parse("--cluster-name", "x", "--cluster-min-size", "0").builder());
        assertTrue(size.getMessage().contains("--cluster-min-size"), size.getMessage());
        CommandLine.ParameterException backups = assertThrows(CommandLine.ParameterException.class,
                () -> parse("--cluster-name", "x", "--cluster-retained-backups", "7").builder());
        assertTrue(backups.getMessage().contains("--cluster-retained-backups"), backups.getMessage());
        assertThrows(CommandLine.ParameterException.class,
                () -> parse("--cluster-name", "x", "--cluster-retained-backups", "-1").builder());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--cluster-name", "x", "--cluster-min-size",
                "two"));
    }

    @Test
    void theMinimumSizeAndRetainedBackupsReachTheCluster() {
        ClusterOptions defaults = parse("--cluster-name", "x").cluster;
        assertEquals(1, defaults.cluster().minimumClusterSize());
        CorvidCommand command = parse("--cluster-name", "x", "--cluster-min-size", "2",
                "--cluster-retained-backups", "0");
        HazelcastCluster cluster = command.cluster.cluster();
        assertEquals(2, cluster.minimumClusterSize());
        assertEquals(0, cluster.retainedBackups());
    }

    @Test
    void aMemberWithoutAPortIsRefused() {
        CommandLine.ParameterException refused = assertThrows(CommandLine.ParameterException.class,
                () -> parse("--cluster-name", "x", "--cluster-members", "10.0.0.2").builder());
        assertTrue(refused.getMessage().contains("host:port"), refused.getMessage());
    }

    /** The second node is configured from a file, with the keys the flags have. */
    @Test
    void twoLaunchedBrokersFormOneCluster() throws IOException {
        CorvidCommand first = parse("-h", "127.0.0.1", "-p", "0", "--in-memory", "--cluster-name", "cli-test",
                "--cluster-port", "0");
        try (Broker a = first.builder().build().start()) {
            String seed = a.clusterMembers().get(0).controlAddress();
            Path config = dir.resolve("node2.yaml");
            Files.writeString(config, String.join("\n",
                    "host: 127.0.0.1", "port: 0", "in-memory: true", "cluster-name: cli-test",
                    "cluster-members: " + seed + ", 127.0.0.1:1", // an unreachable member does not stop the join
                    "cluster-port: 0", "cluster-data-port: 0", "cluster-min-size: 2", "cluster-retained-backups: 2",
                    ""));
            CorvidCommand second = parse("--config", config.toString());
            assertEquals(2, second.cluster.cluster().minimumClusterSize());
            assertEquals(2, second.cluster.cluster().retainedBackups());
            try (Broker b = second.builder().build().start()) {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (a.clusterMembers().size() < 2 || b.clusterMembers().size() < 2) {
                    assertTrue(System.nanoTime() < deadline, "the two brokers did not see each other");
                    LockSupport.parkNanos(5_000_000);
                }
                List<ClusterMember> members = b.clusterMembers();
                assertTrue(members.stream().anyMatch(member -> member.controlAddress().equals(seed) && !member.local()),
                        members.toString());
                assertTrue(members.stream().allMatch(member -> member.dataAddress() != null), members.toString());
            }
        }
    }
}
