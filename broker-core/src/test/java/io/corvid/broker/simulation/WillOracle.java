package io.corvid.broker.simulation;

import io.corvid.broker.BrokerListener;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.PacketInterceptor;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Says, for every connection of a run, whether its will had to be published, and checks that
 * it was, exactly once, never too early; and, at every CONNACK, whether the session had to be
 * present (session expiry on the virtual clock). It watches the engine as a plug-in: as a
 * {@link PacketInterceptor} it sees each CONNECT (will, will delay, session expiry, clean start)
 * and each DISCONNECT's session expiry, as a {@link BrokerListener} it sees connections accepted
 * and closed (with the engine's reason) and wills published.
 *
 * <p>Install it as both an interceptor and a listener of every engine of the run, call
 * {@link #engineRestarted(Set)} at each restart (a crash of the broker's process), and
 * {@link #check()} at the end, after moving the clock past every will delay. Requirements on the simulation: each connection has its own remote
 * address (that is how events are matched to connections), each will has a payload of its own,
 * and nothing but wills is published by the application (publisher {@code null}).
 *
 * <p>The rules (MQTT 5.0 3.1.2.5, 3.1.3.2.2, 3.1.4; MQTT 3.1.1 3.1.2.5, which has no delay):
 * <ul>
 *   <li>no will for a connection that never got its CONNACK, nor after a DISCONNECT 0x00;</li>
 *   <li>DISCONNECT 0x04, a network close, a close by the server: the will is due after its
 *       delay, or when the session ends if that comes first (session expiry 0: at the close);
 *       a new connection to the session before then suppresses it unless it starts clean
 *       (which ends the session, so the will goes out then);</li>
 *   <li>takeover (0x8E), or a new connection attached while the old one was closing: the will
 *       goes out at once if it has no delay or the new connection starts clean, else never.</li>
 * </ul>
 * Outcomes within {@link #MARGIN_MILLIS} of a deadline only must not publish twice.
 *
 * <p>Across a crash of the broker (MQTT 5.0 3.1.2.5: the Will Message is part of the session
 * state; a crash closes the network connection, and no DISCONNECT deleted the will): the
 * connections open at the crash closed then, by the network. The will of a session the store
 * kept (expiry above 0) is due as after any network close, counted from the crash; a will
 * already waiting for its delay keeps its due time. A session with expiry 0 ended with its
 * connection, and a crashed broker cannot publish what only its memory held: no will. For a
 * client some store write failed for since the previous restart, the store may hold anything
 * of its session: its wills around that restart only must not go out twice, and its session
 * need not be present.
 */
final class WillOracle implements BrokerListener, PacketInterceptor {
    /** Around a deadline, both outcomes are right: the order of equal-time events is the scheduler's. */
    static final long MARGIN_MILLIS = 5;

    private enum Expect { YES, NO, AT_MOST_ONCE }

    /** One network connection as the oracle knows it. */
    private static final class Conn {
        final String clientId;
        final String address;
        final boolean cleanStart;
        final boolean v5;
        final Will will;
        final long willDelaySeconds;
        long expirySeconds;
        /** Order of the connected event among all events, or -1 if the CONNACK never came. */
        long connectedOrder = -1;
        long connectedAtMillis = -1;
        final long connectAtMillis;
        boolean sessionPresent;
        long closedAtMillis = -1;
        DisconnectReason closeReason;
        /** Open (or not yet accepted) when the broker crashed. */
        boolean crashed;
        /**
         * For a connection a crash closed, or that closed at the very moment of a crash (its session
         * may not have taken the close in): when the next engine started, which counts the will delay
         * and the session expiry from then, not knowing when the old one died.
         */
        long restartedAtMillis = -1;
        /**
         * Its will went out before the crash while no close was seen: a takeover published it,
         * and the crash came before the old connection's close was reported.
         */
        boolean closedUnseen;
        /** The broker took a DISCONNECT without the will (0x00) on this connection: the will is gone, crash or not. */
        boolean normalDisconnectSeen;
        final List<Long> willPublishedAtMillis = new ArrayList<>();

        Conn(String clientId, String address, Connect connect, long maxExpirySeconds, long nowMillis) {
            this.connectAtMillis = nowMillis;
            this.clientId = clientId;
            this.address = address;
            this.cleanStart = connect.cleanStart();
            this.v5 = connect.protocolVersion().isV5();
            this.will = connect.will();
            this.willDelaySeconds = will == null || !v5 ? 0
                    : will.properties().getLong(Property.WILL_DELAY_INTERVAL, 0);
            this.expirySeconds = v5
                    ? Math.min(connect.properties().getLong(Property.SESSION_EXPIRY_INTERVAL, 0), maxExpirySeconds)
                    : connect.cleanStart() ? 0 : maxExpirySeconds;
        }

        String describe() {
            return clientId + " connection " + address + " (clean " + cleanStart + ", will delay " + willDelaySeconds
                    + " s, expiry " + expirySeconds + " s, connected at " + connectedAtMillis + ", closed at "
                    + closedAtMillis + " by " + closeReason + ")";
        }
    }

    private final LongSupplier nowMillis;
    private final long maxExpirySeconds;
    private final Map<String, Conn> byAddress = new LinkedHashMap<>();
    private final Map<String, List<Conn>> connectedByClient = new HashMap<>();
    /** Every CONNECT of a client, in order, accepted or not: one that never got its CONNACK may still have made a session. */
    private final Map<String, List<Conn>> connectsByClient = new HashMap<>();
    private final Map<String, Conn> byWillPayload = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private long order;
    private long lastRestartMillis = Long.MIN_VALUE;
    /** Per client, the times of the restarts at which the store may not have held its session as it was. */
    private final Map<String, List<Long>> unreliableRestarts = new HashMap<>();

    /**
     * @param nowMillis        the run's virtual wall clock
     * @param maxExpirySeconds the broker's {@code maxSessionExpiryInterval} (what MQTT 3.1.1 persistent sessions get)
     */
    WillOracle(LongSupplier nowMillis, long maxExpirySeconds) {
        this.nowMillis = nowMillis;
        this.maxExpirySeconds = maxExpirySeconds;
    }

    // ------------------------------------------------------------ what the engine shows

    @Override
    public Decision intercept(ClientInfo client, MqttPacket packet) {
        String address = String.valueOf(client.remoteAddress());
        if (packet instanceof Connect connect) {
            Conn conn = new Conn(client.clientId(), address, connect, maxExpirySeconds, nowMillis.getAsLong());
            byAddress.put(address, conn);
            connectsByClient.computeIfAbsent(conn.clientId, id -> new ArrayList<>()).add(conn);
            if (conn.will != null) {
                Conn previous = byWillPayload.put(payloadKey(conn.will.payload()), conn);
                if (previous != null) {
                    violations.add("simulation error: two wills with one payload (" + previous.describe() + ")");
                }
            }
        } else if (packet instanceof Disconnect disconnect) {
            Conn conn = byAddress.get(address);
            if (conn != null && disconnect.reasonCode() != ReasonCode.DISCONNECT_WITH_WILL_MESSAGE) {
                conn.normalDisconnectSeen = true;
            }
            long requested = disconnect.properties().getLong(Property.SESSION_EXPIRY_INTERVAL, -1);
            if (conn != null && requested >= 0 && conn.v5 && conn.expirySeconds > 0) {
                conn.expirySeconds = Math.min(requested, maxExpirySeconds);
            }
        }
        return Decision.ACCEPT;
    }

    @Override
    public void onClientConnected(ClientInfo client, boolean sessionPresent) {
        Conn conn = byAddress.get(String.valueOf(client.remoteAddress()));
        if (conn == null) {
            violations.add(client.clientId() + ": connected without a CONNECT seen");
            return;
        }
        conn.connectedOrder = order++;
        conn.connectedAtMillis = nowMillis.getAsLong();
        conn.sessionPresent = sessionPresent;
        checkSessionPresent(conn);
        connectedByClient.computeIfAbsent(conn.clientId, id -> new ArrayList<>()).add(conn);
    }

    @Override
    public void onClientDisconnected(ClientInfo client, DisconnectReason reason) {
        Conn conn = byAddress.get(String.valueOf(client.remoteAddress()));
        if (conn == null || conn.closedAtMillis >= 0) {
            violations.add(client.clientId() + ": disconnected twice or unknown (" + reason + ")");
            return;
        }
        order++;
        conn.closedAtMillis = nowMillis.getAsLong();
        conn.closeReason = reason;
    }

    @Override
    public void onMessagePublished(ClientInfo publisher, Publish message) {
        if (publisher != null) {
            return;
        }
        Conn conn = byWillPayload.get(payloadKey(message.payload()));
        if (conn == null) {
            violations.add("a will nobody gave was published to " + message.topic());
            return;
        }
        conn.willPublishedAtMillis.add(nowMillis.getAsLong());
    }

    /**
     * The broker's process crashed and a new engine started from the store: every connection
     * still open closed now, without the engine seeing it.
     *
     * @param storeUnreliableFor clients a store write failed for since the previous restart
     */
    void engineRestarted(Set<String> storeUnreliableFor) {
        long now = nowMillis.getAsLong();
        lastRestartMillis = now;
        restartTimes.add(now);
        for (String clientId : storeUnreliableFor) {
            unreliableRestarts.computeIfAbsent(clientId, id -> new ArrayList<>()).add(now);
        }
        for (Conn conn : byAddress.values()) {
            if (conn.closedAtMillis < 0 && !conn.willPublishedAtMillis.isEmpty()) {
                conn.closedUnseen = true;
            }
            if (conn.closedAtMillis < 0) {
                order++;
                conn.crashed = true;
                conn.closedAtMillis = now;
                conn.closeReason = CRASH;
            }
        }
    }

    private final List<Long> restartTimes = new ArrayList<>();

    private boolean restartAt(long millis) {
        return restartTimes.contains(millis);
    }

    /**
     * The new engine started from the store, some time after the crash. It cannot know when the
     * old one died, so for the connections the crash closed it counts will delays and session
     * expiry from now: a will or an expiry is due from the crash (what the specification says)
     * to as late as that counted from here.
     */
    void engineStarted() {
        long now = nowMillis.getAsLong();
        for (Conn conn : byAddress.values()) {
            if ((conn.crashed || conn.closedAtMillis == lastRestartMillis) && conn.restartedAtMillis < 0) {
                conn.restartedAtMillis = now;
            }
        }
    }

    /** How a connection open at a crash closed: by the network, as far as its client can tell. */
    private static final DisconnectReason CRASH =
            new DisconnectReason(DisconnectReason.Initiator.NETWORK, ReasonCode.UNSPECIFIED_ERROR, "broker crashed");

    /** How many restarts in [{@code fromMillis}, {@code toMillis}] may have found the client's session altered in the store. */
    private int unreliableRestarts(String clientId, long fromMillis, long toMillis) {
        int count = 0;
        for (long restart : unreliableRestarts.getOrDefault(clientId, List.of())) {
            if (restart >= fromMillis && restart <= toMillis) {
                count++;
            }
        }
        return count;
    }

    /** Whether a restart in [{@code fromMillis}, {@code toMillis}] may have found the client's session altered in the store. */
    private boolean unreliableRestartBetween(String clientId, long fromMillis, long toMillis) {
        for (long restart : unreliableRestarts.getOrDefault(clientId, List.of())) {
            if (restart >= fromMillis && restart <= toMillis) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------ session expiry

    /**
     * At CONNACK: a clean start never finds a session; otherwise the session is present exactly
     * when the client's last session was left within its expiry interval.
     */
    private void checkSessionPresent(Conn conn) {
        if (conn.cleanStart) {
            if (conn.sessionPresent) {
                violations.add(conn.describe() + ": clean start, yet session present");
            }
            return;
        }
        List<Conn> earlier = connectedByClient.getOrDefault(conn.clientId, List.of());
        List<Conn> connects = connectsByClient.getOrDefault(conn.clientId, List.of());
        if (earlier.isEmpty()) {
            if (conn.sessionPresent && lastRestartMillis == Long.MIN_VALUE && connects.get(0) == conn) {
                violations.add(conn.describe() + ": first connection of the client, yet session present");
            }
            return;
        }
        Conn last = earlier.get(earlier.size() - 1);
        if (connects.indexOf(conn) != connects.indexOf(last) + 1) {
            return; // a CONNECT in between that got no CONNACK may have made or ended a session
        }
        long now = conn.connectedAtMillis;
        Boolean expected;
        boolean attachedAtTheTakeover = !last.crashed && (last.closedAtMillis < 0
                || last.closedAtMillis >= now - MARGIN_MILLIS
                || last.closeReason.reasonCode() == ReasonCode.SESSION_TAKEN_OVER);
        if (unreliableRestartBetween(conn.clientId, last.connectAtMillis, now)) {
            expected = null; // the store may have lost the session, or kept one the broker had ended
        } else if (attachedAtTheTakeover) {
            // Taken over (or closing as the new connection attached): the session was there to take, if it
            // outlives connections; a session without expiry taken over is the broker's call.
            expected = last.expirySeconds > 0 ? Boolean.TRUE : null;
        } else if (last.expirySeconds == 0) {
            expected = Boolean.FALSE;
        } else if (last.expirySeconds >= 0xFFFFFFFFL) {
            expected = Boolean.TRUE;
        } else {
            long expiresAt = last.closedAtMillis + last.expirySeconds * 1000;
            long expiresAtTheLatest = last.restartedAtMillis >= 0
                    ? last.restartedAtMillis + last.expirySeconds * 1000 : expiresAt;
            expected = now < expiresAt - MARGIN_MILLIS ? Boolean.TRUE
                    : now > expiresAtTheLatest + MARGIN_MILLIS ? Boolean.FALSE : null;
        }
        if (expected != null && expected != conn.sessionPresent) {
            violations.add(conn.describe() + ": session present " + conn.sessionPresent + ", expected " + expected
                    + " after " + last.describe());
        }
    }

    // ------------------------------------------------------------ wills

    /** How many wills the engines published. */
    int willsPublished() {
        return byAddress.values().stream().mapToInt(conn -> conn.willPublishedAtMillis.size()).sum();
    }

    /** The violations found, the will rules checked now (call after the clock passed every delay). */
    List<String> check() {
        List<String> found = new ArrayList<>(violations);
        long now = nowMillis.getAsLong();
        for (Conn conn : byAddress.values()) {
            if (conn.will == null) {
                continue;
            }
            Expect expect = expectedWill(conn, now);
            int published = conn.willPublishedAtMillis.size();
            // A failed write may have left a published will in the store: each broker restored from
            // it may publish it again.
            int allowed = 1 + unreliableRestarts(conn.clientId, conn.connectAtMillis, Long.MAX_VALUE);
            boolean wrong = switch (expect) {
                case YES -> published != 1;
                case NO -> published != 0;
                case AT_MOST_ONCE -> published > allowed;
            };
            if (wrong) {
                found.add(conn.describe() + ": will published " + published + " times at " + conn.willPublishedAtMillis
                        + ", expected " + expect);
            } else if (published == 1 && conn.willPublishedAtMillis.get(0) < conn.closedAtMillis) {
                found.add(conn.describe() + ": will published before the connection closed");
            }
        }
        return found;
    }

    private Expect expectedWill(Conn conn, long now) {
        if (conn.connectedOrder < 0) {
            // No CONNACK: no will. Unless the broker crashed in between: the session may have been
            // attached, and so stored with the will, without the CONNACK going out.
            return conn.crashed && conn.expirySeconds > 0 ? Expect.AT_MOST_ONCE : Expect.NO;
        }
        if (conn.closeReason == null) {
            return Expect.NO; // still open at the end
        }
        if (unreliableRestartBetween(conn.clientId, conn.connectAtMillis, Long.MAX_VALUE)) {
            // A failed write may have left this will in the store (a DISCONNECT 0x00 or its
            // publication not recorded), or lost it: the next broker may publish it, or not.
            return Expect.AT_MOST_ONCE;
        }
        if (conn.closeReason.initiator() == DisconnectReason.Initiator.CLIENT
                && conn.closeReason.reasonCode() == ReasonCode.NORMAL_DISCONNECTION) {
            return Expect.NO;
        }
        if (conn.closeReason.reasonCode() == ReasonCode.SERVER_SHUTTING_DOWN) {
            return Expect.AT_MOST_ONCE;
        }
        Conn next = nextConnected(conn);
        long delay = conn.willDelaySeconds;
        long untilDue = Math.min(delay, conn.expirySeconds) * 1000;
        long due = conn.closedAtMillis + untilDue;
        if (conn.closedUnseen) {
            return Expect.AT_MOST_ONCE;
        }
        if (conn.crashed && conn.normalDisconnectSeen) {
            return Expect.NO; // the DISCONNECT was taken before the crash, its close not reported yet
        }
        if (conn.crashed && conn.expirySeconds == 0) {
            return Expect.NO; // the session ended with the crash, and only the broker's memory knew it
        }
        if (!conn.crashed && conn.expirySeconds == 0 && restartAt(conn.closedAtMillis)) {
            // Closed at the very moment of a crash: the session's end, which publishes the will, may
            // not have run, and a session that only lived in memory is gone with the broker.
            return Expect.AT_MOST_ONCE;
        }
        if (conn.restartedAtMillis >= 0 && untilDue > 0) {
            // Due from the crash by the specification, from the restart as the new engine counts.
            long late = conn.restartedAtMillis + untilDue;
            if (next != null && next.connectedAtMillis >= due - MARGIN_MILLIS
                    && next.connectedAtMillis <= late + MARGIN_MILLIS) {
                return Expect.AT_MOST_ONCE;
            }
            due = late;
        }
        if (untilDue > 0 && unacceptedConnectBefore(conn, next, due + MARGIN_MILLIS)) {
            // A CONNECT that never got its CONNACK may still have attached: resumed the session in
            // time (no will), or started it clean (will now). Either is right.
            return Expect.AT_MOST_ONCE;
        }
        if (next != null && (next.connectedAtMillis < conn.closedAtMillis
                || conn.closeReason.reasonCode() == ReasonCode.SESSION_TAKEN_OVER)) {
            // Taken over, or a new connection attached while this one was closing.
            if (delay == 0 || next.cleanStart) {
                return Expect.YES;
            }
            return conn.expirySeconds == 0 ? Expect.AT_MOST_ONCE : Expect.NO;
        }
        if (untilDue == 0) {
            return Expect.YES;
        }
        if (next != null && next.connectedAtMillis < due - MARGIN_MILLIS) {
            return next.cleanStart ? Expect.YES : Expect.NO;
        }
        if (next != null && next.connectedAtMillis <= due + MARGIN_MILLIS) {
            return Expect.AT_MOST_ONCE;
        }
        if (now > due + MARGIN_MILLIS) {
            return Expect.YES;
        }
        return now < due - MARGIN_MILLIS ? Expect.NO : Expect.AT_MOST_ONCE;
    }

    /** Whether the client sent a CONNECT after {@code conn}'s, before {@code next}'s and before {@code untilMillis}, that got no CONNACK. */
    private boolean unacceptedConnectBefore(Conn conn, Conn next, long untilMillis) {
        List<Conn> connects = connectsByClient.getOrDefault(conn.clientId, List.of());
        int end = next == null ? connects.size() : connects.indexOf(next);
        for (int i = connects.indexOf(conn) + 1; i < end; i++) {
            Conn other = connects.get(i);
            if (other.connectedOrder < 0 && other.connectAtMillis <= untilMillis) {
                return true;
            }
        }
        return false;
    }

    /** The client's first connection to get its CONNACK after {@code conn} did. */
    private Conn nextConnected(Conn conn) {
        for (Conn candidate : connectedByClient.getOrDefault(conn.clientId, List.of())) {
            if (candidate.connectedOrder > conn.connectedOrder) {
                return candidate;
            }
        }
        return null;
    }

    private static String payloadKey(byte[] payload) {
        return new String(payload, StandardCharsets.ISO_8859_1);
    }
}
