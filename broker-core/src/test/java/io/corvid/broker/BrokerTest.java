package io.corvid.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.QoS;
import io.corvid.broker.transport.BoundListener;
import io.corvid.broker.transport.ConnectionAcceptor;
import io.corvid.broker.transport.Transport;
import io.corvid.broker.transport.TransportSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The broker's lifecycle, with a transport that binds nothing. */
class BrokerTest {

    /** Records what the broker asks of its transport. */
    private static final class RecordingTransport implements Transport {
        final List<String> calls = new ArrayList<>();
        IOException failure;
        TransportSettings settings;

        @Override
        public List<BoundListener> start(List<Listener> listeners, ConnectionAcceptor acceptor, TransportSettings settings)
                throws IOException {
            calls.add("start " + listeners.size());
            this.settings = settings;
            if (failure != null) {
                throw failure;
            }
            List<BoundListener> bound = new ArrayList<>();
            int port = 40000;
            for (Listener listener : listeners) {
                bound.add(new BoundListener(listener, new InetSocketAddress("127.0.0.1", listener.port() == 0 ? port++
                        : listener.port())));
            }
            return bound;
        }

        @Override
        public void stopAccepting() {
            calls.add("stopAccepting");
        }

        @Override
        public void stop() {
            calls.add("stop");
        }
    }

    @Test
    void startAndStopAreIdempotentAndAStoppedBrokerStaysStopped() {
        RecordingTransport transport = new RecordingTransport();
        Broker broker = new Broker.Builder().port(0).transport(transport).build();
        assertThrows(IllegalStateException.class, broker::port, "no port before start");
        assertTrue(broker.start() == broker.start());
        assertEquals(40000, broker.port());
        assertTrue(broker.isRunning());
        broker.stop();
        broker.close();
        assertFalse(broker.isRunning());
        assertEquals(List.of("start 1", "stopAccepting", "stop"), transport.calls);
        assertThrows(IllegalStateException.class, broker::start);
        assertThrows(IllegalStateException.class, () -> broker.publish("t", new byte[0], QoS.AT_MOST_ONCE, false));
    }

    @Test
    void theDefaultListenerIsTcpOnAllAddressesPort1883() {
        Listener listener = new Broker.Builder().buildConfig().listeners().get(0);
        assertEquals(Listener.Protocol.TCP, listener.protocol());
        assertEquals("0.0.0.0", listener.host());
        assertEquals(1883, listener.port());
    }

    @Test
    void aBindFailureLeavesNothingRunning() {
        RecordingTransport transport = new RecordingTransport();
        transport.failure = new IOException("address in use");
        Broker broker = new Broker.Builder().transport(transport).build();
        assertThrows(java.io.UncheckedIOException.class, broker::start);
        assertFalse(broker.isRunning());
        assertTrue(transport.calls.contains("stop"));
    }

    @Test
    void withoutATransportStartSaysWhatIsMissing() {
        // broker-core's tests have no transport module on the class path.
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new Broker.Builder().port(0).build().start());
        assertTrue(error.getMessage().contains("broker-netty"), error.getMessage());
    }

    @Test
    void theTransportReceivesTheConfiguredLimits() {
        RecordingTransport transport = new RecordingTransport();
        try (Broker broker = new Broker.Builder().transport(transport).maxPacketSize(4096).maxConnections(7)
                .ioThreads(3).writeBufferWaterMarks(1000, 2000).build().start()) {
            assertEquals(4096, transport.settings.maximumPacketSize());
            assertEquals(7, transport.settings.maxConnections());
            assertEquals(3, transport.settings.ioThreads());
            assertEquals(2000, transport.settings.writeBufferHighWaterMark());
            assertEquals(0, broker.publish("nobody", new byte[0], QoS.AT_MOST_ONCE, false));
        }
    }

    @Test
    void applicationPublishRejectsInvalidTopics() {
        try (Broker broker = new Broker.Builder().transport(new RecordingTransport()).build().start()) {
            assertThrows(IllegalArgumentException.class, () -> broker.publish("a/+", new byte[0], QoS.AT_MOST_ONCE, false));
            assertThrows(IllegalArgumentException.class, () -> broker.publish("", new byte[0], QoS.AT_MOST_ONCE, false));
        }
    }

    @Test
    void theSysTopicsStartWithTheBroker() {
        try (Broker broker = new Broker.Builder().transport(new RecordingTransport()).build().start()) {
            assertEquals(BrokerConfig.DEFAULT_SYS_INTERVAL, broker.config().sysInterval());
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (broker.retained("$SYS/broker/version").isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "no $SYS/broker/version within 10 s of the start");
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
    }

    @Test
    void builderRejectsNonsense() {
        Broker.Builder builder = new Broker.Builder();
        assertThrows(IllegalArgumentException.class, () -> builder.port(70000));
        assertThrows(IllegalArgumentException.class, () -> builder.maxPacketSize(1));
        assertThrows(IllegalArgumentException.class, () -> builder.maxInflight(0));
        assertThrows(IllegalArgumentException.class, () -> builder.connectTimeout(java.time.Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> builder.writeBufferWaterMarks(10, 5));
        assertThrows(IllegalArgumentException.class, () -> builder.sysInterval(java.time.Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> builder.sysInterval(java.time.Duration.ofNanos(1)));
        assertThrows(IllegalArgumentException.class, () -> builder.sysInterval(null));
    }
}
