package io.corvid.broker.store.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.store.mvstore.WriteTask.Callback;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TaskQueueTest {
    private final TaskQueue queue = new TaskQueue();

    @Test
    void takesEverythingInOrderWithItsBytes() throws InterruptedException {
        WriteTask first = new Callback(() -> { });
        WriteTask second = new Callback(() -> { });
        queue.add(first, 10);
        queue.add(second, 5);
        ArrayList<WriteTask> spare = new ArrayList<>();
        ArrayList<WriteTask> taken = queue.takeAll(spare, 0);
        assertEquals(List.of(first, second), taken);
        assertEquals(15, queue.takenBytes());
        queue.add(first, 1);
        assertSame(spare, queue.takeAll(new ArrayList<>(), 0), "the spare list is the next one filled");
    }

    @Test
    void aTimedWaitEndsEmptyAndNoWaitDoesNotWait() throws InterruptedException {
        long started = System.nanoTime();
        assertTrue(queue.takeAll(new ArrayList<>(), TimeUnit.MILLISECONDS.toNanos(50)).isEmpty());
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(50));
        assertTrue(queue.takeAll(new ArrayList<>(), 0).isEmpty());
        assertEquals(0, queue.takenBytes());
    }

    @Test
    void aProducerWakesTheWaitingWriter() throws InterruptedException {
        WriteTask task = new Callback(() -> { });
        Thread producer = new Thread(() -> {
            Await.until("the writer waits", () -> queue.writerWaits());
            queue.add(task, 1);
        });
        producer.start();
        assertEquals(List.of(task), queue.takeAll(new ArrayList<>(), -1));
        producer.join();
    }
}
