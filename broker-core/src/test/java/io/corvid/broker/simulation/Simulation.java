package io.corvid.broker.simulation;

import io.corvid.broker.Authentication;
import io.corvid.broker.Authorization;
import io.corvid.broker.Broker;
import io.corvid.broker.BrokerConfig;
import io.corvid.broker.BrokerListener;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.DropReason;
import io.corvid.broker.SessionInfo;
import io.corvid.broker.engine.BrokerEngine;
import io.corvid.broker.engine.Plugins;
import io.corvid.broker.engine.SimulationAccess;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.store.InMemorySessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One seeded run: many {@link SimClient}s connect (some with wills, delayed or not, some with a
 * keep alive), subscribe, publish at every QoS, disconnect cleanly or drop off the network, take
 * their sessions over, stall as slow readers and hang without closing, all on one
 * {@link DeterministicScheduler}. For some seeds the engine writes through to a {@link FaultyStore}
 * (acknowledgements wait for its group commit, writes fail in bursts) and its process crashes now
 * and then: a new engine starts from what the store holds. Then every persistent client
 * reconnects, the run settles, and the {@link Ledger} and the {@link WillOracle} check the
 * invariants. The same seed always gives the same run.
 */
final class Simulation {
    /** The outcome of a run. */
    record Result(long seed, List<String> violations, int messagesSent, int messagesDelivered, int messagesDropped,
                  long tasksRun, int restarts, int storeFailures, int keepAliveCloses, int willsPublished,
                  int powerLosses, int clientsUnreliableAtRestarts) {
        boolean passed() {
            return violations.isEmpty();
        }
    }

    /**
     * How hard a run is pushed: {@code normal} draws per seed whether a store is used, whether
     * its writes fail and how often the broker crashes; {@code heavy} always uses the store, with
     * the highest failure rates and the most crashes, and more hanging clients.
     */
    enum Faults { NORMAL, HEAVY }

    private static final QoS[] QOS = QoS.values();
    /** Longest will delay and keep alive of a client, in seconds: the run's end waits past both. */
    private static final int MAX_WILL_DELAY = 8;
    private static final int MAX_KEEP_ALIVE = 10;

    private final long seed;
    private final int clientCount;
    private final int rounds;
    private final Faults faults;
    private final Random random;
    private final DeterministicScheduler scheduler;
    private final Ledger ledger = new Ledger();
    private final Map<String, SimClient> clients = new LinkedHashMap<>();
    private final Map<String, String> filters = new LinkedHashMap<>();
    private final int maxQueuedMessages;
    private final int maxInflight;
    /** The store's contents, shared by every engine of the run; {@code null} for a run without a store. */
    private final InMemorySessionStore storeContents;
    /** Chance per round that the broker crashes, for runs with a store. */
    private final double crashChance;
    /** Chance per round that a burst of store failures starts (or the current one ends). */
    private final double failureBurstChance;
    private final double failureRate;
    private final long maxCommitDelayNanos;
    /**
     * Commits come after a few tasks of the writer rather than after virtual time: a fast disk,
     * whose commits gather only the writes of a few moments, so that a power loss loses little.
     */
    private final boolean commitsInSteps;
    /** Chance that a crash is a power loss (writes not committed yet are lost) rather than a process crash. */
    private final double powerLossChance;
    private final WillOracle oracle;
    /** The connections of the running engine, by remote address (what the engine's events carry). */
    private final Map<String, SimConnection> connectionsByAddress = new HashMap<>();
    /** When the running engine sent each connection's CONNACK (its keep alive started then). */
    private final Map<SimConnection, Long> connectedAtNanos = new HashMap<>();
    /**
     * Clients a store write failed for before a restart: the store may have kept messages the
     * broker had finished with, which the next broker restores on top of the rest, beyond the
     * queue and in-flight limits.
     */
    private final Set<String> storeUnreliable = new LinkedHashSet<>();
    /**
     * Clients whose sessions a new engine restored and whose queues have not come back within
     * the limit yet: QoS 1 messages in flight to a connected client are stored without their
     * packet identifiers, so after a crash they are restored into the queue, on top of it. They
     * are kept, not dropped (each was promised), so such a queue may hold the in-flight window more.
     */
    private final Set<String> restoredQueues = new LinkedHashSet<>();
    private BrokerEngine engine;
    private FaultyStore store;
    private DeterministicScheduler.Lane sessionsLane;
    private DeterministicScheduler.Lane storeLane;
    private BrokerConfig config;
    private Plugins plugins;
    private int connections;
    private int restarts;
    private int storeFailures;
    private int keepAliveCloses;
    private int powerLosses;
    private int clientsUnreliableAtRestarts;
    private boolean failing;

