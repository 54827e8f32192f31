package io.corvid.broker.cluster.hazelcast;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.corvid.broker.ClusterContext;
import io.corvid.broker.ClusterMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's retained messages in line with the cluster's: a Hazelcast {@link IMap} keyed
 * by topic (with backups) holds every topic's newest retained message, or its deletion for a
 * while, so that a node that joins, returns or comes out of a split brain loads them all.
 *
 * <p>Which message of a topic is the newest is decided by {@link RetainedVersion}, the same way
 * everywhere: in the map, by {@link WriteRetained} on the member that owns the topic; on each node,
 * here, before anything is installed in the node's own retained messages. A message reaches a
 * node by up to three paths (the publishing node's data plane, the map's events, the load when
 * joining), in any order; whatever the order, each node ends with the newest one, because an
 * older one never replaces a newer one.
 *
 * <p>The version this node has for each topic is held in memory; that of a deletion or an expired
 * message is forgotten once the map has forgotten it too (see {@link RetainedValue#ttlSeconds}),
 * by a sweep at most once a minute, so that the memory it takes follows the topics that have a
 * retained message, not every topic that ever had one.
 */
final class RetainedSync {
    private static final Logger LOG = LoggerFactory.getLogger(RetainedSync.class);
    private static final long LOAD_TIMEOUT_SECONDS = 30;
    private static final long SWEEP_INTERVAL_MILLIS = 60_000;

    private final String localNode;
    private final ClusterContext context;
    private final long tombstoneSeconds;
    /** Runs the sweeps, off the threads that publish and deliver. */
    private final Executor sweeper;
    /** The wall clock, for versions and for when they may be forgotten. */
    private final LongSupplier clock;
    /** The version of each topic's retained message (or deletion) on this node. */
    private final Map<String, Known> versions = new ConcurrentHashMap<>();
    /** When the next sweep of {@link #versions} is due (wall clock). */
    private final AtomicLong nextSweepMillis = new AtomicLong();
    private volatile IMap<String, RetainedValue> map;
    private UUID listenerId;

    /** A topic's version on this node, and when it may be forgotten ({@link Long#MAX_VALUE}: never). */
    private record Known(RetainedVersion version, long forgetAtMillis) {
    }

    /**
     * @param localNode        this node's identifier, for the versions it writes
     * @param context          this node's engine
     * @param tombstoneSeconds how long a deletion (or an expired message) is remembered
     * @param sweeper          where the versions due to be forgotten are swept
     */
    RetainedSync(String localNode, ClusterContext context, long tombstoneSeconds, Executor sweeper) {
        this(localNode, context, tombstoneSeconds, sweeper, System::currentTimeMillis);
    }

    /** As the other constructor, on {@code clock} (tests move it). */
    RetainedSync(String localNode, ClusterContext context, long tombstoneSeconds, Executor sweeper,
                 LongSupplier clock) {
        this.localNode = localNode;
        this.context = context;
        this.tombstoneSeconds = tombstoneSeconds;
        this.sweeper = sweeper;
        this.clock = clock;
    }

    /**
     * A retained message (an empty one deletes) published on this node, which the engine has
     * stored already: gives it a version newer than any this node has seen for its topic, makes
     * sure it is the one this node keeps, and writes it to the map without waiting.
     *
     * @return its version, for the copies sent straight to the other nodes
     */
    RetainedVersion published(ClusterMessage message) {
        long now = clock.getAsLong();
        RetainedVersion version = versions.compute(message.topic(), (t, seen) -> {
            // A newer message from elsewhere may have been installed between the engine storing this
            // one and now; this one is newer still, so it must be the one kept. (Nothing is written
            // when it is still there, the usual case.)
            context.installRetained(message);
            return known(message, RetainedVersion.next(seen == null ? null : seen.version(), now, localNode), now);
        }).version();
        sweepIfDue(now);
        write(message, version);
        return version;
    }

    /**
     * A retained message another node published, sent straight from it: delivered to this node's
     * subscribers in any case (it was published), kept only when it is newer than this node's.
     *
     * @return the number of sessions it was handed to
     */
    int receivedLive(ClusterMessage message, RetainedVersion version) {
        install(message, version);
        return context.deliverWithoutRetaining(message);
    }

    /** Makes {@code message} this node's retained message of its topic if it is newer; returns whether it was. */
    boolean install(ClusterMessage message, RetainedVersion version) {
        boolean[] installed = {false};
        long now = clock.getAsLong();
        versions.compute(message.topic(), (topic, seen) -> {
            if (seen != null && !version.isNewerThan(seen.version())) {
                return seen;
            }
            context.installRetained(message);
            installed[0] = true;
            return known(message, version, now);
        });
        sweepIfDue(now);
        return installed[0];
    }

    /**
     * Starts following the map, then loads it (see {@link #load}). Blocks until loaded; throws when
     * the map cannot be read.
     */
    void attach(IMap<String, RetainedValue> retained) {
        // Listening before loading: nothing written meanwhile is missed (what comes twice is ignored).
        listenerId = retained.addEntryListener(new Listener(), true);
        map = retained;
        load();
    }

    /** Stops following the map, before the node leaves. */
    void detach() {
        IMap<String, RetainedValue> current = map;
        map = null;
        if (current != null && listenerId != null) {
            try {
                current.removeEntryListener(listenerId);
            } catch (RuntimeException e) {
                LOG.debug("Could not remove the retained-message listener", e);
            }
        }
    }

    /**
     * Installs every retained message of the map newer than this node's (the cluster's copy wins
     * over one this node restored from its store, and a deletion in the map deletes it), then
     * offers the map this node's own retained messages of topics that the map does not know, at
     * the lowest version, so that a cluster started afresh from the nodes' stores keeps them.
     */
    void load() {
        IMap<String, RetainedValue> current = map;
        if (current == null) {
            return;
        }
        Map<String, RetainedValue> cluster = current.executeOnEntries(new ReadRetained());
        int installed = 0;
        for (Map.Entry<String, RetainedValue> entry : cluster.entrySet()) {
            if (install(entry.getValue().message(entry.getKey()), entry.getValue().version())) {
                installed++;
            }
        }
        List<CompletableFuture<RetainedValue>> offers = new ArrayList<>();
        AtomicInteger lost = new AtomicInteger();
        RetainedVersion restored = new RetainedVersion(RetainedVersion.RESTORED, localNode);
        for (ClusterMessage own : context.retainedMessages()) {
            String topic = own.topic();
            if (cluster.containsKey(topic) || isNodeOwn(topic)) {
                continue;
            }
            versions.putIfAbsent(topic, new Known(restored, Long.MAX_VALUE));
            offers.add(current.submitToKey(topic, new WriteRetained(RetainedValue.of(own, restored), tombstoneSeconds))
                    .toCompletableFuture().whenComplete((winner, failure) -> {
                        if (winner != null && install(winner.message(topic), winner.version())) {
                            lost.incrementAndGet();
                        }
                    }));
        }
        awaitAll(offers);
        LOG.info("Retained messages: {} in the cluster, {} of them new to this node; {} of this node's own offered to "
                + "the cluster, {} of which another node's copy replaced", cluster.size(), installed, offers.size(),
                lost.get());
    }

    private static void awaitAll(List<CompletableFuture<RetainedValue>> offers) {
        try {
            CompletableFuture.allOf(offers.toArray(CompletableFuture[]::new))
                    .get(LOAD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while offering retained messages to the cluster", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not offer retained messages to the cluster: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("offering retained messages to the cluster took more than "
                    + LOAD_TIMEOUT_SECONDS + " s", e);
        }
    }

    /** The broker's own $SYS messages describe each node: never shared through the map. */
    private static boolean isNodeOwn(String topic) {
        return topic.startsWith("$SYS/");
    }

    private void write(ClusterMessage message, RetainedVersion version) {
        IMap<String, RetainedValue> current = map;
        if (current == null || isNodeOwn(message.topic())) {
            return;
        }
        try {
            current.submitToKey(message.topic(), new WriteRetained(RetainedValue.of(message, version), tombstoneSeconds))
                    .whenComplete((winner, failure) -> {
                        if (failure != null) {
                            LOG.warn("Could not write the retained message of {} to the cluster: {}", message.topic(),
                                    failure.toString());
                        }
                    });
        } catch (RuntimeException e) {
            // Hazelcast refuses calls while the member stops; the live copies went out anyway.
            LOG.warn("Could not write the retained message of {} to the cluster: {}", message.topic(), e.toString());
        }
    }

    /**
     * {@code message}'s version and when it may be forgotten: a deletion or an expiring message
     * once the map forgets it too, any other never (while it is retained).
     */
    private Known known(ClusterMessage message, RetainedVersion version, long nowMillis) {
        long keepMillis = TimeUnit.SECONDS.toMillis(tombstoneSeconds);
        if (message.payload().length == 0) {
            return new Known(version, nowMillis + keepMillis);
        }
        if (message.expirySeconds() != ClusterMessage.NEVER_EXPIRES) {
            return new Known(version, nowMillis + TimeUnit.SECONDS.toMillis(message.expirySeconds()) + keepMillis);
        }
        return new Known(version, Long.MAX_VALUE);
    }

    /** Has the versions that are due forgotten, at most once per interval. */
    private void sweepIfDue(long nowMillis) {
        long due = nextSweepMillis.get();
        if (nowMillis < due || !nextSweepMillis.compareAndSet(due, nowMillis + SWEEP_INTERVAL_MILLIS)) {
            return;
        }
        // removeIf on a ConcurrentHashMap's entries removes an entry only if it still has the value
        // that was tested, so a version written meanwhile stays.
        sweeper.execute(() -> versions.entrySet().removeIf(entry -> entry.getValue().forgetAtMillis() <= nowMillis));
    }

    /** Installs what other nodes write to the map (this node's own writes come back and are ignored). */
    private final class Listener implements EntryAddedListener<String, RetainedValue>,
            EntryUpdatedListener<String, RetainedValue>, EntryMergedListener<String, RetainedValue> {
        @Override
        public void entryAdded(EntryEvent<String, RetainedValue> event) {
            changed(event);
        }

        @Override
        public void entryUpdated(EntryEvent<String, RetainedValue> event) {
            changed(event);
        }

        @Override
        public void entryMerged(EntryEvent<String, RetainedValue> event) {
            changed(event);
        }

        private void changed(EntryEvent<String, RetainedValue> event) {
            RetainedValue value = event.getValue();
            if (value != null) {
                install(value.message(event.getKey()), value.version());
            }
        }
    }
}
