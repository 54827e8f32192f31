package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.Listener;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.transport.TransportProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Brokers on the Netty transport: found by the ServiceLoader, several at once, stopped cleanly. */
class BrokerLifecycleTest {

    private static void assertServes(Broker broker, String clientId) {
        try (RawClient client = RawClient.connected(broker.port(), ProtocolVersion.MQTT_3_1_1, clientId)) {
            client.send(PingReq.INSTANCE);
            assertInstanceOf(PingResp.class, client.receive());
        }
    }

    @Test
    void isFoundByTheServiceLoader() {
        List<String> providers = ServiceLoader.load(TransportProvider.class).stream()
                .map(provider -> provider.type().getName()).toList();
        assertEquals(List.of(NettyTransportProvider.class.getName()), providers);
        assertEquals("netty", new NettyTransportProvider().name());
    }

    @Test
    void runsTwoBrokersAtOnceAndReleasesEachOnesThreads() throws InterruptedException {
        NettyTransport firstTransport = new NettyTransport(2, false);
        NettyTransport secondTransport = new NettyTransport(2, false);
        Broker first = new Broker.Builder().host("127.0.0.1").port(0).transport(firstTransport).build().start();
        Broker second = new Broker.Builder().host("127.0.0.1").port(0).transport(secondTransport).build().start();
        try {
            assertNotEquals(first.port(), second.port());
            assertServes(first, "first");
            assertServes(second, "second");

            List<Thread> firstThreads = firstTransport.threads();
            assertFalse(firstThreads.isEmpty());
            first.stop();
            first.stop();
            Await.threadsEnded(firstThreads);
            assertServes(second, "second-again");
        } finally {
            first.stop();
            second.stop();
        }
        Await.threadsEnded(secondTransport.threads());
    }

    @Test
    void stoppingSaysGoodbyeToVersion5Clients() {
        Broker broker = new Broker.Builder().host("127.0.0.1").port(0).build().start();
        try (RawClient client = RawClient.connected(broker.port(), ProtocolVersion.MQTT_5, "goodbye")) {
            broker.stop();
            var packets = client.receiveUntilClosed();
            assertEquals(1, packets.size(), packets::toString);
            assertEquals(ReasonCode.SERVER_SHUTTING_DOWN, assertInstanceOf(Disconnect.class, packets.get(0)).reasonCode());
        } finally {
            broker.stop();
        }
    }

    @Test
    void leavesNoIoThreadBehindAfterStop() throws InterruptedException {
        NettyTransport transport = (NettyTransport) new NettyTransportProvider().create();
        Broker broker = new Broker.Builder().host("127.0.0.1").port(0).transport(transport).build().start();
        assertServes(broker, "last");
        List<Thread> threads = transport.threads();
        broker.stop();
        Await.threadsEnded(threads);
        assertTrue(threads.stream().noneMatch(Thread::isAlive));
    }

    @Test
    void failsToStartOnATakenPortAndReleasesItsThreads() throws InterruptedException {
        Broker first = new Broker.Builder().host("127.0.0.1").port(0).build().start();
        try {
            NettyTransport transport = new NettyTransport(1, false);
            Broker second = new Broker.Builder()
                    .listener(Listener.tcp("127.0.0.1", first.port()).named("clash"))
                    .transport(transport).build();
            UncheckedIOException failure = assertThrows(UncheckedIOException.class, second::start);
            IOException cause = failure.getCause();
            assertTrue(cause.getMessage().contains(":" + first.port()), cause.getMessage());
            assertFalse(second.isRunning());
            Await.threadsEnded(transport.threads());
            assertServes(first, "unharmed");
        } finally {
            first.stop();
        }
    }
}
