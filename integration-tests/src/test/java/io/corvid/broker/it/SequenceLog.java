package io.corvid.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * The numbered messages one subscriber received, in arrival order. Each payload starts with
 * its number, a big-endian int (see {@link #payload}); the rest is filler. The log keeps only
 * the numbers, never the payloads, so that tests moving many megabytes hold little on the
 * heap. It tells how many came, whether any came twice or out of order, and when the first
 * and the last came. Thread safe.
 */
public final class SequenceLog {
    private static final int MAX_ANOMALIES = 10;

    private final String name;
    private int[] numbers = new int[1024];
    private int count;
    private final BitSet seen = new BitSet();
    private int duplicates;
    private int outOfOrder;
    private int last = -1;
    private final List<String> anomalies = new ArrayList<>();
    /** Runs of numbers skipped (not necessarily lost: they may come later, out of order). */
    private int gaps;
    private final List<String> gapList = new ArrayList<>();
    private long firstNanos;
    private long lastNanos;

    public SequenceLog(String name) {
        this.name = name;
    }

    /** A payload of {@code size} bytes (at least 4) that starts with {@code number}. */
    public static byte[] payload(int number, int size) {
        return ByteBuffer.allocate(Math.max(4, size)).putInt(number).array();
    }

    /** The number a payload starts with. */
    public static int number(byte[] payload) {
        return ByteBuffer.wrap(payload).getInt();
    }

    /** The number a payload starts with (the buffer's position is left alone). */
    public static int number(ByteBuffer payload) {
        return payload.getInt(payload.position());
    }

    /** Records the arrival of message {@code number}. */
    public synchronized void add(int number) {
        long now = System.nanoTime();
        if (count == 0) {
            firstNanos = now;
        }
        lastNanos = now;
        if (count == numbers.length) {
            numbers = Arrays.copyOf(numbers, count * 2);
        }
        numbers[count++] = number;
        if (seen.get(number)) {
            duplicates++;
            anomaly("#" + number + " again (arrival " + count + ")");
        } else {
            seen.set(number);
        }
        if (number <= last) {
            outOfOrder++;
            anomaly("#" + number + " after #" + last + " (arrival " + count + ")");
        } else if (number > last + 1) {
            gaps++;
            if (gapList.size() < MAX_ANOMALIES) {
                gapList.add(number - last - 1 == 1 ? "#" + (last + 1) : "#" + (last + 1) + "-#" + (number - 1));
            }
        }
        last = Math.max(last, number);
    }

    private void anomaly(String what) {
        if (anomalies.size() < MAX_ANOMALIES) {
            anomalies.add(what);
        }
    }

    /** How many messages arrived, duplicates included. */
    public synchronized int count() {
        return count;
    }

    /** How many different messages arrived. */
    public synchronized int distinct() {
        return seen.cardinality();
    }

    /** The numbers in arrival order. */
    public synchronized int[] numbers() {
        return Arrays.copyOf(numbers, count);
    }

    /** When the last message arrived (System.nanoTime), or 0 if none did. */
    public synchronized long lastArrivalNanos() {
        return count == 0 ? 0 : lastNanos;
    }

    /** When the first message arrived (System.nanoTime), or 0 if none did. */
    public synchronized long firstArrivalNanos() {
        return count == 0 ? 0 : firstNanos;
    }

    /** Waits until at least {@code expected} messages arrived. */
    public void awaitCount(int expected, Duration timeout) {
        awaitCount(expected, timeout, () -> "");
    }

    /** Waits until at least {@code expected} messages arrived; on timeout the message tells {@code context} too. */
    public void awaitCount(int expected, Duration timeout, Supplier<String> context) {
        try {
            Await.until(name + " receiving " + expected + " messages", timeout, () -> count() >= expected);
        } catch (AssertionError timedOut) {
            throw new AssertionError(timedOut.getMessage() + "; " + this + " " + context.get(), timedOut);
        }
    }

    /** Fails unless exactly messages 0 to {@code expected} - 1 arrived, each once, in order. */
    public void assertExactlyInOrder(int expected) {
        assertExactlyInOrder(expected, () -> "");
    }

    /** Fails unless exactly messages 0 to {@code expected} - 1 arrived, each once, in order; the failure tells {@code context} too. */
    public synchronized void assertExactlyInOrder(int expected, Supplier<String> context) {
        if (duplicates > 0 || outOfOrder > 0) {
            fail(name + ": " + duplicates + " duplicates and " + outOfOrder + " out of order; " + this + " " + context.get());
        }
        if (count != expected || distinct() != expected || last != expected - 1) {
            assertEquals(expected, count, name + ": messages received; " + this + " " + context.get());
            assertEquals(expected, distinct(), name + ": distinct messages received; " + this + " " + context.get());
            assertEquals(expected - 1, last, name + ": the last message; " + this + " " + context.get());
        }
    }

    /** Messages per second from {@code startNanos} to the last arrival. */
    public synchronized double ratePerSecond(long startNanos) {
        long nanos = lastNanos - startNanos;
        return nanos <= 0 ? Double.NaN : count * 1e9 / nanos;
    }

    @Override
    public synchronized String toString() {
        return name + "[" + count + " received, " + seen.cardinality() + " distinct, last #" + last + ", "
                + duplicates + " duplicates, " + outOfOrder + " out of order"
                + (anomalies.isEmpty() ? "" : ", first anomalies " + anomalies)
                + (gaps == 0 ? "" : ", " + gaps + " gaps, the first " + gapList) + "]";
    }
}
