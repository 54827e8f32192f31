package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corvid.broker.Broker;
import io.corvid.broker.BrokerMetrics;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.ProtocolVersion;
import org.junit.jupiter.api.Test;

/** The transport reports every MQTT byte it reads and writes to the broker's counters. */
class TrafficCountersTest {

    @Test
    void bytesInAndOutMatchThePacketsExchanged() {
        try (Broker broker = new Broker.Builder().host("127.0.0.1").port(0).build().start()) {
            BrokerMetrics metrics = broker.metrics();
            Connect connect = RawClient.connectPacket(ProtocolVersion.MQTT_3_1_1, "counted");
            try (RawClient client = new RawClient(broker.port(), ProtocolVersion.MQTT_3_1_1)) {
                client.send(connect);
                client.receive(ConnAck.class);
                client.send(PingReq.INSTANCE);
                client.receive(PingResp.class);
                long expectedIn = MqttEncoder.encodedSize(connect, ProtocolVersion.MQTT_3_1_1) + 2;
                // CONNACK and PINGRESP of MQTT 3.1.1: 4 and 2 bytes.
                Await.until("the bytes read are counted", () -> metrics.bytesReceived() == expectedIn);
                Await.until("the bytes written are counted", () -> metrics.bytesSent() == 4 + 2);
            }
            Await.until("the connection is counted closed", () -> metrics.connectionsOpen() == 0);
            assertEquals(1, metrics.connectionsAccepted());
        }
    }
}
