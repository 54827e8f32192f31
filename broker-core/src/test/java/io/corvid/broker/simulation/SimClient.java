package io.corvid.broker.simulation;

import io.corvid.broker.engine.BrokerEngine;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.Will;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One simulated MQTT client, correct by the specification: it keeps its session state (unacknowledged
 * outgoing messages, QoS 2 packet ids received) across connections when its session is persistent,
 * resends on reconnect, and reports every PUBLISH it hands to its application to the {@link Ledger}.
 * All its callbacks run on its own lane.
 */
final class SimClient {
    /** 3.1.1 has no expiry property; 5.0 asks for a session that never expires. */
    static final long NEVER_EXPIRES = 0xFFFFFFFFL;
    private static final int MAX_OUTGOING = 8;

    /**
     * What kind of client it is.
     *
     * @param version          its protocol version
     * @param persistent       keeps its session between connections for ever (clean session 0 / clean
     *                         start 0, no expiry): the ledger holds the broker to every message promised to it
     * @param expirySeconds    MQTT 5.0 only: the Session Expiry Interval it asks for when it is not
     *                         persistent (0: its session ends with its connection; above 0: it resumes
     *                         a session that may have expired, which the will oracle checks)
     * @param keepAliveSeconds its keep alive (0: none); it sends PINGREQ when it has sent nothing for that long
     * @param willDelaySeconds its will's delay (MQTT 5.0), or -1 for no will
     */
    record Profile(ProtocolVersion version, boolean persistent, long expirySeconds, int keepAliveSeconds,
                   long willDelaySeconds) {
        boolean resumes() {
            return persistent || expirySeconds > 0;
        }
    }

    final String clientId;
    final ProtocolVersion version;
    /** Keeps its session between connections (clean session 0 / clean start 0, no expiry). */
    final boolean persistent;
    final Profile profile;
    private final DeterministicScheduler scheduler;
    private final DeterministicScheduler.Lane lane;
    private final Ledger ledger;
    private final Simulation simulation;

    private SimConnection connection;
    /** Connections the broker accepted (CONNACK success): at most one of them may be open at a quiet point. */
    private final List<SimConnection> accepted = new ArrayList<>();
    private boolean stalled;
    /** Whether the session of the current connection stays on the broker after it closes. */
    private boolean sessionOutlivesConnection;
    private boolean connected;
    /** Whether the broker holds a session for this client that it must present on reconnect. */
    private boolean brokerHasSession;
    /** Whether the last CONNECT sent asked for a session that ends with its connection. */
    private boolean lastConnectEndsWithConnection;
    /**
     * Whether a CONNECT of a session that ends with its connection was still unanswered when a
     * later CONNECT went out: the broker may apply the two in either order, so the client cannot
     * know whether its session survived until it connects again.
     */
    private boolean sessionUncertain;
    private int nextPacketId = 1;
    /** The last CONNECT started clean and has no CONNACK yet. */
    private boolean cleanConnectUnanswered;
    /**
     * A clean CONNECT never got its CONNACK: the client dropped its session state when it sent
     * it, but the broker may never have seen it and still hold the old session.
     */
    private boolean cleanConnectLost;
    /** Wills given so far: each has a payload of its own, so that the oracle knows which connection's will went out. */
    private int wills;
    private int nextSequence;
    /** Outgoing QoS 1/2 PUBLISH not acknowledged yet (QoS 2: no PUBREC yet), by packet id. */
    private final Map<Integer, Publish> unacknowledged = new LinkedHashMap<>();
    /** Outgoing QoS 2 whose PUBREC came: PUBREL to (re)send until PUBCOMP. */
    private final Set<Integer> released = new HashSet<>();
    /** Incoming QoS 2 packet ids handed to the application, waiting for PUBREL. */
    private final Set<Integer> qos2Received = new HashSet<>();
    /**
     * Of those, the ones held when the broker restarted from a store that may have lost part of
     * this client's session: the broker may have forgotten their flows and use the ids again.
     */
    private final Set<Integer> qos2MaybeForgotten = new HashSet<>();
    /**
     * The connection the client had when the broker restarted from a store that may have lost part
     * of its session: QoS 2 messages it still reads from it (sent before the crash) join
     * {@link #qos2MaybeForgotten}.
     */
    private SimConnection forgottenFlowsFrom;
    /** SUBSCRIBE packet id to its filter, until SUBACK. */
    private final Map<Integer, Subscription> pendingSubscribes = new LinkedHashMap<>();

