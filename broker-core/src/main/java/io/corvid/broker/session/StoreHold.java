package io.corvid.broker.session;

import io.corvid.broker.packet.Publish;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * PUBLISH packets a persistent session keeps back until the store has made durable the packet
 * identifiers of the QoS 2 messages among them.
 *
 * <p>Why: the client discards a QoS 2 message whose identifier it holds as a resend. Sent before
 * its identifier is durable, a message can, after a power loss, come again under a new
 * identifier (delivered twice), or its identifier can be given to another message while the
 * client still holds it (which the client then takes for the resend: lost). A packet that
 * follows a held one is held too, whatever its QoS, so that the client sees them in order.
 *
 * <p>Each QoS 2 packet gets a ticket: the packets held between two requests to the store share
 * one, and so one commit. The store confirms a ticket once everything handed to it before the
 * request is durable, and every packet up to that ticket goes out. Confined to the session's
 * executor.
 */
final class StoreHold {
    /** A packet kept back, with what sending it stands for. */
    record Held(Publish publish, Delivery delivery, InflightWindow.Flight flight, long ticket) {
    }

    private final ArrayDeque<Held> waiting = new ArrayDeque<>();
    private long lastTicket;
    /** The ticket to ask the store about, or 0 when every held QoS 2 packet's ticket was asked for. */
    private long unrequested;
    private long confirmed;

    /**
     * Keeps {@code publish} back.
     *
     * @param flight        its flight, {@code null} for QoS 0
     * @param needsDurable  whether its own identifier must be durable first (QoS 2)
     */
    void add(Publish publish, Delivery delivery, InflightWindow.Flight flight, boolean needsDurable) {
        if (needsDurable && unrequested == 0) {
            unrequested = ++lastTicket;
        }
        waiting.add(new Held(publish, delivery, flight, lastTicket));
    }

    /** Whether a packet waits: anything sent now must wait behind it. */
    boolean isHolding() {
        return !waiting.isEmpty();
    }

    int size() {
        return waiting.size();
    }

    /** The ticket to ask the store to confirm, or 0 if none is new; asking is then up to the caller. */
    long takeRequest() {
        long ticket = unrequested;
        unrequested = 0;
        return ticket;
    }

    /** The store made everything durable that was handed to it before {@code ticket} was requested. */
    void confirm(long ticket) {
        confirmed = Math.max(confirmed, ticket);
    }

    /** The next packet that may go out now, in order, or {@code null}. */
    Held poll() {
        Held next = waiting.peek();
        if (next == null || next.ticket() > confirmed) {
            return null;
        }
        return waiting.poll();
    }

    /**
     * Forgets every packet: the connection they were for is gone (the flights stay in the
     * inflight window and are resent to the next one) or the messages were discarded. Tickets
     * already requested are then confirmed to nothing.
     *
     * @return the packets forgotten, in order
     */
    List<Held> clear() {
        List<Held> dropped = new ArrayList<>(waiting);
        waiting.clear();
        unrequested = 0;
        confirmed = lastTicket;
        return dropped;
    }
}
