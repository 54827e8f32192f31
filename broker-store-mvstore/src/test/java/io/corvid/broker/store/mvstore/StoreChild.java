package io.corvid.broker.store.mvstore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Semaphore;

/**
 * A separate JVM for the crash tests. {@code write <dir> <seed>} writes numbered messages to
 * one session for ever, printing {@code +n} once message n is durable and {@code -n} once its
 * removal is, only from {@code whenDurable} callbacks; the test kills it. {@code hold <dir>}
 * opens the store, prints {@code open} and keeps it open until its standard input closes.
 */
public final class StoreChild {
    static final String CLIENT = "crash-client";
    private static final int IN_FLIGHT = 2_000;

    private StoreChild() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[1]);
        if (args[0].equals("hold")) {
            hold(directory);
        } else {
            write(directory, Long.parseLong(args[2]));
        }
    }

    private static void hold(Path directory) throws IOException {
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            System.out.println("open " + store.file());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Wait for the test to close our standard input.
            }
        }
    }

    private static void write(Path directory, long seed) throws InterruptedException {
        PrintStream out = System.out;
        Random random = new Random(seed);
        Semaphore window = new Semaphore(IN_FLIGHT);
        MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS);
        store.saveSession(Fixtures.plainSession(CLIENT));
        for (long sequence = 1; ; sequence++) {
            long saved = sequence;
            window.acquire();
            store.saveMessage(CLIENT, Fixtures.queued(saved, payloadSize(seed, saved), Fixtures.NEVER));
            store.whenDurable(() -> {
                out.println("+" + saved);
                out.flush();
                window.release();
            });
            if (removesEarlier(random, sequence)) {
                long removed = sequence - 5;
                window.acquire();
                store.removeMessage(CLIENT, removed);
                store.whenDurable(() -> {
                    out.println("-" + removed);
                    out.flush();
                    window.release();
                });
            }
        }
    }

    /**
     * Whether, after writing message {@code sequence}, the writer removes message
     * {@code sequence - 5}: the test replays it with the same seed to know what was removed.
     */
    static boolean removesEarlier(Random random, long sequence) {
        return sequence % 10 == 0 && random.nextBoolean();
    }

    /** The payload size of a message: different for every seed, known to the test. */
    static int payloadSize(long seed, long sequence) {
        return (int) ((sequence * 7919 + seed * 104_729) % 3_000);
    }
}