    SimClient(String clientId, Profile profile, DeterministicScheduler scheduler, Ledger ledger,
              Simulation simulation) {
        this.clientId = clientId;
        this.profile = profile;
        this.version = profile.version();
        this.persistent = profile.persistent();
        this.scheduler = scheduler;
        this.lane = scheduler.lane("client-" + clientId);
        this.ledger = ledger;
        this.simulation = simulation;
    }

    boolean hasConnection() {
        return connection != null && !connection.isClosed();
    }

    boolean isConnected() {
        return connected && hasConnection();
    }

    SimConnection connection() {
        return connection;
    }

    /** Whether the client hangs on its connection (sends nothing, keeps it open). */
    boolean isSilent() {
        return hasConnection() && connection.isSilent();
    }

    /**
     * Opens a new connection and sends CONNECT; when a connection is still open this is a
     * session takeover, and the broker must close the old one.
     */
    private void trace(String what) {
        if (java.util.Arrays.asList(TRACED.split(",")).contains(clientId)) {
            org.slf4j.LoggerFactory.getLogger(SimClient.class).warn("{} {}", clientId, what);
        }
    }

    /** {@code -Dsim.trace=CLIENT_ID} logs what that client does and receives (at WARN, to show in tests). */
    private static final String TRACED = System.getProperty("sim.trace", "");

