package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.corvid.broker.it.Await;
import io.corvid.broker.it.HiveMqV5Client;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.Library;
import io.corvid.broker.it.MqttTestClient;
import io.corvid.broker.it.PahoV5Client;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.UserProperty;
import io.corvid.broker.packet.Will;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 wills with a Will Delay Interval and will properties, from the HiveMQ client and
 * Paho v5, watched by both libraries and by a raw client, which sees the PUBLISH as the broker
 * sent it: the will properties forwarded, the Will Delay Interval not (it is no PUBLISH
 * property; the raw client's decoder would refuse it). WillIT covers the will basics and
 * Paho's delay cases.
 */
class WillDelayIT {
    private static final List<UserProperty> USER_PROPERTIES =
            List.of(new UserProperty("k", "1"), new UserProperty("k", "2"), new UserProperty("other", "x"));
    private static final byte[] CORRELATION = {0, 1, 2, (byte) 0xFF};

    private static TestBroker broker;
    private String willTopic;
    private PahoV5Client pahoWatcher;
    private HiveMqV5Client hiveWatcher;
    private RawClient rawWatcher;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void watch() {
        willTopic = Ids.next("will5") + "/status";
        pahoWatcher = PahoV5Client.create(broker, Ids.next("paho-watch")).connect(options -> { });
        pahoWatcher.subscribe(willTopic, 1);
        hiveWatcher = HiveMqV5Client.connect(broker, Ids.next("hive-watch"), b -> b);
        hiveWatcher.subscribe(willTopic, 1);
        rawWatcher = V5.connected(broker, Ids.next("raw-watch"), Properties.EMPTY);
        V5.subscribe(rawWatcher, willTopic, QoS.AT_LEAST_ONCE);
    }

    @AfterEach
    void stopWatching() {
        pahoWatcher.close();
        hiveWatcher.close();
        rawWatcher.close();
    }

    @Test
    void willsWithPropertiesArePublishedAfterTheirDelay() {
        String hiveId = Ids.next("hive-dying");
        HiveMqV5Client hive = HiveMqV5Client.connect(broker, hiveId, b -> b.cleanStart(true).sessionExpiryInterval(300)
                .willPublish().topic(willTopic).payload("hive will".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE)
                .delayInterval(1).messageExpiryInterval(60).contentType("text/plain").responseTopic("replies/hive")
                .correlationData(CORRELATION).payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .userProperties().add("k", "1").add("k", "2").add("other", "x").applyUserProperties()
                .applyWillPublish());
        PahoV5Client paho = PahoV5Client.create(broker, Ids.next("paho-dying")).connect(options -> {
            options.setSessionExpiryInterval(300L);
            options.setWill(willTopic, new MqttMessage("paho will".getBytes(UTF_8), 1, false, new MqttProperties()));
            MqttProperties willProperties = new MqttProperties();
            willProperties.setWillDelayInterval(1L);
            willProperties.setMessageExpiryInterval(60L);
            willProperties.setContentType("text/plain");
            willProperties.setResponseTopic("replies/paho");
            willProperties.setCorrelationData(CORRELATION);
            willProperties.setPayloadFormat(true);
            willProperties.setUserProperties(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty("k", "1"),
                    new org.eclipse.paho.mqttv5.common.packet.UserProperty("k", "2"),
                    new org.eclipse.paho.mqttv5.common.packet.UserProperty("other", "x")));
            options.setWillMessageProperties(willProperties);
        });

        // HiveMQ asks for its will with DISCONNECT 0x04; Paho loses its connection.
        long firstEnd = System.nanoTime();
        Await.result("HiveMQ DISCONNECT 0x04", hive.client.disconnectWith()
                .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send());
        paho.kill();
        paho.close();

        Publish rawFirst = rawWatcher.expect(Publish.class);
        long waitedMillis = (System.nanoTime() - firstEnd) / 1_000_000;
        assertTrue(waitedMillis >= 900, "the first will came " + waitedMillis + " ms after its client left, not after 1 s");
        rawWatcher.send(new PubAck(rawFirst.packetId()));
        Publish rawSecond = rawWatcher.expect(Publish.class);
        rawWatcher.send(new PubAck(rawSecond.packetId()));

        Map<String, Publish> raw = new HashMap<>();
        raw.put(V5.text(rawFirst), rawFirst);
        raw.put(V5.text(rawSecond), rawSecond);
        for (String who : List.of("hive", "paho")) {
            Publish will = raw.get(who + " will");
            assertTrue(will != null, "the " + who + " will reached the raw watcher: " + raw.keySet());
            assertEquals(willTopic, will.topic());
            assertEquals(QoS.AT_LEAST_ONCE, will.qos());
            assertFalse(will.retain());
            Properties properties = will.properties();
            assertEquals("text/plain", properties.getString(Property.CONTENT_TYPE));
            assertEquals("replies/" + who, properties.getString(Property.RESPONSE_TOPIC));
            assertArrayEquals(CORRELATION, properties.getBinary(Property.CORRELATION_DATA));
            assertEquals(1, properties.getInt(Property.PAYLOAD_FORMAT_INDICATOR, 0));
            assertEquals(USER_PROPERTIES, properties.userProperties(), "user properties in order");
            long expiry = properties.getLong(Property.MESSAGE_EXPIRY_INTERVAL, -1);
            assertTrue(expiry >= 55 && expiry <= 60, "message expiry forwarded: " + expiry);
            assertFalse(properties.contains(Property.WILL_DELAY_INTERVAL));
        }

        Map<String, Mqtt5Publish> fromHive = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            Mqtt5Publish will = Await.next("a will at the HiveMQ watcher", hiveWatcher.publishes());
            fromHive.put(new String(will.getPayloadAsBytes(), UTF_8), will);
        }
        Map<String, MqttMessage> fromPaho = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            MqttMessage will = Await.next("a will at the Paho watcher", pahoWatcher.messages());
            fromPaho.put(new String(will.getPayload(), UTF_8), will);
        }
        for (String who : List.of("hive", "paho")) {
            Mqtt5Publish hiveView = fromHive.get(who + " will");
            assertEquals("text/plain", hiveView.getContentType().orElseThrow().toString());
            assertEquals("replies/" + who, hiveView.getResponseTopic().orElseThrow().toString());
            assertArrayEquals(CORRELATION, V5.bytes(hiveView.getCorrelationData().orElseThrow()));
            assertEquals(Mqtt5PayloadFormatIndicator.UTF_8, hiveView.getPayloadFormatIndicator().orElseThrow());
            assertEquals(List.of("k=1", "k=2", "other=x"), hiveView.getUserProperties().asList().stream()
                    .map(p -> p.getName() + "=" + p.getValue()).toList());
            assertTrue(hiveView.getMessageExpiryInterval().isPresent());

            MqttMessage pahoView = fromPaho.get(who + " will");
            MqttProperties properties = pahoView.getProperties();
            assertEquals("text/plain", properties.getContentType());
            assertEquals("replies/" + who, properties.getResponseTopic());
            assertArrayEquals(CORRELATION, properties.getCorrelationData());
            assertTrue(properties.getPayloadFormat());
            assertEquals(List.of("k=1", "k=2", "other=x"), properties.getUserProperties().stream()
                    .map(p -> p.getKey() + "=" + p.getValue()).toList());
            assertTrue(properties.getMessageExpiryInterval() != null);
        }
    }

    @Test
    void hiveMqResumingWithinTheDelaySuppressesTheWill() {
        String clientId = Ids.next("hive-back");
        HiveMqV5Client first = HiveMqV5Client.connect(broker, clientId, b -> b.cleanStart(false).sessionExpiryInterval(300)
                .willPublish().topic(willTopic).payload("should not".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE)
                .delayInterval(60).applyWillPublish());
        Await.result("HiveMQ DISCONNECT 0x04", first.client.disconnectWith()
                .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send());
        broker.awaitNotConnected(clientId);
        try (HiveMqV5Client second = HiveMqV5Client.connect(broker, clientId,
                b -> b.cleanStart(false).sessionExpiryInterval(0))) {
            assertTrue(second.sessionPresent());
            second.disconnect();
        }
        broker.events.awaitSessionEnd(clientId);
        assertMarkerFirst();
    }

    @Test
    void rawWillIsPublishedAtOnceWhenTheSessionEndsBeforeTheDelay() {
        // Session expiry 0: the session ends with the connection, and a session's end is due
        // time for its will, whatever its delay.
        Will will = new Will(willTopic, "session over".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false,
                V5.props(Property.WILL_DELAY_INTERVAL, 3600L, Property.USER_PROPERTY, "why=session"));
        RawClient dying = V5.connected(broker, V5.connect(Ids.next("raw-dying"), true, will, Properties.EMPTY));
        dying.kill();
        Publish published = rawWatcher.expect(Publish.class);
        assertEquals("session over", V5.text(published));
        assertEquals(List.of(new UserProperty("why", "session")), published.properties().userProperties());
        rawWatcher.send(new PubAck(published.packetId()));
        assertEquals("session over", new String(Await.next("will", pahoWatcher.messages(), Duration.ofSeconds(10))
                .getPayload(), UTF_8));
    }

    /** Publishes a marker on the will topic: it must be the next thing every watcher sees. */
    private void assertMarkerFirst() {
        try (MqttTestClient marker = Library.PAHO_V5.connect(broker, Ids.next("marker"))) {
            marker.publish(willTopic, "marker", 1, false);
        }
        assertEquals("marker", new String(Await.next("marker", pahoWatcher.messages()).getPayload(), UTF_8));
        assertEquals("marker", new String(Await.next("marker", hiveWatcher.publishes()).getPayloadAsBytes(), UTF_8));
        assertEquals("marker", V5.text(rawWatcher.expect(Publish.class)));
    }
}
