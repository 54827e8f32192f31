package io.corvid.broker.cluster.hazelcast;

import io.corvid.broker.Authentication;
import io.corvid.broker.Broker;
import io.corvid.broker.SessionStore;
import java.time.Duration;
import java.util.List;

/** One broker of a test cluster: a real {@link Broker} on an ephemeral port with its own Hazelcast member. */
final class Node implements AutoCloseable {
    final Broker broker;
    final HazelcastCluster cluster;

    private Node(Broker broker, HazelcastCluster cluster) {
        this.broker = broker;
        this.cluster = cluster;
    }

    /**
     * Starts a node of {@code clusterName} joining through {@code seed} (or none, for the first).
     * Ports are ephemeral everywhere; Hazelcast is tuned to join at once and notice a vanished
     * member within seconds.
     */
    static Node start(String clusterName, Node seed) {
        return start(clusterName, seed, null);
    }

    /** As {@link #start(String, Node)}, restoring sessions from {@code store} (when not {@code null}). */
    static Node start(String clusterName, Node seed, SessionStore store) {
        return start(clusterName, seed, store, Duration.ZERO);
    }

    /** As {@link #start(String, Node, SessionStore)}, publishing the $SYS topics every {@code sysInterval} (zero: never). */
    static Node start(String clusterName, Node seed, SessionStore store, Duration sysInterval) {
        return start(clusterName, seed, store, sysInterval, 1);
    }

    /** As {@link #start(String, Node)}, with split-brain protection of ownership at {@code minimumClusterSize} members. */
    static Node startWithMinimumSize(String clusterName, Node seed, int minimumClusterSize) {
        return start(clusterName, seed, null, Duration.ZERO, minimumClusterSize);
    }

    private static Node start(String clusterName, Node seed, SessionStore store, Duration sysInterval,
                              int minimumClusterSize) {
        HazelcastCluster.Builder settings = HazelcastCluster.builder().clusterName(clusterName).host("127.0.0.1")
                .port(0).dataPort(0).dataThreads(1).minimumClusterSize(minimumClusterSize)
                .hazelcastProperty("hazelcast.wait.seconds.before.join", "0")
                .hazelcastProperty("hazelcast.max.wait.seconds.before.join", "0")
                .hazelcastProperty("hazelcast.partition.count", "7")
                .hazelcastProperty("hazelcast.heartbeat.interval.seconds", "1")
                .hazelcastProperty("hazelcast.max.no.heartbeat.seconds", "4")
                .hazelcastProperty("hazelcast.tcp.join.port.try.count", "1");
        if (seed != null) {
            settings.members(List.of(seed.controlAddress()));
        }
        HazelcastCluster cluster = settings.build();
        Broker.Builder builder = new Broker.Builder().host("127.0.0.1").port(0).sysInterval(sysInterval).ioThreads(1)
                .authentication(Authentication.allowAll()).cluster(cluster);
        if (store != null) {
            builder.sessionStore(store);
        }
        Broker broker = builder.build().start();
        return new Node(broker, cluster);
    }

    String controlAddress() {
        com.hazelcast.cluster.Address address = cluster.hazelcastInstance().getCluster().getLocalMember().getAddress();
        return address.getHost() + ":" + address.getPort();
    }

    String uri() {
        return "tcp://127.0.0.1:" + broker.port();
    }

    String nodeId() {
        return cluster.nodeId();
    }

    /** Whether this node routes messages for {@code filter} to {@code other}. */
    boolean knowsRoute(Node other, String filter) {
        return cluster.remoteRoutes().getOrDefault(other.nodeId(), java.util.Set.of()).contains(filter);
    }

    /** This node's retained message of {@code topic} as a subscriber would get it now, or {@code null}. */
    String retained(String topic) {
        List<io.corvid.broker.packet.Publish> retained = broker.retained(topic);
        return retained.isEmpty() ? null
                : new String(retained.get(0).payload(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The cluster's retained message of {@code topic} as its map holds it now (read where it is stored), or {@code null}. */
    RetainedValue clusterRetained(String topic) {
        return cluster.hazelcastInstance().<String, RetainedValue>getMap(HazelcastSettings.RETAINED)
                .executeOnKey(topic, new ReadRetained());
    }

    /** The cluster's retained payload of {@code topic}, or {@code null} when it has none or it was deleted or expired. */
    String clusterRetainedPayload(String topic) {
        RetainedValue value = clusterRetained(topic);
        return value == null || value.isDeletion() ? null
                : new String(value.message(topic).payload(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        broker.stop();
    }
}
