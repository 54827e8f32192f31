package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
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
import io.corvid.broker.packet.ReasonCode;
import java.util.List;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 request/response and message properties between Paho v5 and the HiveMQ client:
 * Response Topic and Correlation Data, Payload Format Indicator and Content Type, and User
 * Properties (in order, repeated names kept) are forwarded unchanged; with
 * {@code validatePayloadFormat(true)} a payload marked as UTF-8 that is not gets 0x99.
 */
class RequestResponseIT {
    private static final byte[] CORRELATION = {42, 0, (byte) 0x80, 7};
    private static final byte[] INVALID_UTF8 = {'o', 'k', (byte) 0xC3, (byte) 0x28};

    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void pahoRequestsAndHiveMqResponds() throws Exception {
        String service = Ids.next("service") + "/time";
        String replyTo = Ids.next("replies") + "/paho";
        try (PahoV5Client requester = PahoV5Client.create(broker, Ids.next("paho-req")).connect(options -> { });
             HiveMqV5Client responder = HiveMqV5Client.connect(broker, Ids.next("hive-resp"), b -> b)) {
            requester.subscribe(replyTo, 1);
            responder.subscribe(service, 1);
            MqttProperties properties = new MqttProperties();
            properties.setResponseTopic(replyTo);
            properties.setCorrelationData(CORRELATION);
            requester.client.publish(service, new MqttMessage("what time?".getBytes(UTF_8), 1, false, properties))
                    .waitForCompletion(Await.TIMEOUT.toMillis());

            Mqtt5Publish request = Await.next("the request", responder.publishes());
            assertEquals(replyTo, request.getResponseTopic().orElseThrow().toString());
            assertArrayEquals(CORRELATION, V5.bytes(request.getCorrelationData().orElseThrow()));
            Await.result("the response", responder.client.publishWith().topic(request.getResponseTopic().get())
                    .correlationData(request.getCorrelationData().get()).payload("noon".getBytes(UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).send());

            MqttMessage response = Await.next("the response", requester.messages());
            assertEquals("noon", new String(response.getPayload(), UTF_8));
            assertArrayEquals(CORRELATION, response.getProperties().getCorrelationData());
            assertNull(response.getProperties().getResponseTopic());
        }
    }

    @Test
    void hiveMqRequestsAndPahoRespondsUsingTheResponseInformationPrefix() throws Exception {
        // The Response Information of CONNACK is where a client may put its response topics.
        try (TestBroker informed = TestBroker.start(b -> b.responseInformation(c -> "reply/" + c.clientId()));
             HiveMqV5Client requester = HiveMqV5Client.connect(informed, Ids.next("hive-req"),
                     b -> b.restrictions().requestResponseInformation(true).applyRestrictions());
             PahoV5Client responder = PahoV5Client.create(informed, Ids.next("paho-resp")).connect(options -> { })) {
            String replyTo = requester.connAck().getResponseInformation().orElseThrow() + "/1";
            String service = Ids.next("service");
            requester.subscribe(replyTo, 1);
            responder.subscribe(service, 1);
            Await.result("the request", requester.client.publishWith().topic(service).responseTopic(replyTo)
                    .correlationData(CORRELATION).payload("ping".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE).send());

            MqttMessage request = Await.next("the request", responder.messages());
            assertEquals(replyTo, request.getProperties().getResponseTopic());
            MqttProperties reply = new MqttProperties();
            reply.setCorrelationData(request.getProperties().getCorrelationData());
            responder.client.publish(request.getProperties().getResponseTopic(),
                    new MqttMessage("pong".getBytes(UTF_8), 1, false, reply)).waitForCompletion(Await.TIMEOUT.toMillis());

            Mqtt5Publish response = Await.next("the response", requester.publishes());
            assertEquals("pong", new String(response.getPayloadAsBytes(), UTF_8));
            assertArrayEquals(CORRELATION, V5.bytes(response.getCorrelationData().orElseThrow()));
        }
    }

    @Test
    void payloadFormatContentTypeAndUserPropertiesAreForwardedBothWays() throws Exception {
        String topic = Ids.next("props");
        try (PahoV5Client paho = PahoV5Client.create(broker, Ids.next("paho")).connect(options -> { });
             HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b);
             RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY)) {
            paho.subscribe(topic + "/from-hive", 1);
            hive.subscribe(topic + "/from-paho", 1);
            V5.subscribe(raw, topic + "/+", QoS.AT_LEAST_ONCE);

            Await.result("HiveMQ publish", hive.client.publishWith().topic(topic + "/from-hive")
                    .payload("{\"a\":1}".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE)
                    .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).contentType("application/json")
                    .userProperties().add("b", "1").add("a", "2").add("b", "3").applyUserProperties().send());
            MqttProperties properties = new MqttProperties();
            properties.setPayloadFormat(true);
            properties.setContentType("text/csv");
            properties.setUserProperties(List.of(new UserProperty("z", "1"), new UserProperty("y", "2"),
                    new UserProperty("z", "3")));
            paho.client.publish(topic + "/from-paho", new MqttMessage("a,b".getBytes(UTF_8), 1, false, properties))
                    .waitForCompletion(Await.TIMEOUT.toMillis());