    Simulation(long seed, int clientCount, int rounds) {
        this(seed, clientCount, rounds, Faults.NORMAL);
    }

    Simulation(long seed, int clientCount, int rounds, Faults faults) {
        this.seed = seed;
        this.clientCount = clientCount;
        this.rounds = rounds;
        this.faults = faults;
        this.random = new Random(seed);
        this.scheduler = new DeterministicScheduler(random);
        // Small limits some seeds, large others: overflow drops must be reported, never silent.
        this.maxQueuedMessages = random.nextBoolean() ? 1000 : 5 + random.nextInt(30);
        this.maxInflight = 1 + random.nextInt(20);
        boolean heavy = faults == Faults.HEAVY;
        boolean withStore = heavy || random.nextBoolean();
        this.storeContents = withStore ? new InMemorySessionStore() : null;
        this.crashChance = !withStore ? 0 : (heavy ? 8.0 : 1.0 + random.nextInt(3)) / rounds;
        boolean storeFails = withStore && (heavy || random.nextBoolean());
        this.failureBurstChance = storeFails ? 0.01 : 0;
        this.failureRate = !storeFails ? 0 : heavy ? 0.05 + 0.25 * random.nextDouble() : 0.01 + 0.09 * random.nextDouble();
        this.maxCommitDelayNanos = TimeUnit.MILLISECONDS.toNanos(random.nextInt(10));
        this.commitsInSteps = random.nextBoolean();
        this.powerLossChance = withStore ? 0.5 : 0;
        this.oracle = new WillOracle(scheduler::currentTimeMillis, BrokerConfig.SESSION_NEVER_EXPIRES);
    }

    SimConnection newConnection(DeterministicScheduler.Lane clientLane, Consumer<MqttPacket> toClient) {
        SimConnection connection = new SimConnection(scheduler, ++connections, clientLane, toClient);
        connectionsByAddress.put(String.valueOf(connection.remote()), connection);
        return connection;
    }

    Result run() {
        config = new Broker.Builder().sysInterval(Duration.ZERO).connectTimeout(Duration.ofSeconds(30))
                .maxQueuedMessages(maxQueuedMessages).maxInflight(maxInflight).buildConfig();
        BrokerListener recorder = new BrokerListener() {
            @Override
            public void onMessageDropped(String clientId, Publish message, DropReason reason) {
                ledger.dropped(clientId, Ledger.idOf(message));
            }

            @Override
            public void onClientConnected(ClientInfo client, boolean sessionPresent) {
                SimConnection connection = connectionsByAddress.get(String.valueOf(client.remoteAddress()));
                if (connection != null) {
                    connectedAtNanos.put(connection, scheduler.nanoTime());
                }
            }

            @Override
            public void onClientDisconnected(ClientInfo client, DisconnectReason reason) {
                checkKeepAliveClose(client, reason);
            }
        };
        plugins = new Plugins(Authentication.allowAll(), Authorization.allowAll(), List.of(oracle),
                List.of(recorder, oracle), Map.of());
        startEngine();
        createClients();
        try {
            for (int round = 0; round < rounds; round++) {
                int actions = 1 + random.nextInt(4);
                for (int i = 0; i < actions; i++) {
                    act(pickClient());
                }
                scheduler.run(random.nextInt(60));
                if (random.nextInt(20) == 0) {
                    scheduler.advance(TimeUnit.MILLISECONDS.toNanos(random.nextInt(2000)));
                }
                if (storeContents != null) {
                    storeFaults();
                }
                if (round % 50 == 49) {
                    scheduler.runUntilQuiet();
                    checkQuietState();
                }
            }
            settle();
            ledger.check(clients);
        } catch (AssertionError | RuntimeException e) {
            ledger.violation("run failed: " + e);
        }
        for (String violation : oracle.check()) {
            ledger.violation("will oracle: " + violation);
        }
        for (Throwable failure : scheduler.failures()) {
            ledger.violation("a task threw: " + failure);
        }
        engine.close();
        storeFailures += store == null ? 0 : store.failuresInjected();
        return new Result(seed, ledger.violations(), ledger.messagesSent(), ledger.messagesDelivered(),
                ledger.messagesDropped(), scheduler.tasksRun(), restarts, storeFailures, keepAliveCloses,
                oracle.willsPublished(), powerLosses, clientsUnreliableAtRestarts);
    }

