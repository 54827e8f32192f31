package io.corvid.broker.cluster.hazelcast;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicate;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.corvid.broker.Cluster;
import io.corvid.broker.ClusterContext;
import java.io.Serializable;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node owns which client identifier: an IMap of client identifier to {@link Owner} (node,
 * epoch), claimed on CONNECT by an entry processor that bumps the epoch, so that claims of one
 * identifier are atomic and totally ordered whichever nodes make them.
 *
 * <p>The node that loses a client learns it from an entry listener whose predicate, evaluated on
 * the partition owner, lets through only updates whose {@link Owner#previous()} is that node: one
 * event, to the one node that needs it, sent by the member that applied the claim (so it goes out
 * even if the claiming node dies right after). Events of one key arrive in order; an event whose
 * epoch is not newer than what this node knows of the client is stale and ignored.
 *
 * <p>This node's knowledge per client ({@link Known}) is what makes a claim that was overtaken
 * while it was being answered lose: the engine asks {@link #isCurrent} before it attaches.
 */
final class ClientOwnership {
    private static final Logger LOG = LoggerFactory.getLogger(ClientOwnership.class);
    /** The IMap's name. Its backups are Hazelcast's default for maps: one, synchronous. */
    static final String MAP = "corvid.owners";
    /**
     * How long a released identifier's entry stays (ownerless, keeping its epoch) before it
     * expires: epochs must not start again from 1 while a notice about an older one could still
     * be on its way, and an hour is far beyond any event's delay; after it, the map forgets
     * clients that are gone.
     */
    static final long RELEASED_TTL_SECONDS = 3600;

    private final String nodeId;
    private final IMap<String, Owner> map;
    private final ClusterContext context;
    private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();
    private final UUID listener;
    /** The split-brain protection's minimum size (1: none), for the log. */
    private final int minimumClusterSize;
    /** Whether claims are being refused for want of members, so that each such episode is logged once. */
    private final AtomicBoolean belowMinimum = new AtomicBoolean();
    /** Runs the blocking clean-up after a node left, off the control and event threads. */
    private final ExecutorService cleanup = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "corvid-cluster-owners");
        thread.setDaemon(true);
        return thread;
    });

    ClientOwnership(String nodeId, IMap<String, Owner> map, ClusterContext context, int minimumClusterSize) {
        this.nodeId = nodeId;
        this.map = map;
        this.context = context;
        this.minimumClusterSize = minimumClusterSize;
        this.listener = map.addEntryListener((EntryUpdatedListener<String, Owner>) this::onUpdated,
                new PreviousOwnerIs(nodeId), true);
    }

    /** Makes this node the owner of {@code clientId}; completes with the claim's epoch. */
    CompletionStage<Long> claim(String clientId) {
        known.compute(clientId, (id, now) -> now == null ? new Known(0, false, 1) : now.pending(+1));
        CompletableFuture<Long> result = new CompletableFuture<>();
        try {
            map.submitToKey(clientId, new Claim(nodeId)).whenComplete((owner, error) -> {
                if (error != null) {
                    failed(clientId, error);
                    result.completeExceptionally(error);
                } else {
                    claimed();
                    settle(clientId, owner.epoch());
                    result.complete(owner.epoch());
                }
            });
        } catch (RuntimeException e) {
            failed(clientId, e);
            result.completeExceptionally(e);
        }
        return result;
    }

    private void failed(String clientId, Throwable error) {
        settle(clientId, Cluster.NO_CLAIM);
        if (isSplitBrainProtection(error)) {
            if (belowMinimum.compareAndSet(false, true)) {
                // Once per episode: a minority side under a stream of reconnecting clients would flood the log.
                LOG.warn("This node's side of the cluster has fewer than the {} members that client ownership needs "
                        + "(a split, or nodes down): new CONNECTs are refused (Server unavailable) until it has them "
                        + "again; connected clients stay", minimumClusterSize);
            }
        } else {
            LOG.debug("Claiming client identifier {} failed: {}", clientId, error.toString());
        }
    }

    private void claimed() {
        if (belowMinimum.compareAndSet(true, false)) {
            LOG.info("This node's side of the cluster has the {} members that client ownership needs again: "
                    + "CONNECTs are accepted", minimumClusterSize);
        }
    }

    private static boolean isSplitBrainProtection(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SplitBrainProtectionException) {
                return true;
            }
        }
        return false;
    }

    /** A claim was answered (or failed, with {@link Cluster#NO_CLAIM}): the newest epoch known wins. */
    private void settle(String clientId, long epoch) {
        known.compute(clientId, (id, now) -> {
            Known settled = now == null ? new Known(0, false, 0) : now.pending(-1);
            if (epoch > settled.epoch) {
                settled = new Known(epoch, true, settled.pending);
            }
            return settled.ours || settled.pending > 0 ? settled : null;
        });
    }

    /** Whether this node's claim {@code epoch} of {@code clientId} is the newest it knows. */
    boolean isCurrent(String clientId, long epoch) {
        Known now = known.get(clientId);
        return now != null && now.ours && now.epoch == epoch;
    }

    /** This node's session under claim {@code epoch} ended: the identifier goes free if the claim is still that one. */
    void release(String clientId, long epoch) {
        boolean[] ours = new boolean[1];
        known.computeIfPresent(clientId, (id, now) -> {
            if (!now.ours || now.epoch != epoch) {
                return now;
            }
            ours[0] = true;
            return now.pending == 0 ? null : new Known(now.epoch, false, now.pending);
        });
        if (ours[0]) {
            // The entry processor checks again on the partition: a newer claim elsewhere keeps its entry.
            map.submitToKey(clientId, new Release(nodeId, epoch)).whenComplete((released, error) -> {
                if (error != null) {
                    LOG.debug("Releasing client identifier {} failed: {}", clientId, error.toString());
                }
            });
        }
    }

    /** Another node claimed a client this node owned (the listener's predicate let only such updates through). */
    private void onUpdated(EntryEvent<String, Owner> event) {
        Owner owner = event.getValue();
        if (owner == null || owner.node() == null || owner.node().equals(nodeId)) {
            return;
        }
        String clientId = event.getKey();
        long epoch = owner.epoch();
        boolean[] newer = new boolean[1];
        known.compute(clientId, (id, now) -> {
            if (now != null && now.epoch >= epoch) {
                return now; // stale: this node claimed again since
            }
            newer[0] = true;
            // Kept only while a claim of this node is under way: it must lose if it is older.
            return now == null || now.pending == 0 ? null : new Known(epoch, false, now.pending);
        });
        if (newer[0]) {
            LOG.debug("Client {} claimed by node {} (epoch {})", clientId, owner.node(), epoch);
            // After the record above: a connection attaching here checks it first, in the session's
            // executor, where this notice's work then follows it.
            context.takeOverClient(clientId, epoch);
        }
    }

    /** A node left: its claims become ownerless tombstones, so that the map does not keep them for ever. */
    void nodeLeft(String node) {
        try {
            cleanup.execute(() -> {
                try {
                    Map<String, Boolean> released = map.executeOnEntries(new Release(node, Release.ANY_EPOCH),
                            new OwnedBy(node));
                    LOG.debug("Released {} client identifiers of node {}, which left", released.size(), node);
                } catch (RuntimeException e) {
                    LOG.debug("Releasing the client identifiers of node {} failed: {}", node, e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // Stopping: the next oldest member does it, or the claims are simply overridden.
        }
    }

    /**
     * The owner of {@code clientId} as the map holds it now (for tests and operators), or
     * {@code null}; fails with Hazelcast's {@code SplitBrainProtectionException} while this side
     * of the cluster is below its minimum size.
     */
    Owner owner(String clientId) {
        return map.get(clientId);
    }

    void close() {
        cleanup.shutdownNow();
        try {
            map.removeEntryListener(listener);
        } catch (RuntimeException e) {
            // Hazelcast is stopping or gone: the listener goes with it.
        }
    }

    /** What this node knows of a client: the newest epoch it has seen, whether that claim is its own, and its claims under way. */
    private record Known(long epoch, boolean ours, int pending) {
        Known pending(int change) {
            return new Known(epoch, ours, pending + change);
        }
    }

    /**
     * An entry of the map.
     *
     * @param node     the owning node, or {@code null} once released
     * @param epoch    bumped by every claim, kept by a release
     * @param previous the node that lost the client to this claim, or {@code null}: whom the notice goes to
     */
    record Owner(String node, long epoch, String previous) implements Serializable {
    }

    /** Sets an entry's value with a time to live (0: for ever), replacing the one it had. */
    private static void set(Map.Entry<String, Owner> entry, Owner value, long ttlSeconds) {
        if (entry instanceof ExtendedMapEntry<String, Owner> extended) {
            extended.setValue(value, ttlSeconds, TimeUnit.SECONDS);
        } else {
            entry.setValue(value);
        }
    }

    /** The claim: owner := node, epoch + 1, and who lost it. Applied alike to the backup. */
    record Claim(String node) implements EntryProcessor<String, Owner, Owner> {
        @Override
        public Owner process(Map.Entry<String, Owner> entry) {
            Owner old = entry.getValue();
            long epoch = old == null ? 1 : old.epoch() + 1;
            String previous = old == null || old.node() == null || old.node().equals(node) ? null : old.node();
            Owner claimed = new Owner(node, epoch, previous);
            set(entry, claimed, 0);
            return claimed;
        }
    }

    /** The release: ownerless (keeping the epoch, for a while) if {@code node} still owns it under {@code epoch}. */
    record Release(String node, long epoch) implements EntryProcessor<String, Owner, Boolean> {
        static final long ANY_EPOCH = -1;

        @Override
        public Boolean process(Map.Entry<String, Owner> entry) {
            Owner old = entry.getValue();
            if (old == null || !node.equals(old.node()) || (epoch != ANY_EPOCH && old.epoch() != epoch)) {
                return false;
            }
            set(entry, new Owner(null, old.epoch(), null), RELEASED_TTL_SECONDS);
            return true;
        }
    }

    /** Lets through updates that took a client from {@code node}. */
    record PreviousOwnerIs(String node) implements Predicate<String, Owner> {
        @Override
        public boolean apply(Map.Entry<String, Owner> entry) {
            Owner owner = entry.getValue();
            return owner != null && node.equals(owner.previous());
        }
    }

    /** Entries owned by {@code node}. */
    record OwnedBy(String node) implements Predicate<String, Owner> {
        @Override
        public boolean apply(Map.Entry<String, Owner> entry) {
            Owner owner = entry.getValue();
            return owner != null && node.equals(owner.node());
        }
    }
}
