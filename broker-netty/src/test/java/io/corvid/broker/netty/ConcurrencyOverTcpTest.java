package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Authentication;
import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.Broker;
import io.corvid.broker.codec.DecoderFeeder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Several clients on several I/O threads at once, and an authenticator that answers late. */
class ConcurrencyOverTcpTest {

    @Test
    void fansOutEveryMessageToEverySubscriberInPublisherOrder() throws Exception {
        int subscribers = 20;
        int publishers = 5;
        int perPublisher = 200;
        Broker broker = new Broker.Builder().host("127.0.0.1").port(0).transport(new NettyTransport(4, false))
                .build().start();
        ExecutorService pool = Executors.newFixedThreadPool(subscribers + publishers);
        try {
            int port = broker.port();
            List<RawClient> subscriberClients = new ArrayList<>();
            for (int s = 0; s < subscribers; s++) {
                RawClient client = RawClient.connected(port, ProtocolVersion.MQTT_5, "fan-sub-" + s);
                client.subscribe(1, "fan/+", QoS.AT_LEAST_ONCE);
                subscriberClients.add(client);
            }
            List<Future<int[]>> received = new ArrayList<>();
            for (RawClient client : subscriberClients) {
                received.add(pool.submit(() -> {
                    int[] lastSeen = new int[publishers];
                    Arrays.fill(lastSeen, -1);
                    for (int i = 0; i < publishers * perPublisher; i++) {
                        Publish message = client.receive(Publish.class);
                        ByteBuffer payload = ByteBuffer.wrap(message.payload());
                        int publisher = payload.getInt(0);
                        int sequence = payload.getInt(4);
                        assertEquals(lastSeen[publisher] + 1, sequence, "per-publisher order");
                        lastSeen[publisher] = sequence;
                        client.send(new PubAck(message.packetId()));
                    }
                    return lastSeen;
                }));
            }
            List<Future<?>> sent = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int publisher = p;
                sent.add(pool.submit(() -> {
                    try (RawClient client = RawClient.connected(port, ProtocolVersion.MQTT_3_1_1, "fan-pub-" + publisher)) {
                        for (int i = 0; i < perPublisher; i++) {
                            byte[] payload = ByteBuffer.allocate(2048).putInt(publisher).putInt(i).array();
                            client.send(new Publish("fan/" + publisher, QoS.AT_LEAST_ONCE, false, false, 1 + i,
                                    payload, Properties.EMPTY));
                            assertEquals(1 + i, client.receive(PubAck.class).packetId());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : sent) {
                future.get(60, TimeUnit.SECONDS);
            }
            for (Future<int[]> future : received) {
                int[] lastSeen = future.get(60, TimeUnit.SECONDS);
                for (int last : lastSeen) {
                    assertEquals(perPublisher - 1, last);
                }
            }
            subscriberClients.forEach(RawClient::close);
        } finally {
            pool.shutdownNow();
            broker.stop();
        }
    }

    @Test
    void keepsPacketsThatArriveWhileAnAsynchronousAuthenticatorDecides() throws Exception {
        BlockingQueue<CompletableFuture<AuthenticationResult>> pending = new LinkedBlockingQueue<>();
        Broker broker = new Broker.Builder().host("127.0.0.1").port(0)
                .authentication(Authentication.async(request -> {
                    CompletableFuture<AuthenticationResult> decision = new CompletableFuture<>();
                    pending.add(decision);
                    return decision;
                }))
                .build().start();
        ProtocolVersion version = ProtocolVersion.MQTT_3_1_1;
        byte[] payload = "while you were deciding".getBytes(StandardCharsets.UTF_8);
        try (RawClient watcher = new RawClient(broker.port(), version);
             RawClient eager = new RawClient(broker.port(), version)) {
            watcher.send(RawClient.connectPacket(version, "watcher"));
            nextDecision(pending).complete(AuthenticationResult.allow());
            assertEquals(ReasonCode.SUCCESS, watcher.receive(ConnAck.class).reasonCode());
            watcher.subscribe(1, "eager/#", QoS.AT_MOST_ONCE);

            eager.sendBytes(DecoderFeeder.concat(
                    MqttEncoder.encode(RawClient.connectPacket(version, "eager"), version),
                    MqttEncoder.encode(Publish.atMostOnce("eager/news", payload, false), version),
                    MqttEncoder.encode(PingReq.INSTANCE, version)));
            // Answered from this thread, not the connection's, while its later packets wait.
            nextDecision(pending).complete(AuthenticationResult.allow());
            assertEquals(ReasonCode.SUCCESS, eager.receive(ConnAck.class).reasonCode());
            assertInstanceOf(PingResp.class, eager.receive());
            Publish delivered = watcher.receive(Publish.class);
            assertArrayEquals(payload, delivered.payload());
            assertTrue(broker.client("eager").isPresent());
        } finally {
            broker.stop();
        }
    }

    private static CompletableFuture<AuthenticationResult> nextDecision(
            BlockingQueue<CompletableFuture<AuthenticationResult>> pending) throws InterruptedException {
        CompletableFuture<AuthenticationResult> decision = pending.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (decision == null) {
            throw new AssertionError("the authenticator was not asked within " + Await.TIMEOUT);
        }
        return decision;
    }
}
