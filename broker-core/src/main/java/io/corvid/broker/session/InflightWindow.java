package io.corvid.broker.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The QoS 1/2 messages a session has sent and the client has not yet acknowledged, by packet
 * identifier, with the identifier allocation itself. Identifiers are handed out in sequence
 * (1 to 65,535 and round again), so a flight lives in the slot {@code id & mask} of a small
 * power-of-two array: allocation, lookup and removal cost one array access, and an identifier
 * whose slot is still taken by an older flight is skipped. Confined to the session's executor.
 */
final class InflightWindow {
    private static final int MAX_PACKET_ID = 0xFFFF;

    /** Shared by every window that has never held a message: most connections only publish, or sit idle. */
    private static final Flight[] NO_SLOTS = new Flight[0];
    private Flight[] slots = NO_SLOTS;
    private int size;
    private int lastId;
    private long sent;

    /** A message in flight. */
    static final class Flight {
        final int packetId;
        /** Order of sending, for redelivery in the original order. */
        final long order;
        Delivery delivery;
        /** QoS 2 only: PUBREC received, PUBREL sent; awaiting PUBCOMP. */
        boolean released;

        Flight(int packetId, long order, Delivery delivery) {
            this.packetId = packetId;
            this.order = order;
            this.delivery = delivery;
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Takes the next free identifier for {@code delivery}; at most 65,534 may be in flight. */
    Flight add(Delivery delivery) {
        ensureRoomFor(size + 1);
        int mask = slots.length - 1;
        int id = lastId;
        do {
            id = id == MAX_PACKET_ID ? 1 : id + 1;
        } while (slots[id & mask] != null);
        lastId = id;
        Flight flight = new Flight(id, sent++, delivery);
        slots[id & mask] = flight;
        size++;
        return flight;
    }

    /**
     * Puts back a flight with a known identifier (restoring a stored session). Returns
     * {@code null}, restoring nothing, when a flight already holds that identifier.
     */
    Flight restore(int packetId, Delivery delivery, boolean released) {
        if (get(packetId) != null) {
            return null;
        }
        ensureRoomFor(size + 1);
        while (slots[packetId & (slots.length - 1)] != null) {
            resize(slots.length * 2);
        }
        Flight flight = new Flight(packetId, sent++, delivery);
        flight.released = released;
        slots[packetId & (slots.length - 1)] = flight;
        size++;
        lastId = packetId;
        return flight;
    }

    /** The flight with this identifier, or {@code null}. */
    Flight get(int packetId) {
        if (slots.length == 0) {
            return null;
        }
        Flight flight = slots[packetId & (slots.length - 1)];
        return flight != null && flight.packetId == packetId ? flight : null;
    }

    /** Removes a flight; returns whether it was there. */
    boolean remove(Flight flight) {
        int index = flight.packetId & (slots.length - 1);
        if (slots[index] != flight) {
            return false;
        }
        slots[index] = null;
        size--;
        return true;
    }

    /** Every flight in the order it was sent. */
    List<Flight> inOrder() {
        List<Flight> flights = new ArrayList<>(size);
        for (Flight flight : slots) {
            if (flight != null) {
                flights.add(flight);
            }
        }
        flights.sort(Comparator.comparingLong(flight -> flight.order));
        return flights;
    }

    void clear() {
        Arrays.fill(slots, null);
        size = 0;
    }

    /** Keeps the array at least twice the number of flights, so that skipped identifiers stay rare. */
    private void ensureRoomFor(int count) {
        if (count > MAX_PACKET_ID - 1) {
            throw new IllegalStateException("all packet identifiers are in flight");
        }
        int wanted = Math.max(16, Integer.highestOneBit(count * 2 - 1) << 1);
        if (slots.length < wanted) {
            resize(Math.min(wanted, 1 << 16));
        }
    }

    private void resize(int length) {
        Flight[] old = slots;
        slots = new Flight[length];
        int mask = length - 1;
        for (Flight flight : old) {
            if (flight != null) {
                slots[flight.packetId & mask] = flight;
            }
        }
    }
}
