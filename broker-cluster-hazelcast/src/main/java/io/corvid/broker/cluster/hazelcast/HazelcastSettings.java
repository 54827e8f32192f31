package io.corvid.broker.cluster.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import java.util.Map;

/** Turns a {@link HazelcastCluster.Builder}'s settings into Hazelcast's configuration. */
final class HazelcastSettings {
    /** Member attribute: the node's identifier (stable for its lifetime, unlike the member UUID, which a merge changes). */
    static final String NODE_ATTRIBUTE = "corvid.node";
    /** Member attribute: where the node's data plane listens, host:port. */
    static final String DATA_ATTRIBUTE = "corvid.data";
    /** The route table's name. */
    static final String ROUTES = "corvid.routes";
    /** The map of retained messages by topic. */
    static final String RETAINED = "corvid.retained";
    /** The split-brain protection of the client identifier ownership map (when a minimum cluster size is set). */
    static final String OWNERS_PROTECTION = "corvid.owners.minimum-size";

    private HazelcastSettings() {
    }

    static Config config(HazelcastCluster.Builder settings, String nodeId, String dataAddress) {
        Config config = new Config();
        config.setClusterName(settings.clusterName);
        config.setInstanceName("corvid-" + nodeId);
        // Hazelcast logs through the application's SLF4J backend, like the broker.
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        // The broker stops the cluster itself (Broker.stop, the launcher's own hook) in the right order.
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        // Bind and advertise exactly the configured address, not whatever interface Hazelcast picks.
        config.setProperty("hazelcast.local.localAddress", settings.host);
        config.setProperty("hazelcast.socket.bind.any", "false");
        for (Map.Entry<String, String> property : settings.properties.entrySet()) {
            config.setProperty(property.getKey(), property.getValue());
        }
        config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, nodeId);
        config.getMemberAttributeConfig().setAttribute(DATA_ATTRIBUTE, dataAddress);

        config.getSerializationConfig().addDataSerializableFactory(ClusterSerialization.FACTORY_ID,
                new ClusterSerialization());
        MapConfig retained = new MapConfig(RETAINED).setBackupCount(settings.retainedBackups).setAsyncBackupCount(0);
        retained.getMergePolicyConfig().setPolicy(LatestRetainedMergePolicy.class.getName());
        config.addMapConfig(retained);
        if (settings.minimumClusterSize > 1) {
            // Reads too: a minority side must not answer from a stale copy either. The retained
            // map stays writable on both sides: its writes are versioned and merged after a heal.
            config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(OWNERS_PROTECTION, true,
                    settings.minimumClusterSize).setProtectOn(SplitBrainProtectionOn.READ_WRITE));
            config.addMapConfig(new MapConfig(ClientOwnership.MAP).setSplitBrainProtectionName(OWNERS_PROTECTION));
        }

        NetworkConfig network = config.getNetworkConfig();
        network.setPort(settings.port);
        network.setPortAutoIncrement(false);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(settings.members);
        return config;
    }
}