            MqttMessage atPaho = Await.next("HiveMQ's message at Paho", paho.messages());
            assertTrue(atPaho.getProperties().getPayloadFormat());
            assertEquals("application/json", atPaho.getProperties().getContentType());
            assertEquals(List.of("b=1", "a=2", "b=3"), atPaho.getProperties().getUserProperties().stream()
                    .map(p -> p.getKey() + "=" + p.getValue()).toList(), "in order, repeated names kept");

            Mqtt5Publish atHive = Await.next("Paho's message at HiveMQ", hive.publishes());
            assertEquals(Mqtt5PayloadFormatIndicator.UTF_8, atHive.getPayloadFormatIndicator().orElseThrow());
            assertEquals("text/csv", atHive.getContentType().orElseThrow().toString());
            assertEquals(List.of("z=1", "y=2", "z=3"), atHive.getUserProperties().asList().stream()
                    .map(p -> p.getName() + "=" + p.getValue()).toList(), "in order, repeated names kept");

            for (int i = 0; i < 2; i++) {
                Publish onTheWire = raw.expect(Publish.class);
                Properties wire = onTheWire.properties();
                assertEquals(1, wire.getInt(Property.PAYLOAD_FORMAT_INDICATOR, 0));
                String contentType = wire.getString(Property.CONTENT_TYPE);
                assertEquals(contentType.equals("text/csv") ? "z=1,y=2,z=3" : "b=1,a=2,b=3", String.join(",",
                        wire.userProperties().stream().map(p -> p.name() + "=" + p.value()).toList()));
                raw.send(new PubAck(onTheWire.packetId()));
            }

