package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** --persistent-subscribers and recovery's options, and the CONNECT a persistent subscriber sends. */
class PersistentSubscribersTest {
    /** Connect Flags on the wire: fixed header (2), protocol name (6), level (1), then the flags. */
    private static final int CONNECT_FLAGS_OFFSET = 9;
    private static final int CLEAN_SESSION_FLAG = 0x02;

    private static Settings settings(String... args) {
        LoadGenerator generator = new LoadGenerator(System.out);
        new CommandLine(generator).parseArgs(args);
        return generator.settings();
    }

    private static int connectFlags(Connect connect) {
        return MqttEncoder.encode(connect, connect.protocolVersion())[CONNECT_FLAGS_OFFSET] & 0xFF;
    }

    @Test
    void mqtt311PersistentSubscriberConnectsWithCleanSessionZero() {
        Connect persistent = NettyMqttConnection.connectPacket(ProtocolVersion.MQTT_3_1_1, "lg-1-s0", 60, true);
        assertFalse(persistent.cleanStart());
        assertEquals(0, connectFlags(persistent) & CLEAN_SESSION_FLAG);
        assertTrue(persistent.properties().isEmpty());

        Connect clean = NettyMqttConnection.connectPacket(ProtocolVersion.MQTT_3_1_1, "lg-1-p0", 60);
        assertTrue(clean.cleanStart());
        assertEquals(CLEAN_SESSION_FLAG, connectFlags(clean) & CLEAN_SESSION_FLAG);
    }

    @Test
    void mqtt5PersistentSubscriberConnectsWithCleanStartZeroAndAnHourOfSessionExpiry() {
        Connect persistent = NettyMqttConnection.connectPacket(ProtocolVersion.MQTT_5, "lg-1-s0", 60, true);
        assertFalse(persistent.cleanStart());
        assertEquals(0, connectFlags(persistent) & CLEAN_SESSION_FLAG);
        assertEquals(3600, persistent.properties().getLong(Property.SESSION_EXPIRY_INTERVAL, -1));
        assertEquals(65535, persistent.properties().getInt(Property.RECEIVE_MAXIMUM, -1));

        Connect clean = NettyMqttConnection.connectPacket(ProtocolVersion.MQTT_5, "lg-1-p0", 60, false);
        assertTrue(clean.cleanStart());
        assertEquals(CLEAN_SESSION_FLAG, connectFlags(clean) & CLEAN_SESSION_FLAG);
        assertFalse(clean.properties().contains(Property.SESSION_EXPIRY_INTERVAL));
        assertEquals(65535, clean.properties().getInt(Property.RECEIVE_MAXIMUM, -1));
    }

    @Test
    void persistentSubscribersIsAnOptionOfTheThroughputScenarios() {
        assertFalse(settings("fanin").persistentSubscribers());
        assertTrue(settings("fanin", "--persistent-subscribers", "--qos", "1").persistentSubscribers());
        assertTrue(settings("pairs", "--persistent-subscribers", "--qos", "2").persistentSubscribers());
        assertTrue(settings("fanout", "--persistent-subscribers").persistentSubscribers());
        assertTrue(settings("latency", "--persistent-subscribers", "--client", "hivemq").persistentSubscribers());
        assertThrows(IllegalArgumentException.class, () -> settings("retained", "--persistent-subscribers"));
        assertThrows(IllegalArgumentException.class, () -> settings("connections", "--persistent-subscribers"));
        assertThrows(IllegalArgumentException.class, () -> settings("stuck", "--persistent-subscribers"));
        assertThrows(IllegalArgumentException.class, () -> settings("recovery", "--persistent-subscribers"));
    }

    @Test
    void subscriberIdentifiersAreTheRunsOwn() {
        assertEquals("lg-3f9a-s7", ThroughputRun.subscriberId("3f9a", 7));
        Settings settings = settings("pairs", "--persistent-subscribers");
        String first = ThroughputRun.topology(settings).prefix();
        String second = ThroughputRun.topology(settings).prefix();
        assertFalse(first.equals(second), "each run draws its own prefix, which names its clients");
    }

    @Test
    void recoveryDefaults() {
        Settings settings = settings("recovery");
        assertEquals(Scenario.RECOVERY, settings.scenario());
        assertEquals(QoS.AT_LEAST_ONCE, settings.qos());
        assertEquals(64, settings.payload());
        assertEquals(1000, settings.window());
        RecoverySettings recovery = settings.recovery();
        assertEquals(RecoverySettings.Phase.BOTH, recovery.phase());
        assertEquals(1_000_000, recovery.messages());
        assertEquals(600, recovery.timeoutSeconds());
        assertEquals(60, recovery.stallSeconds());
        assertTrue(recovery.session().startsWith("lg-rec-"), recovery.session());
        assertEquals("bench/recovery/" + recovery.session(), recovery.topic());
        // The pressure scenarios keep their own defaults for the shared options.
        assertEquals(60, settings("stuck").pressure().timeoutSeconds());
        assertEquals(5, settings("stuck").pressure().stallSeconds());
    }

    @Test
    void recoveryOptions() {
        Settings fill = settings("recovery", "--phase", "fill", "--messages", "20000", "--session", "run-1",
                "--qos", "2", "--window", "500", "--timeout", "30", "--stall", "10");
        assertEquals(RecoverySettings.Phase.FILL, fill.recovery().phase());
        assertEquals(20_000, fill.recovery().messages());
        assertEquals("run-1", fill.recovery().session());
        assertEquals(QoS.EXACTLY_ONCE, fill.qos());
        assertEquals(500, fill.window());
        assertEquals(30, fill.recovery().timeoutSeconds());
        assertEquals(10, fill.recovery().stallSeconds());
        assertEquals(RecoverySettings.Phase.DRAIN,
                settings("recovery", "--phase", "DRAIN", "--session", "run-1").recovery().phase());
        assertThrows(IllegalArgumentException.class, () -> settings("recovery", "--phase", "drain"),
                "drain must name the session fill made");
        assertThrows(IllegalArgumentException.class, () -> settings("recovery", "--phase", "refill"));
        assertThrows(IllegalArgumentException.class, () -> settings("recovery", "--qos", "0"));
        assertThrows(IllegalArgumentException.class, () -> settings("recovery", "--session", "a b"));
        assertThrows(IllegalArgumentException.class, () -> settings("recovery", "--session", "a/b"));
        assertThrows(IllegalArgumentException.class, () -> settings("recovery", "--messages", "0"));
        assertThrows(IllegalArgumentException.class, () -> settings("recovery", "--client", "hivemq"));
    }
}
