package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import java.time.Duration;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Wills: published when a connection ends without DISCONNECT, not after a normal DISCONNECT,
 * at the will's QoS and with its retain flag.
 *
 * <p>To show that a will was <em>not</em> published, the test waits until the broker ended the
 * client's session (the will would have been routed by then) and then publishes a marker on
 * the will topic: the subscriber must receive the marker first.
 */
class WillIT {
    private static final String WILL_PAYLOAD = "gone";

    private static TestBroker broker;
    private MqttTestClient watcher;
    private String willTopic;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void watchTheWillTopic() {
        willTopic = Ids.next("will") + "/status";
        watcher = Library.HIVEMQ_V5.connect(broker, Ids.next("watcher"));
        watcher.subscribe(willTopic, 2);
    }

    @AfterEach
    void stopWatching() {
        watcher.close();
    }

    /** Clients that vanish without DISCONNECT, each with a will of QoS 1 on {@link #willTopic}. */
    enum AbnormalEnd {
        PAHO_V3_SOCKET_CUT, PAHO_V3_1_SOCKET_CUT, PAHO_V5_SOCKET_CUT, RAW_V311_SOCKET_CLOSED, RAW_V5_SOCKET_CLOSED,
        MOSQUITTO_SUB_KILLED
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(AbnormalEnd.class)
    void willIsPublishedWhenTheConnectionEndsWithoutDisconnect(AbnormalEnd end) {
        String clientId = Ids.next("dying");
        Runnable vanish = connectWithWill(end, clientId);
        vanish.run();

        Received will = watcher.next();
        assertEquals(willTopic, will.topic());
        assertEquals(WILL_PAYLOAD, will.text());
        assertEquals(1, will.qos(), "the will's QoS");
        assertFalse(will.retain());
        DisconnectReason reason = broker.events.awaitDisconnect(clientId).reason();
        assertEquals(DisconnectReason.Initiator.NETWORK, reason.initiator(), reason.toString());
    }

