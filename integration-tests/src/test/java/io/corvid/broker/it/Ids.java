package io.corvid.broker.it;

import java.util.concurrent.atomic.AtomicInteger;

/** Unique client identifiers and topics, short enough for MQTT 3.1 (23 characters). */
public final class Ids {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Ids() {
    }

    /** A fresh identifier: {@code prefix} (cut to 14 characters), a dash and a number. */
    public static String next(String prefix) {
        String head = prefix.length() > 14 ? prefix.substring(0, 14) : prefix;
        return head + "-" + COUNTER.incrementAndGet();
    }
}
