package io.corvid.broker.cluster.hazelcast;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.corvid.broker.Cluster;
import io.corvid.broker.ClusterContext;
import io.corvid.broker.ClusterMember;
import io.corvid.broker.ClusterMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Cluster} on Hazelcast (Community Edition, AP structures only):
 * <pre>{@code
 * HazelcastCluster cluster = HazelcastCluster.builder()
 *         .clusterName("corvid").host("10.0.0.1").port(5701)
 *         .members(List.of("10.0.0.2:5701", "10.0.0.3:5701"))
 *         .build();
 * Broker broker = new Broker.Builder().port(1883).cluster(cluster).build().start();
 * }</pre>
 *
 * <p>The control plane is Hazelcast's: membership (TCP-IP join with the listed members,
 * multicast off), where each member's attributes carry its node identifier and data-plane
 * address, and the route table (which node has subscribers for which topic filter; see
 * {@link RouteTable}). The data plane is not: a message published on one node goes straight to
 * each other node with a matching subscriber over a direct connection ({@link DataPlane}), at
 * most once per node, and the receiving node delivers it to its own subscribers only, so nothing
 * is ever forwarded twice. A shared subscription group gets each message once cluster-wide: from
 * a member on the publishing node when it has one, otherwise on one node with members of it,
 * named in the frame that node gets anyway or in a frame of its own (see {@link Forwarder}).
 * Retained messages go to every node, so that each node's retained
 * messages stay complete for its new subscribers, and into a Hazelcast map with backups, from
 * which a node that joins later loads them (see {@link RetainedSync}).
 *
 * <p>Each client identifier has one owner node, kept in an IMap and claimed at CONNECT by an
 * entry processor that bumps its epoch; the node that loses a client to a newer claim closes its
 * connection as taken over and ends its session there (see {@link ClientOwnership}). With a
 * {@link Builder#minimumClusterSize minimum cluster size}, Hazelcast's split-brain protection
 * guards that map, so that a side of a split with fewer members refuses new CONNECTs rather than
 * make a second owner.
 *
 * <p>What is guaranteed, and what not yet, is in docs/cluster.md. One instance serves one broker.
 */
public final class HazelcastCluster implements Cluster {
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastCluster.class);
    private static final long CONTROL_TIMEOUT_SECONDS = 30;

    private final Builder settings;
    private final String nodeId = UUID.randomUUID().toString();
    private final RouteIndex index = new RouteIndex();
    /** Runs every route table and membership change, in order (see RouteTable). */
    private final ExecutorService control = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "corvid-cluster-control");
        thread.setDaemon(true);
        return thread;
    });
    private final RouteTable routes = new RouteTable(nodeId, index, this::onControlLater);
    /** Messages a shared group missed: no node took them, or the chosen node had no member left. */
    private final AtomicLong unservedShares = new AtomicLong();
    private volatile DataPlane dataPlane;
    private volatile Forwarder forwarder;
    private volatile RetainedSync retained;
    private volatile HazelcastInstance hazelcast;
    private volatile String dataAddress;
    /** Client identifier ownership (see ClientOwnership); {@code null} before start. */
    private volatile ClientOwnership owners;
    private volatile boolean running;
    /** Set once {@link #stop} begins, so that Hazelcast's own shutdown then is not mistaken for a failure. */
    private volatile boolean stopped;

    private HazelcastCluster(Builder settings) {
        this.settings = settings;
    }

    /** A builder with the defaults: cluster "corvid", 127.0.0.1:5701, no other members, data port ephemeral. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public synchronized void start(ClusterContext context) {
        if (hazelcast != null) {
            throw new IllegalStateException("a HazelcastCluster serves one broker, once");
        }
        DataPlane data = new DataPlane(settings.clusterName, nodeId, settings.dataThreads, settings.peerQueueBytes);
        dataPlane = data;
        RetainedSync sync = new RetainedSync(nodeId, context, settings.retainedTombstoneTtl.toSeconds(),
                this::onControlLater);
        retained = sync;
        forwarder = new Forwarder(index, data, sync::published, context::deliverShared, unservedShares);
        try {
            InetSocketAddress bound = data.start(settings.host, settings.dataPort, inbound -> receive(context, inbound));
            dataAddress = settings.host + ":" + bound.getPort();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new IllegalStateException("interrupted while binding the cluster data port", e);
        } catch (Exception e) { // Netty rethrows the bind's IOException undeclared
            stop();
            throw new IllegalStateException("could not bind the cluster data port " + settings.host + ":"
                    + settings.dataPort + ": " + e, e);
        }
        try {
            hazelcast = Hazelcast.newHazelcastInstance(HazelcastSettings.config(settings, nodeId, dataAddress));
            ReplicatedMap<String, Long> map = hazelcast.getReplicatedMap(HazelcastSettings.ROUTES);
            hazelcast.getLifecycleService().addLifecycleListener(event -> {
                if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                    onControlLater(this::afterMerge);
                } else if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && !stopped) {
                    // Hazelcast stopped under a running broker (terminated, or out of memory): the
                    // node is out of the cluster and serves its own clients only from now on.
                    running = false;
                    if (settings.minimumClusterSize > 1) {
                        LOG.error("The cluster member of this node stopped: it no longer takes part in cluster '{}', "
                                + "serves the clients it has and refuses new ones (it is below the minimum cluster "
                                + "size of {}); restart the node to rejoin", settings.clusterName,
                                settings.minimumClusterSize);
                    } else {
                        LOG.error("The cluster member of this node stopped: it no longer takes part in cluster '{}' "
                                + "and serves its own clients only; restart the node to rejoin", settings.clusterName);
                    }
                }
            });
            owners = new ClientOwnership(nodeId, hazelcast.getMap(ClientOwnership.MAP), context,
                    settings.minimumClusterSize);
            onControl(() -> routes.attach(map));
            // Hazelcast calls the listener's init (the members now) on this thread, under the lock
            // that orders membership changes, so its task is queued before any change's and before
            // the empty task below, whose completion thus means the links are being opened.
            hazelcast.getCluster().addMembershipListener(new Membership());
            onControl(() -> { });
            // Before the broker serves: its first subscribers find every retained message of the cluster.
            IMap<String, RetainedValue> retainedMap = hazelcast.getMap(HazelcastSettings.RETAINED);
            onControl(() -> sync.attach(retainedMap));
        } catch (RuntimeException e) {
            stop();
            throw new IllegalStateException("could not join cluster '" + settings.clusterName + "': " + e.getMessage(), e);
        }
        running = true;
        LOG.info("Cluster '{}': this node is {} (control {}, data {}); members: {}", settings.clusterName, nodeId,
                controlAddress(hazelcast.getCluster().getLocalMember()), dataAddress, describe(members()));
    }

    @Override
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        running = false;
        HazelcastInstance instance = hazelcast;
        try {
            if (instance != null) {
                onControl(routes::detach);
                RetainedSync sync = retained;
                if (sync != null) {
                    onControl(sync::detach);
                }
                // A graceful leave: the others see this member go at once and drop its routes.
                instance.shutdown();
            }
        } catch (RuntimeException e) {
            LOG.warn("Leaving the cluster failed", e);
        } finally {
            DataPlane data = dataPlane;
            if (data != null) {
                data.close();
            }
            ClientOwnership claims = owners;
            if (claims != null) {
                claims.close();
            }
            control.shutdownNow();
        }
    }

    @Override
    public void filterAdded(String topicFilter) {
        routes.filterAdded(topicFilter);
    }

    @Override
    public void filterRemoved(String topicFilter) {
        routes.filterRemoved(topicFilter);
    }

    @Override
    public int publish(ClusterMessage message) {
        return publish(message, List.of());
    }

    /**
     * Sends the message to each other node with matching subscribers, once, and places each
     * matching shared group not in {@code sharesServedHere} on one node with members of it (see
     * {@link Forwarder}).
     */
    @Override
    public int publish(ClusterMessage message, Collection<String> sharesServedHere) {
        Forwarder forward = forwarder;
        if (!running || forward == null) {
            return 0;
        }
        return forward.publish(message, sharesServedHere);
    }

    /**
     * Claims {@code clientId} for this node in the cluster's ownership map (see docs/cluster.md);
     * the node that owned it closes its connection as taken over and ends its session. A node
     * that is out of the cluster claims nothing and serves its clients on its own; with a
     * minimum cluster size it is a side of one, below any minimum, so the claim fails and the
     * CONNECT is refused.
     */
    @Override
    public CompletionStage<Long> claimClient(String clientId) {
        ClientOwnership claims = owners;
        if (!running || claims == null) {
            if (settings.minimumClusterSize > 1) {
                return CompletableFuture.failedFuture(new IllegalStateException("this node is out of cluster '"
                        + settings.clusterName + "', below its minimum size of " + settings.minimumClusterSize));
            }
            return CompletableFuture.completedFuture(NO_CLAIM);
        }
        return claims.claim(clientId);
    }

    @Override
    public boolean isClaimCurrent(String clientId, long epoch) {
        ClientOwnership claims = owners;
        return claims == null || !running || claims.isCurrent(clientId, epoch);
    }

    @Override
    public void releaseClient(String clientId, long epoch) {
        ClientOwnership claims = owners;
        if (claims != null && running) {
            claims.release(clientId, epoch);
        }
    }

    /**
     * The node that owns {@code clientId} in the cluster now, or {@code null} when none does.
     *
     * @throws RuntimeException Hazelcast's {@code SplitBrainProtectionException} while this node's
     *         side of the cluster has fewer members than {@link Builder#minimumClusterSize}
     */
    public String ownerOf(String clientId) {
        ClientOwnership claims = owners;
        ClientOwnership.Owner owner = claims == null ? null : claims.owner(clientId);
        return owner == null ? null : owner.node();
    }

    /** Backup copies of the cluster's retained messages, as {@link Builder#retainedBackups} set them. */
    public int retainedBackups() {
        return settings.retainedBackups;
    }

    /** The split-brain protection's minimum cluster size for client ownership (1: off). */
    public int minimumClusterSize() {
        return settings.minimumClusterSize;
    }

    /**
     * Whether this node may claim client identifiers now: always without a minimum cluster size,
     * otherwise while its side of the cluster has at least that many members as Hazelcast's
     * split-brain protection sees them. {@code false} when the node is out of the cluster.
     */
    public boolean hasMinimumClusterSize() {
        HazelcastInstance instance = hazelcast;
        if (instance == null || !running || !instance.getLifecycleService().isRunning()) {
            return false;
        }
        return settings.minimumClusterSize <= 1 || instance.getSplitBrainProtectionService()
                .getSplitBrainProtection(HazelcastSettings.OWNERS_PROTECTION).hasMinimumSize();
    }

    @Override
    public List<ClusterMember> members() {
        HazelcastInstance instance = hazelcast;
        if (instance == null || !instance.getLifecycleService().isRunning()) {
            return List.of();
        }
        List<ClusterMember> members = new ArrayList<>();
        for (Member member : instance.getCluster().getMembers()) {
            String node = member.getAttribute(HazelcastSettings.NODE_ATTRIBUTE);
            if (node != null) {
                members.add(new ClusterMember(node, controlAddress(member),
                        member.getAttribute(HazelcastSettings.DATA_ATTRIBUTE), member.localMember()));
            }
        }
        return members;
    }

    /** Hands a message from another node to the engine; a retained one goes through {@link RetainedSync}. */
    private void receive(ClusterContext context, FrameCodec.Inbound inbound) {
        ClusterMessage message = inbound.message();
        if (!inbound.sharesOnly()) {
            RetainedSync sync = retained;
            if (message.retain() && inbound.version() != null && sync != null) {
                sync.receivedLive(message, inbound.version());
            } else {
                context.deliver(message);
            }
        }
        List<String> shares = inbound.shares();
        if (!shares.isEmpty()) {
            // A group whose last member here left after the sender chose this node misses the
            // message: the sender has acknowledged it already, and nothing here knows where else
            // the group has members that the sender did not choose.
            int missed = shares.size() - context.deliverShared(message, shares);
            if (missed > 0) {
                unservedShares.addAndGet(missed);
                LOG.debug("{} shared group(s) of {} have no member here any more; message dropped for them", missed,
                        message.topic());
            }
        }
    }

    /** This node's identifier in the cluster (random per start). */
    public String nodeId() {
        return nodeId;
    }

    /** Where this node's data plane listens (host:port), or {@code null} before start. */
    public String dataAddress() {
        return dataAddress;
    }

    /** Messages written to other nodes' connections since start. */
    @Override
    public long forwardedMessages() {
        DataPlane data = dataPlane;
        return data == null ? 0 : data.forwarded();
    }

    /** Messages received from other nodes since start. */
    @Override
    public long receivedMessages() {
        DataPlane data = dataPlane;
        return data == null ? 0 : data.received();
    }

    /**
     * Messages for other nodes that were dropped since start: a node's queue was full (it did not
     * keep up, or could not be reached), or it left with messages waiting.
     */
    @Override
    public long droppedMessages() {
        DataPlane data = dataPlane;
        return data == null ? 0 : data.dropped();
    }

    /**
     * Messages whose node chosen for a shared group refused them (no link, or its queue full), so
     * that the group was placed again: on another of its nodes, or on a member here.
     */
    public long reroutedSharedMessages() {
        Forwarder forward = forwarder;
        return forward == null ? 0 : forward.rerouted();
    }

    /**
     * Messages a shared group missed: no node of the group (this one included) took them, or the
     * node chosen for the group, on receiving them, had no member of it left. Counted on the node
     * where it happened.
     */
    public long unservedSharedMessages() {
        return unservedShares.get();
    }

    /** The other nodes' topic filters as this node knows them now, by node identifier. */
    public Map<String, Set<String>> remoteRoutes() {
        return index.snapshot();
    }

    /** Whether this node's connection to {@code node}'s data plane is open. */
    public boolean isConnectedTo(String node) {
        DataPlane data = dataPlane;
        return data != null && data.isConnected(node);
    }

    /** The Hazelcast member behind this node (tests end it abruptly with it). */
    HazelcastInstance hazelcastInstance() {
        return hazelcast;
    }

    // ---------------------------------------------------------------- membership (control thread)

    /**
     * Queues work for the control thread. A failure is logged, not lost in the executor: while
     * the node leaves, Hazelcast refuses calls, which is expected then.
     */
    private void onControlLater(Runnable task) {
        try {
            control.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.warn("A route table change failed", e);
                    } else {
                        LOG.debug("A route table change failed while the node leaves: {}", e.toString());
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("The cluster has stopped; a route table change is not applied");
        }
    }

    private void onControl(Runnable task) {
        try {
            control.submit(task).get(CONTROL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the cluster's control thread did not answer in "
                    + CONTROL_TIMEOUT_SECONDS + " s", e);
        }
    }

    /** Brings links and routes in line with the members Hazelcast reports. */
    private void syncMembers(Set<Member> members) {
        Map<String, Member> current = new HashMap<>();
        for (Member member : members) {
            String node = member.getAttribute(HazelcastSettings.NODE_ATTRIBUTE);
            if (node != null && !member.localMember()) {
                current.put(node, member);
            }
        }
        for (String node : List.copyOf(dataPlane.peers())) {
            if (!current.containsKey(node)) {
                nodeLeft(node);
            }
        }
        current.values().forEach(this::memberJoined);
    }

    private void memberJoined(Member member) {
        String node = member.getAttribute(HazelcastSettings.NODE_ATTRIBUTE);
        String data = member.getAttribute(HazelcastSettings.DATA_ATTRIBUTE);
        if (node == null || data == null) {
            LOG.warn("Member {} is not a Corvid node (no {} attribute); ignoring it", member.getAddress(),
                    HazelcastSettings.NODE_ATTRIBUTE);
            return;
        }
        if (member.localMember()) {
            return;
        }
        int colon = data.lastIndexOf(':');
        if (colon <= 0) {
            LOG.warn("Node {} advertises no usable data address ('{}'); ignoring it", node, data);
            return;
        }
        dataPlane.connect(node, InetSocketAddress.createUnresolved(data.substring(0, colon),
                Integer.parseInt(data.substring(colon + 1))));
        routes.nodeJoined(node);
    }

    private void nodeLeft(String node) {
        dataPlane.disconnect(node);
        boolean oldest = isOldestMember();
        routes.nodeLeft(node, oldest);
        if (oldest) {
            owners.nodeLeft(node);
        }
    }

    /** The oldest member cleans up after members that left, so that one member does it. */
    private boolean isOldestMember() {
        HazelcastInstance instance = hazelcast;
        if (instance == null || !instance.getLifecycleService().isRunning()) {
            return false;
        }
        Set<Member> members = instance.getCluster().getMembers();
        return !members.isEmpty() && members.iterator().next().localMember();
    }

    private void afterMerge() {
        HazelcastInstance instance = hazelcast;
        if (instance == null) {
            return;
        }
        LOG.warn("Cluster '{}' merged after a split; re-asserting this node's routes and reloading the retained "
                + "messages", settings.clusterName);
        syncMembers(instance.getCluster().getMembers());
        routes.reassert();
        routes.rebuildIndex();
        RetainedSync sync = retained;
        if (sync != null) {
            sync.load();
        }
    }

    private final class Membership implements InitialMembershipListener {
        @Override
        public void init(InitialMembershipEvent event) {
            Set<Member> members = event.getMembers();
            onControlLater(() -> syncMembers(members));
        }

        @Override
        public void memberAdded(MembershipEvent event) {
            Member member = event.getMember();
            LOG.info("Node {} joined cluster '{}' ({})", member.getAttribute(HazelcastSettings.NODE_ATTRIBUTE),
                    settings.clusterName, controlAddress(member));
            onControlLater(() -> memberJoined(member));
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            Member member = event.getMember();
            String node = member.getAttribute(HazelcastSettings.NODE_ATTRIBUTE);
            LOG.info("Node {} left cluster '{}' ({})", node, settings.clusterName, controlAddress(member));
            if (node != null) {
                onControlLater(() -> nodeLeft(node));
            }
        }
    }

    private static String controlAddress(Member member) {
        return member.getAddress().getHost() + ":" + member.getAddress().getPort();
    }

    private static String describe(List<ClusterMember> members) {
        StringBuilder text = new StringBuilder();
        for (ClusterMember member : members) {
            text.append(text.length() == 0 ? "" : ", ").append(member.controlAddress())
                    .append(member.local() ? " (this node)" : "");
        }
        return text.toString();
    }

    /** Settings of a {@link HazelcastCluster}; every one has a default. */
    public static final class Builder {
        String clusterName = "corvid";
        String host = "127.0.0.1";
        int port = 5701;
        List<String> members = List.of();
        int dataPort;
        long peerQueueBytes = 64L * 1024 * 1024;
        int dataThreads = 2;
        int retainedBackups = 1;
        Duration retainedTombstoneTtl = Duration.ofDays(1);
        int minimumClusterSize = 1;
        final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {
        }

        /** Only members with the same name form a cluster. Default "corvid". */
        public Builder clusterName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.length() > 255) {
                throw new IllegalArgumentException("a cluster name has 1 to 255 characters: '" + name + "'");
            }
            this.clusterName = name;
            return this;
        }

        /**
         * The address this node binds and advertises, for Hazelcast and the data plane alike: an
         * address the other nodes can reach. Default 127.0.0.1 (nodes on one machine).
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Hazelcast's port; 0 picks a free one. Default 5701. */
        public Builder port(int port) {
            this.port = port(port, "port");
            return this;
        }

        /**
         * Other members to join through, as host:port (TCP-IP join; no multicast). A node need not
         * list itself; listing every node on every node is simplest. Default: none (the node
         * forms a cluster that others join).
         */
        public Builder members(List<String> members) {
            for (String member : members) {
                int colon = member.lastIndexOf(':');
                if (colon <= 0 || colon == member.length() - 1) {
                    throw new IllegalArgumentException("a member is host:port, not '" + member + "'");
                }
                port(Integer.parseInt(member.substring(colon + 1)), "member port");
            }
            this.members = List.copyOf(members);
            return this;
        }

        /** The data plane's port, advertised to the others through Hazelcast; 0 (the default) picks a free one. */
        public Builder dataPort(int port) {
            this.dataPort = port(port, "dataPort");
            return this;
        }

        /**
         * The most bytes of messages waiting for one other node; past it, messages for that node
         * are dropped (counted, logged once per episode). Default 64 MiB.
         */
        public Builder peerQueueBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("peerQueueBytes must be positive: " + bytes);
            }
            this.peerQueueBytes = bytes;
            return this;
        }

        /** Threads of the data plane (its server and its links). Default 2. */
        public Builder dataThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("dataThreads must be positive: " + threads);
            }
            this.dataThreads = threads;
            return this;
        }

        /**
         * Backup copies of the cluster's retained messages on other members (Hazelcast's synchronous
         * backups), so that they survive that many members lost at once. 0 to 6; default 1.
         */
        public Builder retainedBackups(int backups) {
            if (backups < 0 || backups > 6) {
                throw new IllegalArgumentException("retainedBackups must be 0..6: " + backups);
            }
            this.retainedBackups = backups;
            return this;
        }

        /**
         * How long the cluster remembers that a retained message was deleted (or expired), so that
         * a node away for less than that does not bring back its older copy. At least a second;
         * default one day.
         */
        public Builder retainedTombstoneTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.toSeconds() < 1) {
                throw new IllegalArgumentException("retainedTombstoneTtl must be at least a second: " + ttl);
            }
            this.retainedTombstoneTtl = ttl;
            return this;
        }

        /**
         * Split-brain protection of client identifier ownership: the fewest members this node's
         * side of the cluster must have for it to claim a client identifier. Below it, the
         * ownership map refuses reads and writes (Hazelcast's split-brain protection), so a new
         * CONNECT is refused with 0x88 Server unavailable instead of making a second owner on a
         * minority side; clients already connected stay. Give a majority of the nodes (2 of 3,
         * 3 of 5) so that only one side of a split can have it. Retained messages and routing are
         * not affected. Default 1: off.
         */
        public Builder minimumClusterSize(int members) {
            if (members < 1) {
                throw new IllegalArgumentException("minimumClusterSize must be at least 1: " + members);
            }
            this.minimumClusterSize = members;
            return this;
        }

        /**
         * Sets a Hazelcast property (see Hazelcast's {@code ClusterProperty}), for example
         * {@code hazelcast.max.no.heartbeat.seconds}. Applied after Corvid's own.
         */
        public Builder hazelcastProperty(String name, String value) {
            properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The cluster, ready to be given to {@code Broker.Builder.cluster}. */
        public HazelcastCluster build() {
            Builder copy = new Builder();
            copy.clusterName = clusterName;
            copy.host = host;
            copy.port = port;
            copy.members = members;
            copy.dataPort = dataPort;
            copy.peerQueueBytes = peerQueueBytes;
            copy.dataThreads = dataThreads;
            copy.retainedBackups = retainedBackups;
            copy.retainedTombstoneTtl = retainedTombstoneTtl;
            copy.minimumClusterSize = minimumClusterSize;
            copy.properties.putAll(properties);
            return new HazelcastCluster(copy);
        }

        private static int port(int port, String what) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(what + " must be 0..65535: " + port);
            }
            return port;
        }
    }
}
