package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Scenario names, and the defaults the pressure scenarios bring along. */
class ScenarioTest {

    @Test
    void namesParseWithDashesOrUnderscoresAndPrintWithDashes() {
        assertEquals(Scenario.LATE_READERS, Scenario.parse("late-readers"));
        assertEquals(Scenario.LATE_READERS, Scenario.parse("late_readers"));
        assertEquals(Scenario.SLOW_SUBSCRIBER, Scenario.parse("Slow-Subscriber"));
        assertEquals(Scenario.FANIN, Scenario.parse("fan-in"));
        assertEquals("late-readers", Scenario.LATE_READERS.label());
        assertEquals("slow-subscriber", Scenario.SLOW_SUBSCRIBER.label());
        assertEquals("stuck", Scenario.STUCK.label());
        assertTrue(Scenario.STUCK.pressure());
        assertFalse(Scenario.PAIRS.pressure());
        assertThrows(IllegalArgumentException.class, () -> Scenario.parse("late"));
    }

    private static Settings settings(String... args) {
        LoadGenerator generator = new LoadGenerator(System.out);
        new CommandLine(generator).parseArgs(args);
        return generator.settings();
    }

    @Test
    void stuckDefaults() {
        Settings settings = settings("stuck");
        assertEquals(256, settings.payload());
        assertEquals(100, settings.window(), "Paho Python's max in flight");
        assertEquals(20_000, settings.pressure().messages());
        assertEquals(1, settings.pressure().liveSubscribers());
        assertTrue(settings.pressure().stuckPeer());
        assertEquals(60, settings.pressure().timeoutSeconds());
    }

    @Test
    void stuckBaselineAndOptions() {
        Settings settings = settings("stuck", "--no-stuck", "--live-subscribers", "3", "--qos", "2",
                "--messages", "500", "--timeout", "5", "--window", "20");
        assertFalse(settings.pressure().stuckPeer());
        assertEquals(3, settings.pressure().liveSubscribers());
        assertEquals(3, settings.subscribers());
        assertEquals(500, settings.pressure().messages());
        assertEquals(5, settings.pressure().timeoutSeconds());
        assertEquals(20, settings.window());
    }

    @Test
    void lateReadersDefaults() {
        Settings settings = settings("late-readers");
        assertEquals(16, settings.payload());
        assertEquals(10, settings.publishers());
        assertEquals(10, settings.subscribers());
        assertEquals(10_000, settings.pressure().messages());
        assertEquals(1024, settings("late-readers", "--payload", "1024").payload());
    }

    @Test
    void slowSubscriberDefaults() {
        Settings settings = settings("slow-subscriber", "--qos", "1");
        assertEquals(64, settings.payload());
        assertEquals(100, settings.window());
        assertEquals(20_000, settings.pressure().messages());
        assertEquals(50_000, settings.pressure().busyNanos());
    }

    @Test
    void throughputScenariosKeepTheirDefaults() {
        Settings settings = settings("pairs");
        assertEquals(64, settings.payload());
        assertEquals(1000, settings.window());
        assertThrows(IllegalArgumentException.class, () -> settings("stuck", "--client", "hivemq"));
        assertThrows(IllegalArgumentException.class, () -> settings("stuck", "--timeout", "0"));
    }
}
