package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A client flooding its event loop at full speed must not starve the loop's other
 * connections: each connection gets a bounded number of reads per turn.
 */
class FairnessTest {

    @Test
    void aFloodingPublisherDoesNotStarveAnotherClientOnTheSameEventLoop() throws Exception {
        // One I/O thread: the flooder, its subscriber and the pinging client share it.
        try (Broker broker = new Broker.Builder().host("127.0.0.1").port(0).transport(new NettyTransport(1, false))
                .build().start();
             RawClient flooder = RawClient.connected(broker.port(), ProtocolVersion.MQTT_3_1_1, "flooder");
             RawClient subscriber = RawClient.connected(broker.port(), ProtocolVersion.MQTT_3_1_1, "flood-reader");
             RawClient pinger = RawClient.connected(broker.port(), ProtocolVersion.MQTT_3_1_1, "pinger")) {
            subscriber.subscribe(1, "flood", QoS.AT_MOST_ONCE);
            Brokers.awaitSubscribed(broker, "flood-reader");
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong floodedBytes = new AtomicLong();
            Thread writer = new Thread(() -> flood(flooder, flooding, floodedBytes), "flooder");
            Thread reader = new Thread(() -> drain(subscriber, flooding), "flood-reader");
            writer.start();
            reader.start();
            try {
                Await.until("the flood is under way", () -> floodedBytes.get() > 4 * 1024 * 1024);
                long worstNanos = 0;
                for (int i = 0; i < 50; i++) {
                    long start = System.nanoTime();
                    pinger.send(PingReq.INSTANCE);
                    assertInstanceOf(PingResp.class, pinger.receive());
                    worstNanos = Math.max(worstNanos, System.nanoTime() - start);
                }
                assertTrue(writer.isAlive(), "the pings were answered while the flood went on");
                long worstMillis = TimeUnit.NANOSECONDS.toMillis(worstNanos);
                assertTrue(worstMillis < 2_000, "slowest ping round trip during the flood: " + worstMillis + " ms");
            } finally {
                flooding.set(false);
                writer.join(10_000);
                reader.join(10_000);
            }
        }
    }

    /** Writes blocks of QoS 0 PUBLISH packets as fast as the socket takes them, for at most 20 s. */
    private static void flood(RawClient client, AtomicBoolean flooding, AtomicLong written) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        byte[] packet = MqttEncoder.encode(Publish.atMostOnce("flood", new byte[16], false), ProtocolVersion.MQTT_3_1_1);
        while (block.size() < 64 * 1024) {
            block.writeBytes(packet);
        }
        byte[] bytes = block.toByteArray();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try {
            OutputStream out = client.socket().getOutputStream();
            while (flooding.get() && System.nanoTime() < deadline) {
                out.write(bytes);
                written.addAndGet(bytes.length);
            }
        } catch (IOException e) {
            // The test is over and the socket closed under the writer.
        }
    }

    /** Reads and discards what the subscriber is sent, so that the broker keeps delivering. */
    private static void drain(RawClient client, AtomicBoolean flooding) {
        byte[] buffer = new byte[64 * 1024];
        try {
            while (flooding.get() && client.socket().getInputStream().read(buffer) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // Closed at the end of the test, or the read timed out after the flood.
        }
    }
}
