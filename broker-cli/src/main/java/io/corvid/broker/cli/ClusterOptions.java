package io.corvid.broker.cli;

import io.corvid.broker.Broker;
import io.corvid.broker.ClusterMember;
import io.corvid.broker.cluster.hazelcast.HazelcastCluster;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Clustering on Hazelcast (docs/cluster.md): off unless {@code --cluster-name} or
 * {@code --cluster-members} is given, so that a single node behaves as it always did.
 */
final class ClusterOptions {
    /** The cluster name when only members are given. */
    static final String DEFAULT_NAME = "corvid";
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 5701;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--cluster-name", paramLabel = "<name>",
            description = "Join the cluster of this name (default: not clustered; '" + DEFAULT_NAME
                    + "' when only --cluster-members is given). Only nodes with the same name form a cluster.")
    String clusterName;

    @Option(names = "--cluster-members", paramLabel = "<host:port>", split = ",",
            description = "Other nodes' cluster addresses (host:port of their --cluster-port), comma separated; "
                    + "TCP-IP join, no multicast. Listing every node on every node is simplest.")
    List<String> clusterMembers;

    @Option(names = "--cluster-host", paramLabel = "<address>",
            description = "Address this node binds and advertises to the other nodes, for membership and messages "
                    + "alike (default: ${DEFAULT-VALUE}, nodes on one machine).")
    String clusterHost = DEFAULT_HOST;

    @Option(names = "--cluster-port", paramLabel = "<port>",
            description = "Port of this node's cluster membership (Hazelcast) (default: ${DEFAULT-VALUE}).")
    int clusterPort = DEFAULT_PORT;

    @Option(names = "--cluster-data-port", paramLabel = "<port>",
            description = "Port on which this node takes messages from the other nodes (default: 0, a free one, "
                    + "advertised through the membership).")
    int clusterDataPort;

    @Option(names = "--cluster-min-size", paramLabel = "<members>",
            description = "Split-brain protection: the fewest members this node's side of the cluster needs to "
                    + "accept new CONNECTs (fewer: refused with Server unavailable); a majority of the nodes, e.g. 2 "
                    + "of 3 (default: ${DEFAULT-VALUE}, off).")
    int clusterMinSize = 1;

    @Option(names = "--cluster-retained-backups", paramLabel = "<count>",
            description = "Backup copies of the cluster's retained messages on other members, 0 to 6: they survive "
                    + "that many members lost at once (default: ${DEFAULT-VALUE}).")
    int clusterRetainedBackups = 1;

    /** Whether this node is to join a cluster. */
    boolean enabled() {
        return clusterName != null || clusterMembers != null && !clusterMembers.isEmpty();
    }

    /**
     * The cluster these options describe, or {@code null} when not clustered.
     *
     * @throws CommandLine.ParameterException when options contradict each other or are malformed
     */
    HazelcastCluster cluster() {
        if (!enabled()) {
            require(DEFAULT_HOST.equals(clusterHost) && clusterPort == DEFAULT_PORT && clusterDataPort == 0
                            && clusterMinSize == 1 && clusterRetainedBackups == 1,
                    "--cluster-host, --cluster-port, --cluster-data-port, --cluster-min-size and "
                            + "--cluster-retained-backups need --cluster-name or --cluster-members");
            return null;
        }
        // Named by their flags here: the builder's own messages name its methods.
        require(clusterMinSize >= 1, "--cluster-min-size must be at least 1 (1: off), not " + clusterMinSize);
        require(clusterRetainedBackups >= 0 && clusterRetainedBackups <= 6,
                "--cluster-retained-backups must be 0 to 6, not " + clusterRetainedBackups);
        try {
            return HazelcastCluster.builder()
                    .clusterName(clusterName == null ? DEFAULT_NAME : clusterName)
                    .host(clusterHost)
                    .port(clusterPort)
                    .dataPort(clusterDataPort)
                    .minimumClusterSize(clusterMinSize)
                    .retainedBackups(clusterRetainedBackups)
                    .members(clusterMembers == null ? List.of() : clusterMembers.stream().map(String::strip)
                            .filter(member -> !member.isEmpty()).toList())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cluster: " + e.getMessage());
        }
    }

    /** The banner's line about the cluster, for a started broker. */
    static String describe(Broker broker, HazelcastCluster cluster) {
        if (cluster == null) {
            return "off (--cluster-name, --cluster-members)";
        }
        List<String> members = new ArrayList<>();
        for (ClusterMember member : broker.clusterMembers()) {
            members.add(member.controlAddress() + (member.local() ? " (this node)" : ""));
        }
        String minimum = cluster.minimumClusterSize() > 1
                ? "; new connections need " + cluster.minimumClusterSize() + " members" : "";
        return "node " + cluster.nodeId() + ", data " + cluster.dataAddress() + "; " + members.size() + " members: "
                + String.join(", ", members) + minimum;
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
