package io.corvid.broker.session;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A session's messages waiting to be sent, in order, with what they weigh: their count and
 * their {@linkplain Message#footprint() footprint} in bytes, checked against the session's
 * limits, and the share of the broker's {@link MemoryBudget} they hold.
 *
 * <p>A delivery's budget is reserved when it is handed to the session ({@link Session#offer});
 * {@link #add} takes that reservation over, and every way out of the queue ({@link #poll},
 * {@link #removeIf}, {@link #clear}) gives it back. Confined to the session's executor.
 */
final class OutboundQueue implements Iterable<Delivery> {
    /**
     * Shared by every empty queue that never held a message, so that an idle session costs
     * no deque. Only read: {@link #add} replaces it before the first write, {@link #clear}
     * puts it back instead of clearing.
     */
    private static final ArrayDeque<Delivery> NEVER_USED = new ArrayDeque<>(0);

    private ArrayDeque<Delivery> deliveries = NEVER_USED;
    private final MemoryBudget budget;
    private long bytes;

    OutboundQueue(MemoryBudget budget) {
        this.budget = budget;
    }

    /** Whether {@code delivery} would take the queue past {@code maxMessages} or {@code maxBytes}. */
    boolean wouldOverflow(Delivery delivery, int maxMessages, long maxBytes) {
        return deliveries.size() >= maxMessages || bytes + delivery.message().footprint() > maxBytes;
    }

    /** Appends a delivery whose budget was reserved when it was handed over. */
    void add(Delivery delivery) {
        if (deliveries == NEVER_USED) {
            // Small at first: most sessions hold few messages at a time; it grows as needed.
            deliveries = new ArrayDeque<>(4);
        }
        deliveries.add(delivery);
        bytes += delivery.message().footprint();
    }

    /** Appends a delivery that holds no reservation yet (one restored from the store). */
    void reserveAndAdd(Delivery delivery) {
        budget.reserve(delivery.message().footprint());
        add(delivery);
    }

    Delivery peek() {
        return deliveries.peek();
    }

    /** Removes the oldest delivery, or returns {@code null}; its budget is released. */
    Delivery poll() {
        Delivery delivery = deliveries.poll();
        if (delivery != null) {
            int weight = delivery.message().footprint();
            bytes -= weight;
            budget.release(weight);
        }
        return delivery;
    }

    /** Removes, in order, the deliveries that {@code taken} accepts (it has handed them on). */
    void removeIf(Predicate<Delivery> taken) {
        int size = deliveries.size();
        for (int i = 0; i < size; i++) {
            Delivery delivery = deliveries.poll();
            if (taken.test(delivery)) {
                int weight = delivery.message().footprint();
                bytes -= weight;
                budget.release(weight);
            } else {
                deliveries.add(delivery);
            }
        }
    }

    /** Replaces every delivery by {@code change}'s result, which must carry the same message. */
    void replaceAll(UnaryOperator<Delivery> change) {
        int size = deliveries.size();
        for (int i = 0; i < size; i++) {
            deliveries.add(change.apply(deliveries.poll()));
        }
    }

    /** Empties the queue, releasing its budget. */
    void clear() {
        budget.release(bytes);
        bytes = 0;
        // Also gives back the array a burst grew.
        deliveries = NEVER_USED;
    }

    int size() {
        return deliveries.size();
    }

    boolean isEmpty() {
        return deliveries.isEmpty();
    }

    /** The footprint of everything queued, in bytes. */
    long bytes() {
        return bytes;
    }

    @Override
    public Iterator<Delivery> iterator() {
        return deliveries.iterator();
    }
}