    /** A new engine, on new lanes, from what the store holds. */
    private void startEngine() {
        sessionsLane = scheduler.lane("corvid-sessions-" + restarts);
        if (storeContents != null) {
            storeLane = scheduler.lane("store-writer-" + restarts);
            DeterministicScheduler.Lane writer = storeLane;
            FaultyStore.CommitTimer timer = commitsInSteps
                    ? (delay, commit) -> afterTasks(writer, 1 + random.nextInt(8), commit)
                    : (delay, commit) -> scheduler.schedule(writer, commit, delay, 0);
            store = new FaultyStore(storeContents, random, timer, maxCommitDelayNanos);
            store.failing(failing ? failureRate : 0);
        }
        engine = SimulationAccess.engine(config, plugins, scheduler, store, scheduler.executorService(sessionsLane));
        engine.restore();
        engine.start();
    }

    /** Runs {@code task} on {@code lane} once it has taken its turn {@code hops} times. */
    private static void afterTasks(DeterministicScheduler.Lane lane, int hops, Runnable task) {
        lane.execute(hops == 0 ? task : () -> afterTasks(lane, hops - 1, task));
    }

    /** Store failures come in bursts; the broker's process crashes now and then. */
    private void storeFaults() {
        if (failureBurstChance > 0 && random.nextDouble() < failureBurstChance) {
            failing = !failing;
            store.failing(failing ? failureRate : 0);
        }
        if (random.nextDouble() < crashChance) {
            crash();
        }
    }

    /**
     * The broker's process dies where it stands: the engine's threads (sessions, event loops,
     * store writer) die with their queued tasks and timers, every connection is gone, durability
     * callbacks still waiting never run (their acknowledgements are never sent). What was handed
     * to the store stays if only the process died; if the machine lost power, what was not
     * committed yet is lost. A new engine starts from the store.
     */
    private void crash() {
        Set<String> unreliable = new LinkedHashSet<>(store.clientsWithFailedWrites());
        boolean powerLoss = random.nextDouble() < powerLossChance;
        unreliable.addAll(store.crash(powerLoss));
        powerLosses += powerLoss ? 1 : 0;
        clientsUnreliableAtRestarts += unreliable.size();
        storeFailures += store.failuresInjected();
        sessionsLane.kill();
        storeLane.kill();
        for (SimConnection connection : connectionsByAddress.values()) {
            connection.crash();
        }
        connectionsByAddress.clear();
        connectedAtNanos.clear();
        restarts++;
        for (SessionInfo session : engine.sessions()) {
            restoredQueues.add(session.clientId());
        }
        oracle.engineRestarted(unreliable);
        for (SimClient client : clients.values()) {
            boolean kept = !unreliable.contains(client.clientId);
            client.brokerCrashed(kept);
            if (!kept) {
                ledger.storeMayHaveLost(client.clientId);
                storeUnreliable.add(client.clientId);
            }
        }
        // The broker stays down a while (a third of the time it is back at once): wills and sessions
        // may come due meanwhile, and the new engine must honour what came due.
        if (random.nextInt(3) != 0) {
            scheduler.advance(TimeUnit.MILLISECONDS.toNanos(random.nextInt(20_000)));
        }
        startEngine();
        oracle.engineStarted();
    }

