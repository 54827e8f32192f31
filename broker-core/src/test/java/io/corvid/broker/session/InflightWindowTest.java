package io.corvid.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InflightWindowTest {
    private static final Delivery DELIVERY = new Delivery(new Message("t", new byte[0], QoS.AT_LEAST_ONCE, false,
            Properties.EMPTY, null, Message.NEVER), QoS.AT_LEAST_ONCE, false, Delivery.NO_IDENTIFIERS);

    @Test
    void identifiersAreHandedOutInSequenceAndFoundAgain() {
        InflightWindow window = new InflightWindow();
        for (int expected = 1; expected <= 40; expected++) {
            InflightWindow.Flight flight = window.add(DELIVERY);
            assertEquals(expected, flight.packetId);
            assertSame(flight, window.get(expected));
        }
        assertEquals(40, window.size());
        assertNull(window.get(41));
        assertTrue(window.remove(window.get(7)));
        assertNull(window.get(7));
        assertFalse(window.remove(new InflightWindow.Flight(7, 0, DELIVERY)), "a flight that is gone");
        assertEquals(39, window.size());
    }

    @Test
    void anIdentifierWhoseSlotIsTakenIsSkippedAndNoneIsEverReusedWhileInFlight() {
        InflightWindow window = new InflightWindow();
        Random random = new Random(42);
        Set<Integer> inFlight = new HashSet<>();
        List<InflightWindow.Flight> flights = new ArrayList<>();
        for (int step = 0; step < 300_000; step++) {
            if (flights.size() < 100 && (flights.isEmpty() || random.nextInt(3) > 0)) {
                InflightWindow.Flight flight = window.add(DELIVERY);
                assertTrue(flight.packetId >= 1 && flight.packetId <= 0xFFFF);
                assertTrue(inFlight.add(flight.packetId), "identifier " + flight.packetId + " reused while in flight");
                flights.add(flight);
            } else {
                // Acknowledgements out of order: a long-lived flight keeps its slot for a while.
                InflightWindow.Flight acked = flights.remove(random.nextInt(flights.size()) / (random.nextInt(4) + 1));
                assertTrue(window.remove(acked));
                inFlight.remove(acked.packetId);
            }
            assertEquals(flights.size(), window.size());
        }
    }

    @Test
    void identifiersWrapAroundAfter65535() {
        InflightWindow window = new InflightWindow();
        for (int i = 1; i <= 0xFFFF; i++) {
            window.remove(window.add(DELIVERY));
        }
        assertEquals(1, window.add(DELIVERY).packetId);
    }

    @Test
    void restoredIdentifiersKeepTheirValuesAndOrder() {
        InflightWindow window = new InflightWindow();
        window.restore(300, DELIVERY, false);
        window.restore(44, DELIVERY, true);
        window.restore(300 + 16, DELIVERY, false);
        assertEquals(List.of(300, 44, 316), window.inOrder().stream().map(flight -> flight.packetId).toList());
        assertTrue(window.get(44).released);
        assertEquals(317, window.add(DELIVERY).packetId, "allocation carries on after the last restored identifier");
    }

    @Test
    void inOrderIsTheSendingOrder() {
        InflightWindow window = new InflightWindow();
        List<Integer> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.add(window.add(DELIVERY).packetId);
        }
        window.remove(window.get(sent.remove(10)));
        assertEquals(sent, window.inOrder().stream().map(flight -> flight.packetId).toList());
        window.clear();
        assertTrue(window.isEmpty());
    }
}
