package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.ClusterMessage;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two data planes on loopback, without Hazelcast: framing, order, batching and the bounded queue. */
class DataPlaneTest {
    private final List<DataPlane> planes = new ArrayList<>();

    @AfterEach
    void close() {
        planes.forEach(DataPlane::close);
    }

    private DataPlane plane(String cluster, String node, long queueBytes) {
        DataPlane plane = new DataPlane(cluster, node, 1, queueBytes);
        planes.add(plane);
        return plane;
    }

    private static byte[] frame(String topic, String payload) {
        return FrameCodec.message(new ClusterMessage(topic, payload.getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE,
                false, Properties.EMPTY, "publisher", ClusterMessage.NEVER_EXPIRES));
    }

    @Test
    void messagesArriveWholeAndInOrderWhateverTheBatching() throws Exception {
        BlockingQueue<ClusterMessage> delivered = new LinkedBlockingQueue<>();
        DataPlane receiver = plane("c", "receiver", 1 << 20);
        InetSocketAddress address = receiver.start("127.0.0.1", 0, inbound -> delivered.add(inbound.message()));
        DataPlane sender = plane("c", "sender", 64L << 20);
        sender.start("127.0.0.1", 0, inbound -> { });
        sender.connect("receiver", address);

        int count = 5_000; // enough to fill many 64 KiB batches with the larger ones
        for (int i = 0; i < count; i++) {
            assertTrue(sender.send("receiver", frame("t/" + i, i % 100 == 0 ? "x".repeat(100_000) : "m" + i)));
        }
        for (int i = 0; i < count; i++) {
            ClusterMessage message = Await.next("message " + i, delivered);
            assertEquals("t/" + i, message.topic());
            assertEquals("publisher", message.publisherId());
        }
        assertEquals(count, sender.forwarded());
        assertEquals(count, receiver.received());
        assertEquals(0, sender.dropped());
    }

    @Test
    void messagesForAnUnreachablePeerAreBoundedAndCountedWhenDropped() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // closed again: nothing listens there
        }
        DataPlane sender = plane("c", "sender", 1_000);
        sender.connect("gone", new InetSocketAddress("127.0.0.1", port));
        byte[] frame = frame("t", "y".repeat(100));
        int accepted = 0;
        for (int i = 0; i < 50; i++) {
            if (sender.send("gone", frame)) {
                accepted++;
            }
        }
        assertTrue(accepted > 0 && accepted * frame.length <= 1_000, "accepted " + accepted);
        assertEquals(50 - accepted, sender.dropped());
        assertFalse(sender.isConnected("gone"));
    }

    @Test
    void aNodeOfAnotherClusterIsNotHeard() throws Exception {
        BlockingQueue<ClusterMessage> delivered = new LinkedBlockingQueue<>();
        DataPlane receiver = plane("ours", "receiver", 1 << 20);
        InetSocketAddress address = receiver.start("127.0.0.1", 0, inbound -> delivered.add(inbound.message()));
        DataPlane stranger = plane("theirs", "stranger", 1 << 20);
        stranger.connect("receiver", address);
        DataPlane friend = plane("ours", "friend", 1 << 20);
        friend.connect("receiver", address);

        stranger.send("receiver", frame("from/stranger", "x"));
        // The stranger's HELLO is refused, whenever its frame goes out (it may be queued for a reconnect).
        Await.until("the stranger's connection was refused", () -> receiver.refused() >= 1);
        friend.send("receiver", frame("from/friend", "y"));

        assertEquals("from/friend", Await.next("the friend's message", delivered).topic());
        assertEquals(1, receiver.received(), "the stranger's message was counted as received");
        assertTrue(delivered.isEmpty());
    }
}