    void connect(BrokerEngine engine, boolean cleanStart) {
        trace("connect clean=" + cleanStart + " persistent=" + persistent + " " + version + " open=" + hasConnection());
        boolean racesShortSession = hasConnection() && !connected && lastConnectEndsWithConnection;
        if (!sessionOutlivesConnection) {
            // The previous session (3.1.1 clean session) ended with its connection, or ends now that
            // this one replaces it: its subscriptions are gone even if no CONNACK ever says so (a
            // CONNECT dropped before its CONNACK creates a new, empty session the next one resumes).
            startFreshSession();
        } else if (sessionUncertain || racesShortSession) {
            // Such a CONNECT raced a later one: which the broker applied last is unknown, so nothing
            // is promised for the subscriptions made so far; the CONNACK tells the client's own state.
            ledger.sessionStarted(clientId);
        }
        sessionUncertain = racesShortSession;
        if (hasConnection()) {
            // The client gives its old connection up: it sends nothing more on it.
            connection.goSilent();
        }
        SimConnection[] created = new SimConnection[1];
        SimConnection next = simulation.newConnection(lane, packet -> onPacket(created[0], packet));
        created[0] = next;
        next.loop().execute(() -> next.attach(engine.accept(next)));
        long expiry = persistent ? NEVER_EXPIRES : profile.expirySeconds();
        Properties properties = version == ProtocolVersion.MQTT_5 && expiry > 0
                ? Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, expiry).build()
                : Properties.EMPTY;
        boolean clean = cleanStart || !profile.resumes();
        cleanConnectLost |= cleanConnectUnanswered;
        cleanConnectUnanswered = clean;
        next.keepAlive(profile.keepAliveSeconds());
        next.send(new Connect(version, clientId, clean, profile.keepAliveSeconds(), null, null, will(), properties));
        connection = next;
        trace("connection " + next.remote() + " at " + scheduler.currentTimeMillis());
        connected = false;
        if (profile.keepAliveSeconds() > 0) {
            schedulePing(next);
        }
        // 3.1.1 has no expiry: a clean session ends with its connection; 5.0 asked for its expiry.
        sessionOutlivesConnection = profile.resumes() && !(clean && version != ProtocolVersion.MQTT_5);
        lastConnectEndsWithConnection = !sessionOutlivesConnection;
        if (clean) {
            startFreshSession();
        }
    }

    /** This connection's will, with a payload of its own, or {@code null}. */
    private Will will() {
        if (profile.willDelaySeconds() < 0) {
            return null;
        }
        byte[] payload = ("will " + clientId + " " + ++wills).getBytes(StandardCharsets.US_ASCII);
        Properties properties = version == ProtocolVersion.MQTT_5 && profile.willDelaySeconds() > 0
                ? Properties.builder().put(Property.WILL_DELAY_INTERVAL, profile.willDelaySeconds()).build()
                : Properties.EMPTY;
        return new Will("w/" + clientId, payload, QoS.AT_MOST_ONCE, false, properties);
    }

    /** Keep alive: a PINGREQ when the client has sent nothing on the connection for its keep alive. */
    private void schedulePing(SimConnection on) {
        long due = on.lastSentNanos() + TimeUnit.SECONDS.toNanos(profile.keepAliveSeconds());
        scheduler.schedule(lane, () -> {
            if (on.isClosed() || on.isSilent()) {
                return;
            }
            if (scheduler.nanoTime() >= on.lastSentNanos() + TimeUnit.SECONDS.toNanos(profile.keepAliveSeconds())) {
                on.send(PingReq.INSTANCE);
            }
            schedulePing(on);
        }, due - scheduler.nanoTime(), 0);
    }

    /** The client hangs: it keeps its connection open and sends nothing on it, PINGREQ included. */
    void goSilent() {
        if (hasConnection() && profile.keepAliveSeconds() > 0) {
            trace("silent");
            connection.goSilent();
        }
    }

    /**
     * The broker crashed: the connection is gone. If the store may not have kept this client's
     * session as it was ({@code sessionKept} false: a write for it failed), the client cannot
     * count on finding it.
     */
    void brokerCrashed(boolean sessionKept) {
        trace("broker crashed, session kept " + sessionKept);
        connected = false;
        if (!sessionKept) {
            brokerHasSession = false;
            qos2MaybeForgotten.addAll(qos2Received);
            forgottenFlowsFrom = connection;
        }
    }

    private void startFreshSession() {
        ledger.sessionStarted(clientId);
        for (Publish publish : unacknowledged.values()) {
            ledger.abandoned(Ledger.idOf(publish));
        }
        unacknowledged.clear();
        released.clear();
        qos2Received.clear();
        qos2MaybeForgotten.clear();
        pendingSubscribes.clear();
        brokerHasSession = false;
    }

    void subscribe(String filter, QoS qos) {
        // One SUBSCRIBE per filter at a time keeps the ledger's view of the granted QoS exact.
        if (!isConnected() || pendingSubscribes.values().stream().anyMatch(s -> s.topicFilter().equals(filter))) {
            return;
        }
        int id = packetId();
        Subscription subscription = new Subscription(filter, qos);
        pendingSubscribes.put(id, subscription);
        ledger.subscribing(clientId, filter);
        connection.send(new Subscribe(id, List.of(subscription), Properties.EMPTY));
    }

    void publish(String topic, QoS qos) {
        if (!isConnected() || (qos != QoS.AT_MOST_ONCE && unacknowledged.size() + released.size() >= MAX_OUTGOING)) {
            return;
        }
        long id = ledger.published(clientId, nextSequence++, topic, qos);
        int packetId = qos == QoS.AT_MOST_ONCE ? 0 : packetId();
        Publish publish = new Publish(topic, qos, false, false, packetId, Ledger.payload(id), Properties.EMPTY);
        if (qos != QoS.AT_MOST_ONCE) {
            unacknowledged.put(packetId, publish);
        }
        trace("publish " + id + " #" + (nextSequence - 1) + " " + topic + " " + qos + " pid " + packetId);
        connection.send(publish);
    }

    void disconnect(boolean withWill) {
        if (!isConnected()) {
            return;
        }
        ReasonCode code = withWill && version == ProtocolVersion.MQTT_5 ? ReasonCode.DISCONNECT_WITH_WILL_MESSAGE
                : ReasonCode.NORMAL_DISCONNECTION;
        trace("disconnect will=" + withWill + " at " + scheduler.currentTimeMillis());
        SimConnection current = connection;
        current.send(new Disconnect(code, Properties.EMPTY));
        connected = false;
    }

    /** Connections the broker accepted that neither side has closed. */
    int openAcceptedConnections() {
        accepted.removeIf(SimConnection::isClosed);
        return accepted.size();
    }

    /** The client stops reading for a while (a slow reader). */
    void stall() {
        if (hasConnection() && !stalled) {
            stalled = true;
            connection.stall();
        }
    }

    void resume() {
        if (stalled) {
            stalled = false;
            if (connection != null) {
                connection.resume();
            }
        }
    }

    void dropNetwork() {
        trace("drop");
        if (connection != null) {
            connection.drop();
            connected = false;
        }
    }

    private int packetId() {
        while (true) {
            int id = nextPacketId;
            nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
            if (!unacknowledged.containsKey(id) && !released.contains(id) && !pendingSubscribes.containsKey(id)) {
                return id;
            }
        }
    }

    /** A packet from the broker, on this client's lane. Packets of a connection already replaced are ignored. */
    private void onPacket(SimConnection from, MqttPacket packet) {
        // A connection this client has replaced is abandoned: what it still delivers is not read.
        if (from != connection) {
            trace("ignored from old connection: " + packet);
            return;
        }
        if (from.crashed()) {
            // The broker died: the reset took what the client had not read yet with it.
            trace("lost in the crash: " + packet);
            return;
        }
        trace("received " + packet + (packet instanceof Publish publish ? " id " + Ledger.idOf(publish) : ""));
        if (packet instanceof ConnAck connAck) {
            if (connAck.reasonCode().value() < 0x80) {
                accepted.add(from);
            }
            onConnAck(connAck);
        } else if (packet instanceof Publish publish) {
            onPublish(publish);
        } else if (packet instanceof PubAck pubAck) {
            Publish acked = unacknowledged.remove(pubAck.packetId());
            if (acked != null) {
                ledger.acknowledged(Ledger.idOf(acked));
            }
        } else if (packet instanceof PubRec pubRec) {
            Publish acked = unacknowledged.remove(pubRec.packetId());
            if (acked != null) {
                ledger.acknowledged(Ledger.idOf(acked));
            }
            released.add(pubRec.packetId());
            connection.send(new PubRel(pubRec.packetId()));
        } else if (packet instanceof PubComp pubComp) {
            released.remove(pubComp.packetId());
        } else if (packet instanceof PubRel pubRel) {
            qos2Received.remove(pubRel.packetId());
            qos2MaybeForgotten.remove(pubRel.packetId());
            connection.send(new PubComp(pubRel.packetId()));
        } else if (packet instanceof SubAck subAck) {
            Subscription subscription = pendingSubscribes.remove(subAck.packetId());
            if (subscription != null && subAck.reasonCodes().get(0).value() < 0x80) {
                ledger.subscribed(clientId, subscription.topicFilter(),
                        QoS.values()[subAck.reasonCodes().get(0).value()]);
            }
        } else if (packet instanceof Disconnect) {
            connected = false;
        }
    }

    private void onConnAck(ConnAck connAck) {
        if (connAck.reasonCode().value() >= 0x80) {
            return;
        }
        connected = true;
        cleanConnectUnanswered = false;
        if (cleanConnectLost && connAck.sessionPresent()) {
            // The broker kept the session the client thought it had ended: what it resends of
            // that session's QoS 2 flows, the client no longer knows.
            ledger.subscriberStateDiverged(clientId);
        }
        cleanConnectLost = false;
        if (persistent && brokerHasSession && !connAck.sessionPresent()) {
            ledger.violation(clientId + ": persistent session lost (CONNACK session present 0 on resume)");
        }
        if (!connAck.sessionPresent()) {
            startFreshSession();
        }
        brokerHasSession = sessionOutlivesConnection && !sessionUncertain;
        // Resend what the broker has not acknowledged, in the original order (MQTT-4.4.0-1).
        for (Publish publish : unacknowledged.values()) {
            ledger.resent(Ledger.idOf(publish));
            if (!persistent && profile.expirySeconds() > 0 && publish.qos() == QoS.EXACTLY_ONCE) {
                // The session may have expired and a CONNECT that never got its CONNACK made a new
                // one, which CONNACK presents all the same: the broker no longer knows the packet id.
                ledger.mayRepeat(Ledger.idOf(publish));
            }
            connection.send(publish.withDup(true));
        }
        for (int packetId : released) {
            connection.send(new PubRel(packetId));
        }
    }

    private void onPublish(Publish publish) {
        long id = Ledger.idOf(publish);
        switch (publish.qos()) {
            case AT_MOST_ONCE -> ledger.delivered(clientId, id, publish.qos());
            case AT_LEAST_ONCE -> {
                ledger.delivered(clientId, id, publish.qos());
                connection.send(new PubAck(publish.packetId()));
            }
            case EXACTLY_ONCE -> {
                if (connection == forgottenFlowsFrom) {
                    qos2MaybeForgotten.add(publish.packetId());
                }
                if (qos2Received.add(publish.packetId())) {
                    ledger.delivered(clientId, id, publish.qos());
                } else if (qos2MaybeForgotten.contains(publish.packetId())) {
                    // A new message under an id whose flow the restarted broker may have lost: the
                    // client takes it for a resend, as MQTT tells it to, and the message is lost.
                    ledger.lostToForgottenFlow(clientId, id);
                }
                connection.send(new PubRec(publish.packetId()));
            }
        }
    }
}