    private void createClients() {
        boolean heavy = faults == Faults.HEAVY;
        for (int i = 0; i < clientCount; i++) {
            String clientId = "c" + i;
            ProtocolVersion version = random.nextBoolean() ? ProtocolVersion.MQTT_5 : ProtocolVersion.MQTT_3_1_1;
            int kind = random.nextInt(6);
            // A third clean, most persistent; some MQTT 5.0 clients resume sessions that expire.
            boolean persistent = kind >= 2 && !(kind == 2 && version == ProtocolVersion.MQTT_5);
            long expiry = kind == 2 && version == ProtocolVersion.MQTT_5 ? 1 + random.nextInt(20) : 0;
            int keepAlive = random.nextInt(heavy ? 2 : 4) == 0 ? 2 + random.nextInt(MAX_KEEP_ALIVE - 1) : 0;
            long willDelay = -1;
            if (random.nextInt(3) == 0) {
                willDelay = version == ProtocolVersion.MQTT_5 && random.nextBoolean() ? 1 + random.nextInt(MAX_WILL_DELAY)
                        : 0;
            }
            SimClient.Profile profile = new SimClient.Profile(version, persistent, expiry, keepAlive, willDelay);
            clients.put(clientId, new SimClient(clientId, profile, scheduler, ledger, this));
            // One plain filter per client, so that overlapping subscriptions never make legitimate copies.
            filters.put(clientId, switch (random.nextInt(4)) {
                case 0 -> "t/" + random.nextInt(4) + "/" + random.nextInt(3);
                case 1 -> "t/+/" + random.nextInt(3);
                case 2 -> "t/" + random.nextInt(4) + "/#";
                default -> "t/#";
            });
        }
    }

    private SimClient pickClient() {
        return clients.get("c" + random.nextInt(clientCount));
    }

    private void act(SimClient client) {
        if (!client.hasConnection()) {
            client.connect(engine, random.nextInt(10) == 0);
            return;
        }
        if (client.isSilent()) {
            // A hung client: now and then it comes back to life with a new connection.
            if (random.nextInt(8) == 0) {
                client.connect(engine, random.nextInt(10) == 0);
            }
            return;
        }
        int roll = random.nextInt(100);
        if (roll < 12) {
            client.subscribe(filters.get(client.clientId), QOS[random.nextInt(3)]);
        } else if (roll < 16) {
            // One group per client: a client in two groups legitimately gets one copy from each.
            client.subscribe("$share/g" + client.clientId.length() % 2 + "/" + Ledger.SHARED_SPACE + "#",
                    QOS[random.nextInt(3)]);
        } else if (roll < 70) {
            String space = random.nextInt(8) == 0 ? Ledger.SHARED_SPACE : "t/";
            client.publish(space + random.nextInt(4) + "/" + random.nextInt(3), QOS[random.nextInt(3)]);
        } else if (roll < 76) {
            client.disconnect(random.nextBoolean());
        } else if (roll < 82) {
            client.dropNetwork();
        } else if (roll < 84) {
            if (client.profile.keepAliveSeconds() > 0) {
                client.goSilent();
            } else {
                client.dropNetwork();
            }
        } else if (roll < 88) {
            client.connect(engine, random.nextInt(10) == 0);
        } else if (roll < 94) {
            client.stall();
        } else {
            client.resume();
        }
    }

    private static long keepAliveLimitNanos(SimConnection connection) {
        return TimeUnit.SECONDS.toNanos(connection.keepAliveSeconds()) * 3 / 2;
    }