    private Runnable connectWithWill(AbnormalEnd end, String clientId) {
        byte[] payload = WILL_PAYLOAD.getBytes(UTF_8);
        switch (end) {
            case PAHO_V3_SOCKET_CUT, PAHO_V3_1_SOCKET_CUT -> {
                PahoV3Client client = PahoV3Client.create(broker, clientId).connect(options -> {
                    options.setWill(willTopic, payload, 1, false);
                    if (end == AbnormalEnd.PAHO_V3_1_SOCKET_CUT) {
                        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
                    }
                });
                return () -> {
                    client.kill();
                    client.close();
                };
            }
            case PAHO_V5_SOCKET_CUT -> {
                PahoV5Client client = PahoV5Client.create(broker, clientId)
                        .connect(options -> options.setWill(willTopic, new MqttMessage(payload, 1, false, new MqttProperties())));
                return () -> {
                    client.kill();
                    client.close();
                };
            }
            case RAW_V311_SOCKET_CLOSED, RAW_V5_SOCKET_CLOSED -> {
                ProtocolVersion version = end == AbnormalEnd.RAW_V5_SOCKET_CLOSED
                        ? ProtocolVersion.MQTT_5 : ProtocolVersion.MQTT_3_1_1;
                RawClient raw = RawClient.open(broker, version);
                Will will = new Will(willTopic, payload, QoS.AT_LEAST_ONCE, false,
                        Properties.EMPTY);
                ConnAck connAck = raw.connect(RawClient.connectPacket(version, clientId, true, 60, will, 0));
                assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
                return raw::close; // an orderly TCP close, but no DISCONNECT
            }
            case MOSQUITTO_SUB_KILLED -> {
                Mosquitto.Sub sub = Mosquitto.sub(broker, "-i", clientId, "-t", "unrelated/topic",
                        "--will-topic", willTopic, "--will-payload", WILL_PAYLOAD, "--will-qos", "1");
                broker.awaitSubscription(clientId, "unrelated/topic");
                return sub::kill; // SIGKILL: the kernel closes the socket
            }
            default -> throw new IllegalArgumentException(end.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Library.class)
    void willIsNotPublishedAfterNormalDisconnect(Library library) {
        String clientId = Ids.next("polite");
        MqttTestClient client = switch (library) {
            case PAHO_V3, PAHO_V3_1 -> PahoV3Client.create(broker, clientId).connect(options -> {
                options.setWill(willTopic, WILL_PAYLOAD.getBytes(UTF_8), 1, false);
                if (library == Library.PAHO_V3_1) {
                    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
                }
            });
            case PAHO_V5 -> PahoV5Client.create(broker, clientId).connect(options ->
                    options.setWill(willTopic, new MqttMessage(WILL_PAYLOAD.getBytes(UTF_8), 1, false, new MqttProperties())));
            case HIVEMQ_V3 -> HiveMqV3Client.connect(broker, clientId, b -> b.willPublish().topic(willTopic)
                    .payload(WILL_PAYLOAD.getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE).applyWillPublish());
            case HIVEMQ_V5 -> HiveMqV5Client.connect(broker, clientId, b -> b.willPublish().topic(willTopic)
                    .payload(WILL_PAYLOAD.getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE).applyWillPublish());
        };
        client.disconnect();
        client.close();
        assertEquals(DisconnectReason.Initiator.CLIENT, broker.events.awaitDisconnect(clientId).reason().initiator());
        assertNoWillBeforeMarker(clientId);
    }

    @Test
    void willIsNotPublishedWhenMosquittoSubExitsNormally() {
        String clientId = Ids.next("polite-mosq");
        try (Mosquitto.Sub sub = Mosquitto.sub(broker, "-i", clientId, "-t", "unrelated/" + clientId, "-C", "1", "-W", "20",
                "--will-topic", willTopic, "--will-payload", WILL_PAYLOAD, "--will-qos", "1");
             MqttTestClient publisher = Library.PAHO_V3.connect(broker, Ids.next("pub"))) {
            broker.awaitSubscription(clientId, "unrelated/" + clientId);
            publisher.publish("unrelated/" + clientId, "bye", 0, false);
            assertEquals("bye", sub.nextLine());
            assertEquals(0, sub.awaitExit(), "mosquitto_sub -C 1 exits after one message, with DISCONNECT");
        }
        assertNoWillBeforeMarker(clientId);
    }

    private void assertNoWillBeforeMarker(String clientId) {
        broker.events.awaitSessionEnd(clientId);
        try (MqttTestClient marker = Library.PAHO_V3.connect(broker, Ids.next("marker"))) {
            marker.publish(willTopic, "marker", 1, false);
        }
        assertEquals("marker", watcher.next().text(), "no will after a normal DISCONNECT");
    }

    @Test
    void willQosAndRetainAreHonoured() {
        String clientId = Ids.next("dying");
        PahoV3Client client = PahoV3Client.create(broker, clientId)
                .connect(options -> options.setWill(willTopic, "last words".getBytes(UTF_8), 2, true));
        client.kill();
        client.close();

        Received live = watcher.next();
        assertEquals("last words", live.text());
        assertEquals(2, live.qos(), "a QoS 2 will reaches a QoS 2 subscription at QoS 2");
        assertFalse(live.retain(), "delivered to an existing subscription: no RETAIN flag");

        try (MqttTestClient late = Library.PAHO_V5.connect(broker, Ids.next("late"))) {
            late.subscribe(willTopic, 2);
            Received retained = late.next();
            assertEquals("last words", retained.text());
            assertEquals(2, retained.qos());
            assertTrue(retained.retain(), "a retained will is stored as the topic's retained message");
        }
    }

    @Test
    void qos0WillIsDeliveredAtQos0() {
        RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_3_1_1);
        Will will = new Will(willTopic, "q0".getBytes(UTF_8), QoS.AT_MOST_ONCE, false, Properties.EMPTY);
        raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_3_1_1, Ids.next("raw"), true, 60, will, 0));
        raw.kill();
        Received received = watcher.next();
        assertEquals("q0", received.text());
        assertEquals(0, received.qos());
    }

