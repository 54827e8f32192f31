package io.corvid.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 3.1 (protocol name "MQIsdp", level 3) with Paho v3 and mosquitto: connecting, every QoS,
 * retained messages, persistent sessions, and the rules 3.1 has of its own.
 */
class Mqtt31IT {
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static PahoV3Client connect31(String clientId, boolean cleanSession) {
        return PahoV3Client.create(broker, clientId).connect(options -> {
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
            options.setCleanSession(cleanSession);
        });
    }

    @Test
    void pahoSpeaksMqtt31AtEveryQosAndTheBrokerKnowsIt() {
        String topic = Ids.next("v31");
        try (PahoV3Client subscriber = connect31(Ids.next("v31-sub"), true);
             PahoV3Client publisher = connect31(Ids.next("v31-pub"), true)) {
            assertEquals(ProtocolVersion.MQTT_3_1, broker.broker.client(subscriber.clientId()).orElseThrow().protocolVersion());
            assertEquals(ProtocolVersion.MQTT_3_1, broker.events.connects(publisher.clientId()).get(0).client().protocolVersion());
            subscriber.subscribe(topic, 2);
            for (int qos = 0; qos <= 2; qos++) {
                publisher.publish(topic, "qos " + qos, qos, false);
                Received received = subscriber.next();
                assertEquals("qos " + qos, received.text());
                assertEquals(qos, received.qos());
            }
        }
    }

    @Test
    void mqtt31AndMqtt5ClientsTalkToEachOther() {
        String topic = Ids.next("v31-mixed");
        try (PahoV3Client old = connect31(Ids.next("v31"), true);
             MqttTestClient modern = Library.HIVEMQ_V5.connect(broker, Ids.next("v5"));
             Mosquitto.Sub mosquitto = Mosquitto.sub(broker, "-V", "mqttv31", "-i", "mosq-v31", "-t", topic, "-q", "2",
                     "-C", "2", "-W", "20", "-F", Mosquitto.FORMAT)) {
            old.subscribe(topic, 2);
            modern.subscribe(topic, 2);
            broker.awaitSubscription("mosq-v31", topic);
            assertEquals(ProtocolVersion.MQTT_3_1, broker.broker.client("mosq-v31").orElseThrow().protocolVersion());
            modern.publish(topic, "from 5.0", 2, false);
            old.publish(topic, "from 3.1", 1, false);
            assertEquals("from 5.0", old.next().text());
            assertEquals("from 3.1", old.next().text());
            assertEquals("from 5.0", modern.next().text());
            assertEquals("from 3.1", modern.next().text());
            assertEquals("from 5.0", mosquitto.next().text());
            assertEquals("from 3.1", mosquitto.next().text());
            assertEquals(0, mosquitto.awaitExit());
        }
    }

    @Test
    void retainedMessagesAndPersistentSessions() {
        String clientId = Ids.next("v31-away");
        String topic = Ids.next("v31-state");
        try (PahoV3Client publisher = connect31(Ids.next("v31-pub"), true)) {
            publisher.publish(topic, "retained in 3.1", 1, true);
            try (PahoV3Client first = connect31(clientId, false)) {
                first.subscribe(topic, 2);
                Received retained = first.next();
                assertEquals("retained in 3.1", retained.text());
                assertTrue(retained.retain());
                first.disconnect();
            }
            broker.events.awaitDisconnect(clientId);
            publisher.publish(topic, "while away", 2, false);
            try (PahoV3Client second = connect31(clientId, false)) {
                Received queued = second.next();
                assertEquals("while away", queued.text());
                assertEquals(2, queued.qos());
                assertFalse(queued.retain());
            }
            publisher.publish(topic, "", 1, true);
        }
        connect31(clientId, true).close();
    }

    @Test
    void connackOfMqtt31CarriesNoSessionPresentFlag() {
        String clientId = Ids.next("v31-raw");
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1)) {
            raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_3_1, clientId, false, 60, null, 0));
        }
        broker.events.awaitDisconnect(clientId);
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1)) {
            ConnAck connAck = raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_3_1, clientId, false, 60, null, 0));
            assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
            assertFalse(connAck.sessionPresent(), "MQTT 3.1: the first CONNACK byte is reserved, the flag is 3.1.1's");
            assertTrue(broker.broker.session(clientId).isPresent(), "the session itself was resumed");
        }
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1)) {
            raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_3_1, clientId, true, 60, null, 0));
        }
    }

    @Test
    void mqtt31RequiresAClientIdentifier() {
        try (RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1)) {
            ConnAck connAck = raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_3_1, "", true, 60, null, 0));
            assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, connAck.reasonCode(),
                    "MQTT 3.1 client identifiers are 1 to 23 characters: return code 2 Identifier rejected");
        }
    }
}