    /**
     * A close for keep alive (MQTT-3.1.2-24): only of a connection whose client went silent, and
     * not before one and a half times its keep alive passed since the client's last packet.
     */
    private void checkKeepAliveClose(ClientInfo client, DisconnectReason reason) {
        if (reason.reasonCode() != ReasonCode.KEEP_ALIVE_TIMEOUT) {
            return;
        }
        keepAliveCloses++;
        SimConnection connection = connectionsByAddress.get(String.valueOf(client.remoteAddress()));
        if (connection == null) {
            ledger.violation(client.clientId() + ": keep-alive close of an unknown connection");
        } else if (!connection.isSilent()) {
            ledger.violation(client.clientId() + ": closed for keep alive (" + connection.keepAliveSeconds()
                    + " s) though its client sent in time, last at " + connection.lastSentNanos() + " ns, now "
                    + scheduler.nanoTime() + " ns");
        } else if (scheduler.nanoTime() < connection.lastSentNanos() + keepAliveLimitNanos(connection)) {
            ledger.violation(client.clientId() + ": closed for keep alive at " + scheduler.nanoTime()
                    + " ns, before 1.5 times its keep alive (" + connection.keepAliveSeconds() + " s) after its last"
                    + " packet at " + connection.lastSentNanos() + " ns");
        }
    }

    /**
     * At a quiet point: one connected owner per client id, queues and in-flight windows within
     * their bounds, and no connection of a silent client left open past its keep-alive deadline
     * (1.5 times the keep alive after the later of its client's last packet and its CONNACK;
     * after the engine resumed reading, a paused connection's packets count from then), plus
     * one period of the engine's keep-alive sweep, which checks every client that often.
     */
    private void checkQuietState() {
        for (SimClient client : clients.values()) {
            if (client.openAcceptedConnections() > 1) {
                ledger.violation(client.clientId + ": " + client.openAcceptedConnections()
                        + " accepted connections open at once");
            }
        }
        for (SessionInfo session : engine.sessions()) {
            if (storeUnreliable.contains(session.clientId())) {
                continue;
            }
            int queueLimit = maxQueuedMessages;
            if (restoredQueues.contains(session.clientId())) {
                if (session.queuedMessages() <= maxQueuedMessages) {
                    restoredQueues.remove(session.clientId());
                } else {
                    queueLimit += maxInflight;
                }
            }
            if (session.queuedMessages() > queueLimit) {
                ledger.violation(session.clientId() + ": " + session.queuedMessages() + " queued, limit "
                        + queueLimit);
            }
            if (session.inflightMessages() > maxInflight) {
                ledger.violation(session.clientId() + ": " + session.inflightMessages() + " in flight, limit "
                        + maxInflight);
            }
        }
        long now = scheduler.nanoTime();
        for (Map.Entry<SimConnection, Long> entry : connectedAtNanos.entrySet()) {
            SimConnection connection = entry.getKey();
            if (connection.isClosed() || !connection.isSilent() || connection.keepAliveSeconds() == 0
                    || !connection.readEnabled()) {
                continue;
            }
            long lastActivity = Math.max(Math.max(connection.lastSentNanos(), entry.getValue()),
                    connection.readsResumedAtNanos());
            long deadline = lastActivity + keepAliveLimitNanos(connection) + SimulationAccess.keepAliveSweepNanos();
            if (now > deadline) {
                ledger.violation("connection " + connection.remote() + " (keep alive " + connection.keepAliveSeconds()
                        + " s) silent since " + connection.lastSentNanos() + " ns, still open at " + now
                        + " ns, past its keep-alive deadline " + deadline + " ns");
            }
        }
    }

    /**
     * Ends the faults: every reader reads again, every persistent client comes back for its
     * messages, and the clock moves past every will delay and keep-alive deadline.
     */
    private void settle() {
        if (store != null) {
            store.failing(0);
        }
        scheduler.runUntilQuiet();
        for (SimClient client : clients.values()) {
            client.resume();
        }
        scheduler.runUntilQuiet();
        // Hung clients are closed for keep alive by now.
        scheduler.advance(TimeUnit.SECONDS.toNanos(MAX_KEEP_ALIVE * 2L));
        scheduler.runUntilQuiet();
        checkQuietState();
        for (SimClient client : clients.values()) {
            if (client.persistent && !client.isConnected()) {
                client.connect(engine, false);
            }
        }
        scheduler.advance(TimeUnit.SECONDS.toNanos(1));
        scheduler.runUntilQuiet();
        checkQuietState();
        // Every will still waiting for its delay is due by now.
        scheduler.advance(TimeUnit.SECONDS.toNanos(MAX_WILL_DELAY + 1));
        scheduler.runUntilQuiet();
        checkQuietState();
    }
}
