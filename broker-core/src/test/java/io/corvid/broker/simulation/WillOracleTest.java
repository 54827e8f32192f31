package io.corvid.broker.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The oracle's rules on hand-made event sequences: each case once right, once wrong. */
class WillOracleTest {
    private long now;
    private final WillOracle oracle = new WillOracle(() -> now, 3600);
    private int port = 1000;

    private ClientInfo connect(String clientId, boolean cleanStart, long expiry, long willDelay, String willPayload) {
        ClientInfo client = new ClientInfo(clientId, null, new InetSocketAddress("10.0.0.1", port++),
                ProtocolVersion.MQTT_5, "simulation");
        Will will = willPayload == null ? null : new Will("wills/" + clientId,
                willPayload.getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, false,
                Properties.builder().put(Property.WILL_DELAY_INTERVAL, willDelay).build());
        oracle.intercept(client, new Connect(ProtocolVersion.MQTT_5, clientId, cleanStart, 60, null, null, will,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, expiry).build()));
        return client;
    }

    private void willPublished(String payload) {
        oracle.onMessagePublished(null, new Publish("wills/x", QoS.AT_MOST_ONCE, false, false, 0,
                payload.getBytes(StandardCharsets.UTF_8), Properties.EMPTY));
    }

    private static DisconnectReason network() {
        return new DisconnectReason(DisconnectReason.Initiator.NETWORK, ReasonCode.UNSPECIFIED_ERROR, "dropped");
    }

    @Test
    void delayedWillOfADroppedConnectionIsDueAfterItsDelay() {
        ClientInfo first = connect("a", true, 300, 10, "w1");
        oracle.onClientConnected(first, false);
        oracle.onClientDisconnected(first, network());
        now = 20_000;
        assertEquals(1, oracle.check().size(), "due and not published");
        now = 10_000;
        willPublished("w1");
        now = 20_000;
        assertEquals(List.of(), oracle.check());
    }

    @Test
    void resumingBeforeTheDelaySuppressesTheWill() {
        ClientInfo first = connect("a", true, 300, 10, "w1");
        oracle.onClientConnected(first, false);
        oracle.onClientDisconnected(first, network());
        now = 3_000;
        ClientInfo second = connect("a", false, 300, 0, null);
        oracle.onClientConnected(second, true);
        now = 20_000;
        assertEquals(List.of(), oracle.check());
        willPublished("w1");
        assertEquals(1, oracle.check().size(), "published although the session was resumed in time");
    }

    @Test
    void normalDisconnectNeverPublishes() {
        ClientInfo first = connect("a", true, 0, 0, "w1");
        oracle.onClientConnected(first, false);
        oracle.onClientDisconnected(first, new DisconnectReason(DisconnectReason.Initiator.CLIENT,
                ReasonCode.NORMAL_DISCONNECTION, "bye"));
        assertEquals(List.of(), oracle.check());
        willPublished("w1");
        assertEquals(1, oracle.check().size());
    }

    @Test
    void sessionPresenceFollowsTheExpiryInterval() {
        ClientInfo first = connect("a", true, 30, 0, null);
        oracle.onClientConnected(first, false);
        oracle.onClientDisconnected(first, network());
        now = 10_000;
        ClientInfo resumed = connect("a", false, 30, 0, null);
        oracle.onClientConnected(resumed, false);
        assertTrue(oracle.check().get(0).contains("expected true"), "the session had not expired yet");
    }
    @Test
    void aCrashClosesTheConnectionsOfStoredSessionsAndTheirWillsAreDue() {
        ClientInfo stored = connect("a", true, 300, 0, "w1");
        oracle.onClientConnected(stored, false);
        ClientInfo memoryOnly = connect("b", true, 0, 0, "w2");
        oracle.onClientConnected(memoryOnly, false);
        now = 1_000;
        oracle.engineRestarted(java.util.Set.of());
        now = 20_000;
        assertEquals(1, oracle.check().size(), "the stored session's will is due at the restart");
        willPublished("w1");
        assertEquals(List.of(), oracle.check());
        willPublished("w2");
        assertEquals(1, oracle.check().size(), "a session that lived in memory only cannot have a will after a crash");
    }

    @Test
    void aDisconnectTakenBeforeTheCrashDeletesTheWillEvenIfItsCloseWasNotReported() {
        ClientInfo first = connect("a", true, 300, 0, "w1");
        oracle.onClientConnected(first, false);
        oracle.intercept(first, new io.corvid.broker.packet.Disconnect(ReasonCode.NORMAL_DISCONNECTION,
                Properties.EMPTY));
        oracle.engineRestarted(java.util.Set.of());
        now = 20_000;
        assertEquals(List.of(), oracle.check());
        willPublished("w1");
        assertEquals(1, oracle.check().size());
    }

    @Test
    void aStoreThatFailedForTheClientMayPublishAWillAgainAfterARestart() {
        ClientInfo first = connect("a", true, 300, 0, "w1");
        oracle.onClientConnected(first, false);
        oracle.onClientDisconnected(first, network());
        willPublished("w1");
        now = 1_000;
        oracle.engineRestarted(java.util.Set.of("a"));
        willPublished("w1");
        now = 20_000;
        assertEquals(List.of(), oracle.check(), "the failed write may have left it in the store");
        willPublished("w1");
        assertEquals(1, oracle.check().size(), "once per broker at most");
    }
}