    @Test
    void mqtt5DisconnectWithWillMessagePublishesTheWill() {
        String clientId = Ids.next("with-will");
        HiveMqV5Client client = HiveMqV5Client.connect(broker, clientId, b -> b.willPublish().topic(willTopic)
                .payload("asked for".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE).applyWillPublish());
        Await.result("DISCONNECT 0x04", client.client.disconnectWith()
                .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send());
        assertEquals("asked for", watcher.next().text());
        assertEquals(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, broker.events.awaitDisconnect(clientId).reason().reasonCode());
    }

    @Test
    void rawMqtt5DisconnectWithWillMessagePublishesTheWill() {
        RawClient raw = RawClient.open(broker, ProtocolVersion.MQTT_5);
        Will will = new Will(willTopic, "raw asked".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false,
                Properties.EMPTY);
        raw.connect(RawClient.connectPacket(ProtocolVersion.MQTT_5, Ids.next("raw"), true, 60, will, 0));
        raw.send(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE));
        assertEquals("raw asked", watcher.next().text());
        raw.awaitClosedByBroker(Await.TIMEOUT);
    }

    @Test
    void willDelayPostponesTheWill() {
        String clientId = Ids.next("delayed");
        PahoV5Client client = PahoV5Client.create(broker, clientId).connect(options -> {
            options.setCleanStart(true);
            options.setSessionExpiryInterval(300L);
            options.setWill(willTopic, new MqttMessage("late".getBytes(UTF_8), 1, false, new MqttProperties()));
            MqttProperties willProperties = new MqttProperties();
            willProperties.setWillDelayInterval(1L);
            options.setWillMessageProperties(willProperties);
        });
        long killedAt = System.nanoTime();
        client.kill();
        client.close();
        Received will = Await.next("the delayed will", watcher.received(), Duration.ofSeconds(10));
        long elapsedMillis = (System.nanoTime() - killedAt) / 1_000_000;
        assertEquals("late", will.text());
        assertTrue(elapsedMillis >= 900, "the will waited for its 1 s delay, came after " + elapsedMillis + " ms");
    }

    @Test
    void reconnectingWithinTheWillDelaySuppressesTheWill() {
        String clientId = Ids.next("back-soon");
        PahoV5Client first = PahoV5Client.create(broker, clientId).connect(options -> {
            options.setCleanStart(false);
            options.setSessionExpiryInterval(300L);
            options.setWill(willTopic, new MqttMessage("should not".getBytes(UTF_8), 1, false, new MqttProperties()));
            MqttProperties willProperties = new MqttProperties();
            willProperties.setWillDelayInterval(60L);
            options.setWillMessageProperties(willProperties);
        });
        first.kill();
        first.close();
        broker.events.awaitDisconnect(clientId);
        try (PahoV5Client second = PahoV5Client.create(broker, clientId).connect(options -> {
            options.setCleanStart(false);
            options.setSessionExpiryInterval(300L);
        })) {
            assertTrue(second.sessionPresent());
            second.publish(willTopic, "marker".getBytes(UTF_8), 1, false);
            assertEquals("marker", watcher.next().text(), "the will was cancelled by the reconnection");
        }
    }

    @Test
    void delayedWillIsPublishedWhenTheSessionEndsFirst() {
        String clientId = Ids.next("short-session");
        PahoV5Client client = PahoV5Client.create(broker, clientId).connect(options -> {
            options.setSessionExpiryInterval(1L);
            options.setWill(willTopic, new MqttMessage("session over".getBytes(UTF_8), 1, false, new MqttProperties()));
            MqttProperties willProperties = new MqttProperties();
            willProperties.setWillDelayInterval(3600L);
            options.setWillMessageProperties(willProperties);
        });
        client.kill();
        client.close();
        assertEquals("session over", Await.next("the will at session end", watcher.received(), Duration.ofSeconds(10)).text());
        broker.events.awaitSessionEnd(clientId);
    }
}
