package io.corvid.broker.store.mvstore;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The hand-over between the threads that change the store and its one writer thread: many
 * producers append, the writer takes everything queued at once by swapping lists.
 *
 * <p>Why not a {@code BlockingQueue}: a store change is handed over for every message and every
 * acknowledgement, and the writer took them one {@code poll} (one lock round trip, one node)
 * at a time; measured on the pairs QoS 1 benchmark that hand-over cost more than MVStore's own
 * {@code put}. Here a producer holds the lock only to append to an array list, and the writer
 * takes a whole batch in one swap.
 */
final class TaskQueue {
    private final Object lock = new Object();
    private ArrayList<WriteTask> filling = new ArrayList<>();
    private long fillingBytes;
    private long takenBytes;
    private boolean writerWaiting;

    /** Appends a task of about {@code bytes}; wakes the writer if it waits. */
    void add(WriteTask task, int bytes) {
        synchronized (lock) {
            filling.add(task);
            fillingBytes += bytes;
            if (writerWaiting) {
                writerWaiting = false;
                lock.notify();
            }
        }
    }

    /**
     * Takes everything queued, waiting for the first task if there is none: at most
     * {@code timeoutNanos} if that is zero or more, without limit if it is negative.
     *
     * @param empty an empty list, which becomes the one producers append to next
     * @return the tasks in the order they were added; empty if the wait timed out
     */
    ArrayList<WriteTask> takeAll(ArrayList<WriteTask> empty, long timeoutNanos) throws InterruptedException {
        synchronized (lock) {
            if (filling.isEmpty() && timeoutNanos != 0) {
                long deadline = System.nanoTime() + timeoutNanos;
                writerWaiting = true;
                while (filling.isEmpty()) {
                    if (timeoutNanos < 0) {
                        lock.wait();
                        continue;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
                writerWaiting = false;
            }
            ArrayList<WriteTask> taken = filling;
            filling = empty;
            takenBytes = fillingBytes;
            fillingBytes = 0;
            return taken;
        }
    }

    /** The bytes of the tasks the last {@link #takeAll(ArrayList, long)} returned; for the one thread that calls it. */
    long takenBytes() {
        synchronized (lock) {
            return takenBytes;
        }
    }

    /** Whether the writer waits for a task. */
    boolean writerWaits() {
        synchronized (lock) {
            return writerWaiting;
        }
    }

    /** Takes everything queued without waiting (for the tasks handed over after the writer stopped). */
    ArrayList<WriteTask> takeAll() {
        synchronized (lock) {
            ArrayList<WriteTask> taken = filling;
            filling = new ArrayList<>();
            fillingBytes = 0;
            return taken;
        }
    }
}
