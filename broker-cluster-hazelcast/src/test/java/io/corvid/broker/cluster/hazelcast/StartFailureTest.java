package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import io.corvid.broker.Authentication;
import io.corvid.broker.Broker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A node that cannot join does not start, and leaves nothing behind: no Hazelcast member, no bound port. */
class StartFailureTest {

    private static Broker broker(HazelcastCluster cluster) {
        return new Broker.Builder().host("127.0.0.1").port(0).sysInterval(Duration.ZERO)
                .authentication(Authentication.allowAll()).cluster(cluster).build();
    }

    @Test
    void aTakenDataPortStopsTheStartBeforeHazelcastStarts() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            HazelcastCluster cluster = HazelcastCluster.builder().clusterName("taken-data").port(0)
                    .dataPort(taken.getLocalPort()).build();
            Broker broker = broker(cluster);
            IllegalStateException refused = assertThrows(IllegalStateException.class, broker::start);
            assertTrue(refused.getMessage().contains("data port"), refused.getMessage());
            assertTrue(Hazelcast.getHazelcastInstanceByName("corvid-" + cluster.nodeId()) == null);
            assertTrue(!broker.isRunning());
        }
    }

    @Test
    void aTakenClusterPortStopsTheStartAndFreesTheDataPort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            HazelcastCluster cluster = HazelcastCluster.builder().clusterName("taken-control")
                    .port(taken.getLocalPort()).build();
            Broker broker = broker(cluster);
            IllegalStateException refused = assertThrows(IllegalStateException.class, broker::start);
            assertTrue(refused.getMessage().contains("could not join"), refused.getMessage());
            String data = cluster.dataAddress();
            int dataPort = Integer.parseInt(data.substring(data.lastIndexOf(':') + 1));
            try (ServerSocket free = new ServerSocket(dataPort, 50, InetAddress.getLoopbackAddress())) {
                assertTrue(free.isBound(), "the data port was left bound");
            }
            assertTrue(Hazelcast.getHazelcastInstanceByName("corvid-" + cluster.nodeId()) == null);
        }
    }
}
