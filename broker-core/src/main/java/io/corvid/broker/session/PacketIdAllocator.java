package io.corvid.broker.session;

import java.util.function.IntPredicate;

/**
 * Hands out packet identifiers for outgoing QoS 1/2 messages, 1 to 65,535 and round again,
 * skipping those still in flight. Identifiers are taken when a message is sent, never when it
 * is queued, so a long offline queue cannot exhaust them: at most as many are in use as the
 * inflight window allows.
 */
final class PacketIdAllocator {
    private int last;

    /**
     * The next free identifier.
     *
     * @param inUse tells which identifiers are taken; fewer than 65,535 may be
     */
    int next(IntPredicate inUse) {
        for (int tries = 0; tries < 0xFFFF; tries++) {
            last = last == 0xFFFF ? 1 : last + 1;
            if (!inUse.test(last)) {
                return last;
            }
        }
        throw new IllegalStateException("all 65,535 packet identifiers are in flight");
    }
}