            // A message without these properties arrives without them.
            hive.publish(topic + "/from-hive", "plain", 1, false);
            MqttMessage plain = Await.next("plain", paho.messages());
            assertFalse(plain.getProperties().getPayloadFormat());
            assertNull(plain.getProperties().getContentType());
            assertTrue(plain.getProperties().getUserProperties().isEmpty());
        }
    }

    @Test
    void invalidUtf8IsForwardedWhenValidationIsOff() {
        String topic = Ids.next("no-validation");
        try (HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b);
             MqttTestClient subscriber = Library.PAHO_V5.connect(broker, Ids.next("sub"))) {
            subscriber.subscribe(topic, 1);
            Await.result("publish", publisher.client.publishWith().topic(topic).payload(INVALID_UTF8)
                    .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).qos(MqttQos.AT_LEAST_ONCE).send());
            assertArrayEquals(INVALID_UTF8, subscriber.next().payload(), "validation is off by default");
        }
    }

    @Test
    void invalidUtf8MarkedAsUtf8Gets0x99WhenValidationIsOn() throws Exception {
        try (TestBroker strict = TestBroker.start(b -> b.validatePayloadFormat(true))) {
            String topic = Ids.next("validated");
            try (HiveMqV5Client hive = HiveMqV5Client.connect(strict, Ids.next("hive"), b -> b);
                 PahoV5Client paho = PahoV5Client.create(strict, Ids.next("paho")).connect(options -> { });
                 MqttTestClient subscriber = Library.HIVEMQ_V5.connect(strict, Ids.next("sub"))) {
                subscriber.subscribe(topic, 2);
                Throwable qos1 = Await.failure("QoS 1 with invalid UTF-8", hive.client.publishWith().topic(topic)
                        .payload(INVALID_UTF8).payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                        .qos(MqttQos.AT_LEAST_ONCE).send());
                Mqtt5PubAck pubAck = assertInstanceOf(Mqtt5PubAckException.class, qos1).getMqttMessage();
                assertEquals(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, pubAck.getReasonCode());
                assertTrue(pubAck.getReasonString().isPresent(), "with a reason string");
                Throwable qos2 = Await.failure("QoS 2 with invalid UTF-8", hive.client.publishWith().topic(topic)
                        .payload(INVALID_UTF8).payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                        .qos(MqttQos.EXACTLY_ONCE).send());
                assertEquals(Mqtt5PubRecReasonCode.PAYLOAD_FORMAT_INVALID,
                        assertInstanceOf(Mqtt5PubRecException.class, qos2).getMqttMessage().getReasonCode());

                MqttProperties marked = new MqttProperties();
                marked.setPayloadFormat(true);
                IMqttToken token = paho.client.publish(topic, new MqttMessage(INVALID_UTF8, 1, false, marked));
                try {
                    token.waitForCompletion(Await.TIMEOUT.toMillis());
                } catch (org.eclipse.paho.mqttv5.common.MqttException refused) {
                    // Paho reports an error code in PUBACK as an exception; the code is on the token.
                }
                assertEquals(0x99, token.getReasonCodes()[0], "Paho's PUBACK");

                // Valid UTF-8, or invalid bytes not marked as UTF-8, pass.
                Await.result("valid", hive.client.publishWith().topic(topic).payload("gültig".getBytes(UTF_8))
                        .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).qos(MqttQos.AT_LEAST_ONCE).send());
                hive.publish(topic, INVALID_UTF8, 1, false);
                assertEquals("gültig", subscriber.next().text(), "the refused messages were not delivered");
                assertArrayEquals(INVALID_UTF8, subscriber.next().payload());
                assertTrue(hive.isConnected() && paho.isConnected());
            }
            try (RawClient raw = V5.connected(strict, Ids.next("raw"), Properties.EMPTY)) {
                raw.send(new Publish(topic, QoS.AT_MOST_ONCE, false, false, 0, INVALID_UTF8,
                        V5.props(Property.PAYLOAD_FORMAT_INDICATOR, 1)));
                V5.expectDisconnect(raw, ReasonCode.PAYLOAD_FORMAT_INVALID);
            }
        }
    }

    @Test
    void rawResponseTopicWithWildcardsIsAProtocolError() {
        try (RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY)) {
            raw.send(new Publish(Ids.next("req"), QoS.AT_LEAST_ONCE, false, false, 1, "x".getBytes(UTF_8),
                    V5.props(Property.RESPONSE_TOPIC, "replies/+")));
            V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void rawCorrelationDataAndResponseTopicReachAQos0Subscriber() {
        String topic = Ids.next("raw-req");
        try (RawClient requester = V5.connected(broker, Ids.next("raw-req"), Properties.EMPTY);
             RawClient responder = V5.connected(broker, Ids.next("raw-resp"), Properties.EMPTY)) {
            V5.subscribe(responder, topic, QoS.AT_MOST_ONCE);
            assertEquals(ReasonCode.SUCCESS, V5.publishQos1(requester, topic, "req", V5.props(
                    Property.RESPONSE_TOPIC, "replies/raw", Property.CORRELATION_DATA, CORRELATION)).reasonCode());
            Publish request = responder.expect(Publish.class);
            assertEquals(QoS.AT_MOST_ONCE, request.qos());
            assertEquals("replies/raw", request.properties().getString(Property.RESPONSE_TOPIC));
            assertArrayEquals(CORRELATION, request.properties().getBinary(Property.CORRELATION_DATA));
        }
    }
}
