package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real broker, found through the ServiceLoader, driven over a raw socket: connect, subscribe,
 * publish at every QoS with the full acknowledgement flows, ping and disconnect.
 */
class BrokerRoundTripTest {
    private static Broker broker;
    private static int port;

    @BeforeAll
    static void startBroker() {
        broker = new Broker.Builder().host("127.0.0.1").port(0).build().start();
        port = broker.port();
    }

    @AfterAll
    static void stopBroker() {
        broker.stop();
    }

    @Test
    void connectsWithMqtt311() {
        try (RawClient client = new RawClient(port, ProtocolVersion.MQTT_3_1_1)) {
            client.send(RawClient.connectPacket(ProtocolVersion.MQTT_3_1_1, "rt-311"));
            ConnAck connAck = client.receive(ConnAck.class);
            assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
            assertFalse(connAck.sessionPresent());
            Await.until("client rt-311 registered", () -> broker.client("rt-311").isPresent());
        }
    }

    @Test
    void connectsWithMqtt5AndIsToldTheLimits() {
        try (RawClient client = new RawClient(port, ProtocolVersion.MQTT_5)) {
            client.send(RawClient.connectPacket(ProtocolVersion.MQTT_5, ""));
            ConnAck connAck = client.receive(ConnAck.class);
            assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
            assertTrue(connAck.properties().contains(Property.ASSIGNED_CLIENT_IDENTIFIER),
                    "an empty client id gets one assigned: " + connAck.properties());
            assertEquals(broker.config().maxPacketSize(),
                    connAck.properties().getLong(Property.MAXIMUM_PACKET_SIZE, -1));
        }
    }

    @ParameterizedTest(name = "{0} QoS {1}, {2}-byte payload")
    @CsvSource({
            "MQTT_3_1_1, 0, 5", "MQTT_3_1_1, 1, 5", "MQTT_3_1_1, 2, 5",
            "MQTT_5, 0, 5", "MQTT_5, 1, 5", "MQTT_5, 2, 5",
            "MQTT_3_1, 1, 0",
            // Around the size from which payloads are wrapped instead of copied.
            "MQTT_5, 1, 1023", "MQTT_5, 1, 1024", "MQTT_3_1_1, 2, 1025",
            "MQTT_5, 0, 300000", "MQTT_3_1_1, 1, 300000"})
    void publishesAndDelivers(ProtocolVersion version, int qosValue, int payloadSize) {
        QoS qos = QoS.fromValue(qosValue);
        String topic = "rt/" + version + "/" + qosValue + "/" + payloadSize;
        byte[] payload = new byte[payloadSize];
        new Random(payloadSize).nextBytes(payload);
        try (RawClient subscriber = RawClient.connected(port, version, "sub-" + topic.replace('/', '-'));
             RawClient publisher = RawClient.connected(port, version, "pub-" + topic.replace('/', '-'))) {
            subscriber.subscribe(1, topic, QoS.EXACTLY_ONCE);

            int publishId = qos == QoS.AT_MOST_ONCE ? 0 : 42;
            publisher.send(new Publish(topic, qos, false, false, publishId, payload, Properties.EMPTY));
            switch (qos) {
                case AT_MOST_ONCE -> { }
                case AT_LEAST_ONCE -> assertEquals(42, publisher.receive(PubAck.class).packetId());
                case EXACTLY_ONCE -> {
                    assertEquals(42, publisher.receive(PubRec.class).packetId());
                    publisher.send(new PubRel(42));
                    assertEquals(42, publisher.receive(PubComp.class).packetId());
                }
            }

            Publish delivered = subscriber.receive(Publish.class);
            assertEquals(topic, delivered.topic());
            assertEquals(qos, delivered.qos());
            assertArrayEquals(payload, delivered.payload());
            switch (qos) {
                case AT_MOST_ONCE -> assertEquals(0, delivered.packetId());
                case AT_LEAST_ONCE -> subscriber.send(new PubAck(delivered.packetId()));
                case EXACTLY_ONCE -> {
                    subscriber.send(new PubRec(delivered.packetId()));
                    assertEquals(delivered.packetId(), subscriber.receive(PubRel.class).packetId());
                    subscriber.send(new PubComp(delivered.packetId()));
                }
            }
            // The broker is still in step with both clients after the flows.
            subscriber.send(PingReq.INSTANCE);
            assertInstanceOf(PingResp.class, subscriber.receive());
            publisher.send(PingReq.INSTANCE);
            assertInstanceOf(PingResp.class, publisher.receive());
        }
    }

    @Test
    void answersPing() {
        try (RawClient client = RawClient.connected(port, ProtocolVersion.MQTT_3_1_1, "pinger")) {
            for (int i = 0; i < 3; i++) {
                client.send(PingReq.INSTANCE);
                assertInstanceOf(PingResp.class, client.receive());
            }
        }
    }

    @Test
    void closesAfterDisconnectAndForgetsTheClient() {
        for (ProtocolVersion version : ProtocolVersion.values()) {
            String clientId = "leaver-" + version;
            try (RawClient client = RawClient.connected(port, version, clientId)) {
                Await.until(clientId + " connected", () -> broker.client(clientId).isPresent());
                client.send(Disconnect.NORMAL);
                assertEquals(0, client.receiveUntilClosed().size(), "nothing after DISCONNECT");
                Await.until(clientId + " forgotten", () -> broker.client(clientId).isEmpty());
            }
        }
    }

    @Test
    void deliversApplicationPublishesToSocketClients() {
        try (RawClient subscriber = RawClient.connected(port, ProtocolVersion.MQTT_5, "app-sub")) {
            subscriber.subscribe(7, "app/#", QoS.AT_LEAST_ONCE);
            byte[] payload = "from the application".getBytes(StandardCharsets.UTF_8);
            assertEquals(1, broker.publish("app/news", payload, QoS.AT_LEAST_ONCE, false));
            Publish delivered = subscriber.receive(Publish.class);
            assertEquals("app/news", delivered.topic());
            assertArrayEquals(payload, delivered.payload());
            assertNotEquals(0, delivered.packetId());
            subscriber.send(new PubAck(delivered.packetId()));
        }
    }
}
