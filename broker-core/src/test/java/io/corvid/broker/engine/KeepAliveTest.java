package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ReasonCode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeepAliveTest extends EngineTestSupport {

    @Test
    void silentMqtt5ClientIsDisconnectedWithKeepAliveTimeout() {
        TestClient client = client("quiet");
        client.connect(TestClient.connect(MQTT_5, "quiet", true, 1, Properties.EMPTY, null));
        long start = System.nanoTime();
        assertEquals(ReasonCode.KEEP_ALIVE_TIMEOUT, client.expect(Disconnect.class).reasonCode());
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis >= 1400, "closed after " + elapsedMillis + " ms, before 1.5 x keep alive");
        client.awaitClosed();
        events.await("disconnected quiet SERVER KEEP_ALIVE_TIMEOUT");
    }

    @Test
    void silentMqtt311ClientIsClosedWithoutDisconnectPacket() {
        TestClient client = client("quiet3");
        client.connect(TestClient.connect(MQTT_3_1_1, "quiet3", true, 1, Properties.EMPTY, null));
        client.awaitClosed();
        assertTrue(client.connection.received.isEmpty());
    }

    @Test
    void pingsKeepTheConnectionOpen() throws InterruptedException {
        TestClient client = client("pinger");
        client.connect(TestClient.connect(MQTT_5, "pinger", true, 1, Properties.EMPTY, null));
        for (int i = 0; i < 4; i++) {
            // Waiting is the point of this test: the client must stay connected across several
            // keep-alive periods, and a ping answer paces the loop.
            assertFalse(client.connection.closed.await(500, TimeUnit.MILLISECONDS));
            client.send(PingReq.INSTANCE);
            client.expect(PingResp.class);
        }
        assertFalse(client.connection.isClosed());
    }

    @Test
    void zeroKeepAliveNeverTimesOut() {
        TestClient client = client("forever");
        client.connect(TestClient.connect(MQTT_3_1_1, "forever", true, 0, Properties.EMPTY, null));
        clock.advanceMillis(TimeUnit.HOURS.toMillis(24));
        client.send(PingReq.INSTANCE);
        client.expect(PingResp.class);
        assertFalse(client.connection.isClosed());
    }
}
