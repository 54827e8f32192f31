package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
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
 * Over real TCP: a client publishing at full speed is held to its rate by not being read (its
 * writes block in the kernel's buffers, nothing is dropped), while another client of the same
 * broker publishes at its own pace.
 */
class PublishThrottleTest {
    private static final int RATE = 2_000;

    @Test
    void aFloodingPublisherIsHeldToItsRateAndAnotherClientIsNot() throws Exception {
        try (Broker broker = new Broker.Builder().host("127.0.0.1").port(0).maxPublishRate(RATE)
                .transport(new NettyTransport(1, false)).build().start();
             RawClient flooder = RawClient.connected(broker.port(), ProtocolVersion.MQTT_3_1_1, "flooder");
             RawClient calm = RawClient.connected(broker.port(), ProtocolVersion.MQTT_3_1_1, "calm")) {
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong floodedBytes = new AtomicLong();
            byte[] packet = MqttEncoder.encode(Publish.atMostOnce("flood", new byte[16], false), ProtocolVersion.MQTT_3_1_1);
            Thread writer = new Thread(() -> flood(flooder, packet, flooding, floodedBytes), "flooder");
            writer.start();
            try {
                // Past the one-second burst, the broker takes RATE messages a second from the flooder.
                Await.until("the burst is spent", () -> broker.metrics().publishRateLimited() > 0);
                long startNanos = System.nanoTime();
                long startCount = broker.metrics().messagesReceived();

                // Meanwhile the calm client publishes QoS 1 and gets each PUBACK at once.
                long worstNanos = 0;
                int calmMessages = 0;
                while (System.nanoTime() - startNanos < TimeUnit.SECONDS.toNanos(2)) {
                    long sent = System.nanoTime();
                    calmMessages++;
                    calm.send(new Publish("calm", QoS.AT_LEAST_ONCE, false, false, calmMessages, new byte[16],
                            Properties.EMPTY));
                    assertEquals(calmMessages, calm.receive(PubAck.class).packetId());
                    worstNanos = Math.max(worstNanos, System.nanoTime() - sent);
                }
                long elapsedNanos = System.nanoTime() - startNanos;
                long taken = broker.metrics().messagesReceived() - startCount - calmMessages;
                double rate = taken * 1e9 / elapsedNanos;
                assertTrue(rate > RATE * 0.85 && rate < RATE * 1.15, "flooder held to " + rate + " msg/s, limit " + RATE);
                long worstMillis = TimeUnit.NANOSECONDS.toMillis(worstNanos);
                assertTrue(worstMillis < 250, "the calm client's slowest PUBACK took " + worstMillis + " ms");
                assertTrue(calmMessages > 100, "the calm client got only " + calmMessages + " round trips in 2 s");

                // Back-pressure, not loss: what the flooder wrote and the broker has not taken waits in socket
                // buffers (a few MiB at most), however long the flood goes on.
                long unread = floodedBytes.get() / packet.length - broker.metrics().messagesReceived();
                assertTrue(unread * packet.length < 32L * 1024 * 1024, unread + " packets written and not taken");
                assertTrue(writer.isAlive(), "the flooder is blocked, not failed");
            } finally {
                flooding.set(false);
                flooder.close();
                writer.join(10_000);
            }
        }
    }

    /** Writes blocks of QoS 0 PUBLISH packets as fast as the socket takes them, for at most 20 s. */
    private static void flood(RawClient client, byte[] packet, AtomicBoolean flooding, AtomicLong written) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        while (block.size() < 16 * 1024) {
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
}
