package io.corvid.broker.simulation;

import io.corvid.broker.Authentication;
import io.corvid.broker.Authorization;
import io.corvid.broker.Broker;
import io.corvid.broker.BrokerConfig;
import io.corvid.broker.BrokerListener;
import io.corvid.broker.DropReason;
import io.corvid.broker.SessionInfo;
import io.corvid.broker.engine.BrokerEngine;
import io.corvid.broker.engine.Plugins;
import io.corvid.broker.engine.SimulationAccess;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One seeded run: many {@link SimClient}s connect, subscribe, publish at every QoS, disconnect
 * cleanly or drop off the network, take their sessions over and stall as slow readers, all on one
 * {@link DeterministicScheduler}; then every persistent client reconnects, the run settles and the
 * {@link Ledger} checks the invariants. The same seed always gives the same run.
 */
final class Simulation {
    /** The outcome of a run. */
    record Result(long seed, List<String> violations, int messagesSent, int messagesDelivered, int messagesDropped,
                  long tasksRun) {
        boolean passed() {
            return violations.isEmpty();
        }
    }

    private static final QoS[] QOS = QoS.values();

    private final long seed;
    private final int clientCount;
    private final int rounds;
    private final Random random;
    private final DeterministicScheduler scheduler;
    private final Ledger ledger = new Ledger();
    private final Map<String, SimClient> clients = new LinkedHashMap<>();
    private final Map<String, String> filters = new LinkedHashMap<>();
    private final int maxQueuedMessages;
    private final int maxInflight;
    private BrokerEngine engine;
    private int connections;

    Simulation(long seed, int clientCount, int rounds) {
        this.seed = seed;
        this.clientCount = clientCount;
        this.rounds = rounds;
        this.random = new Random(seed);
        this.scheduler = new DeterministicScheduler(random);
        // Small limits some seeds, large others: overflow drops must be reported, never silent.
        this.maxQueuedMessages = random.nextBoolean() ? 1000 : 5 + random.nextInt(30);
        this.maxInflight = 1 + random.nextInt(20);
    }

    SimConnection newConnection(DeterministicScheduler.Lane clientLane, Consumer<MqttPacket> toClient) {
        return new SimConnection(scheduler, ++connections, clientLane, toClient);
    }

    Result run() {
        BrokerConfig config = new Broker.Builder().sysInterval(Duration.ZERO).connectTimeout(Duration.ofSeconds(30))
                .maxQueuedMessages(maxQueuedMessages).maxInflight(maxInflight).buildConfig();
        BrokerListener dropRecorder = new BrokerListener() {
            @Override
            public void onMessageDropped(String clientId, Publish message, DropReason reason) {
                ledger.dropped(clientId, Ledger.idOf(message));
            }
        };
        engine = SimulationAccess.engine(config, new Plugins(Authentication.allowAll(), Authorization.allowAll(),
                List.of(), List.of(dropRecorder), Map.of()), scheduler, null,
                scheduler.executorService(scheduler.lane("corvid-sessions")));
        engine.restore();
        engine.start();
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
        for (Throwable failure : scheduler.failures()) {
            ledger.violation("a task threw: " + failure);
        }
        engine.close();
        return new Result(seed, ledger.violations(), ledger.messagesSent(), ledger.messagesDelivered(),
                ledger.messagesDropped(), scheduler.tasksRun());
    }

    private void createClients() {
        for (int i = 0; i < clientCount; i++) {
            String clientId = "c" + i;
            ProtocolVersion version = random.nextBoolean() ? ProtocolVersion.MQTT_5 : ProtocolVersion.MQTT_3_1_1;
            boolean persistent = random.nextInt(3) != 0;
            clients.put(clientId, new SimClient(clientId, version, persistent, scheduler, ledger, this));
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
        } else if (roll < 84) {
            client.dropNetwork();
        } else if (roll < 88) {
            client.connect(engine, random.nextInt(10) == 0);
        } else if (roll < 94) {
            client.stall();
        } else {
            client.resume();
        }
    }

    /** At a quiet point: one connected owner per client id, queues and in-flight windows within their bounds. */
    private void checkQuietState() {
        for (SimClient client : clients.values()) {
            if (client.openAcceptedConnections() > 1) {
                ledger.violation(client.clientId + ": " + client.openAcceptedConnections()
                        + " accepted connections open at once");
            }
        }
        for (SessionInfo session : engine.sessions()) {
            if (session.queuedMessages() > maxQueuedMessages) {
                ledger.violation(session.clientId() + ": " + session.queuedMessages() + " queued, limit "
                        + maxQueuedMessages);
            }
            if (session.inflightMessages() > maxInflight) {
                ledger.violation(session.clientId() + ": " + session.inflightMessages() + " in flight, limit "
                        + maxInflight);
            }
        }
    }

    /** Ends the faults: every reader reads again and every persistent client comes back for its messages. */
    private void settle() {
        scheduler.runUntilQuiet();
        for (SimClient client : clients.values()) {
            client.resume();
        }
        scheduler.runUntilQuiet();
        for (SimClient client : clients.values()) {
            if (client.persistent && !client.isConnected()) {
                client.connect(engine, false);
            }
        }
        scheduler.advance(TimeUnit.SECONDS.toNanos(1));
        scheduler.runUntilQuiet();
        checkQuietState();
    }
}
