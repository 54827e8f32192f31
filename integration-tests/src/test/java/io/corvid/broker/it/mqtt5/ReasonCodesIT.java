package io.corvid.broker.it.mqtt5;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRec;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAck;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import io.corvid.broker.Authorization;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.DropReason;
import io.corvid.broker.QueueOverflowPolicy;
import io.corvid.broker.it.Await;
import io.corvid.broker.it.HiveMqV5Client;
import io.corvid.broker.it.Ids;
import io.corvid.broker.it.Library;
import io.corvid.broker.it.MqttTestClient;
import io.corvid.broker.it.PahoV5Client;
import io.corvid.broker.it.RawClient;
import io.corvid.broker.it.RecordingListener;
import io.corvid.broker.it.TestBroker;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 reason codes and reason strings: on every acknowledgement (PUBACK, PUBREC, PUBREL,
 * PUBCOMP, SUBACK, UNSUBACK), reason strings left out for clients that turn problem
 * information off, and the broker's own DISCONNECT with the right code in each case: 0x8B
 * server shutting down, 0x8E session taken over, 0x98 administrative action, 0x97 quota
 * exceeded for a consumer too slow to keep up (0x8D keep alive timeout: KeepAliveIT).
 *
 * <p>The broker: nobody may publish to or subscribe to {@code denied/...}.
 */
class ReasonCodesIT {
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        Authorization authorization = new Authorization() {
            @Override
            public boolean canPublish(ClientInfo client, String topic, QoS qos, boolean retain) {
                return !topic.startsWith("denied/");
            }

            @Override
            public boolean canSubscribe(ClientInfo client, String topicFilter, QoS qos) {
                return !topicFilter.startsWith("denied/");
            }
        };
        broker = TestBroker.start(b -> b.authorization(authorization));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    // ------------------------------------------------------------ acknowledgements

    @Test
    void hiveMqSeesTheReasonCodeOfEveryPublishAcknowledgement() {
        String topic = Ids.next("acks");
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b);
             MqttTestClient subscriber = Library.PAHO_V5.connect(broker, Ids.next("sub"))) {
            Mqtt5PublishResult.Mqtt5Qos1Result nobody = (Mqtt5PublishResult.Mqtt5Qos1Result) Await.result("QoS 1",
                    hive.client.publishWith().topic(topic + "/nobody").qos(MqttQos.AT_LEAST_ONCE).send());
            assertEquals(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS, nobody.getPubAck().getReasonCode());
            Mqtt5PublishResult.Mqtt5Qos2Result nobody2 = (Mqtt5PublishResult.Mqtt5Qos2Result) Await.result("QoS 2",
                    hive.client.publishWith().topic(topic + "/nobody").qos(MqttQos.EXACTLY_ONCE).send());
            assertEquals(Mqtt5PubRecReasonCode.NO_MATCHING_SUBSCRIBERS, nobody2.getPubRec().getReasonCode());

            subscriber.subscribe(topic, 1);
            Mqtt5PublishResult.Mqtt5Qos1Result delivered = (Mqtt5PublishResult.Mqtt5Qos1Result) Await.result("QoS 1",
                    hive.client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).send());
            assertEquals(Mqtt5PubAckReasonCode.SUCCESS, delivered.getPubAck().getReasonCode());
            assertFalse(delivered.getPubAck().getReasonString().isPresent(), "no reason string on success");

            Mqtt5PubAck denied = assertInstanceOf(Mqtt5PubAckException.class,
                    hive.publishExpectingFailure("denied/" + topic, new byte[1], 1)).getMqttMessage();
            assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, denied.getReasonCode());
            assertTrue(denied.getReasonString().isPresent(), "a reason string says why");
            Mqtt5PubRec denied2 = assertInstanceOf(Mqtt5PubRecException.class,
                    hive.publishExpectingFailure("denied/" + topic, new byte[1], 2)).getMqttMessage();
            assertEquals(Mqtt5PubRecReasonCode.NOT_AUTHORIZED, denied2.getReasonCode());
            assertTrue(denied2.getReasonString().isPresent(), "a reason string says why");
        }
    }

    @Test
    void pahoSeesTheReasonCodeOfItsAcknowledgements() throws Exception {
        try (PahoV5Client paho = PahoV5Client.create(broker, Ids.next("paho")).connect(options -> { })) {
            IMqttToken nobody = paho.publishAsync(Ids.next("nobody"), new byte[1], 1, false);
            nobody.waitForCompletion(Await.TIMEOUT.toMillis());
            assertEquals(0x10, nobody.getReasonCodes()[0], "PUBACK No matching subscribers");
            assertEquals(0x87, paho.trySubscribe("denied/" + Ids.next("x"), 1), "SUBACK Not authorized");
        }
    }

    @Test
    void subscribeAndUnsubscribeAreAnsweredPerFilter() {
        String topic = Ids.next("per-filter");
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b)) {
            // HiveMQ fails the future of a SUBACK with any failure code; the SUBACK is in the exception.
            Mqtt5SubAck subAck = assertInstanceOf(Mqtt5SubAckException.class, Await.failure("SUBACK", hive.client.subscribeWith()
                    .addSubscription().topicFilter(topic + "/0").qos(MqttQos.AT_MOST_ONCE).applySubscription()
                    .addSubscription().topicFilter(topic + "/1").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .addSubscription().topicFilter(topic + "/2").qos(MqttQos.EXACTLY_ONCE).applySubscription()
                    .addSubscription().topicFilter("denied/" + topic).qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .send())).getMqttMessage();
            assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_0, Mqtt5SubAckReasonCode.GRANTED_QOS_1,
                    Mqtt5SubAckReasonCode.GRANTED_QOS_2, Mqtt5SubAckReasonCode.NOT_AUTHORIZED), subAck.getReasonCodes());

            Mqtt5UnsubAck unsubAck = Await.result("UNSUBACK", hive.client.unsubscribeWith()
                    .topicFilter(topic + "/1").addTopicFilter(topic + "/never").send());
            assertEquals(List.of(Mqtt5UnsubAckReasonCode.SUCCESS, Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED),
                    unsubAck.getReasonCodes());
        }
    }

    /**
     * The issue asks for reason strings on every acknowledgement; a refused subscription is
     * the case where a client needs one most.
     */
    @Test
    void refusedSubscriptionCarriesAReasonString() {
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive"), b -> b)) {
            Throwable refused = Await.failure("SUBACK", hive.client.subscribeWith()
                    .topicFilter("denied/" + Ids.next("x")).qos(MqttQos.AT_LEAST_ONCE).send());
            Mqtt5SubAck subAck = assertInstanceOf(Mqtt5SubAckException.class, refused).getMqttMessage();
            assertEquals(List.of(Mqtt5SubAckReasonCode.NOT_AUTHORIZED), subAck.getReasonCodes());
            assertTrue(subAck.getReasonString().isPresent(), "SUBACK with a failure code and no reason string");
        }
    }

    @Test
    void reasonStringsAreLeftOutWhenTheClientTurnsProblemInformationOff() {
        try (HiveMqV5Client quiet = HiveMqV5Client.connect(broker, Ids.next("quiet"),
                b -> b.restrictions().requestProblemInformation(false).applyRestrictions())) {
            Mqtt5PubAck denied = assertInstanceOf(Mqtt5PubAckException.class,
                    quiet.publishExpectingFailure("denied/" + Ids.next("x"), new byte[1], 1)).getMqttMessage();
            assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, denied.getReasonCode());
            assertFalse(denied.getReasonString().isPresent(), "Request Problem Information 0: no reason string");
            assertTrue(quiet.isConnected());
        }
    }

    /**
     * MQTT 5.0 3.4.2.2.2 / 3.5.2.2.2 [MQTT-3.4.2-2, MQTT-3.5.2-2]: the broker must not add a
     * reason string that would make an acknowledgement larger than the client's Maximum Packet
     * Size; the acknowledgement itself still goes out, without it.
     */
    @Test
    void rawReasonStringsAreLeftOutOfAcknowledgementsBeyondTheClientsMaximumPacketSize() {
        String topic = "denied/" + Ids.next("tight");
        try (RawClient raw = V5.connected(broker, Ids.next("raw-tight"), V5.props(Property.MAXIMUM_PACKET_SIZE, 16L))) {
            PubAck pubAck = V5.publishQos1(raw, topic, "x", Properties.EMPTY);
            assertEquals(ReasonCode.NOT_AUTHORIZED, pubAck.reasonCode());
            int size = io.corvid.broker.codec.MqttEncoder.encodedSize(pubAck, io.corvid.broker.packet.ProtocolVersion.MQTT_5);
            assertTrue(size <= 16, "PUBACK of " + size + " bytes for a client that accepts at most 16: " + pubAck);

            raw.send(new Publish(topic, QoS.EXACTLY_ONCE, false, false, 2, "x".getBytes(UTF_8), Properties.EMPTY));
            PubRec pubRec = raw.expect(PubRec.class);
            assertEquals(ReasonCode.NOT_AUTHORIZED, pubRec.reasonCode());
            size = io.corvid.broker.codec.MqttEncoder.encodedSize(pubRec, io.corvid.broker.packet.ProtocolVersion.MQTT_5);
            assertTrue(size <= 16, "PUBREC of " + size + " bytes for a client that accepts at most 16: " + pubRec);
        }
    }

    /**
     * The same seen from the HiveMQ client, which enforces the Maximum Packet Size it announced:
     * a refusal it cannot take ends its connection instead of failing one publish.
     */
    @Test
    void hiveMqWithASmallMaximumPacketSizeGetsRefusalsItCanRead() {
        try (HiveMqV5Client hive = HiveMqV5Client.connect(broker, Ids.next("hive-tight"),
                b -> b.restrictions().maximumPacketSize(40).applyRestrictions())) {
            Throwable failure = hive.publishExpectingFailure("denied/" + Ids.next("a-somewhat-longer-topic"), new byte[1], 1);
            Mqtt5PubAck pubAck = assertInstanceOf(Mqtt5PubAckException.class, failure,
                    "expected the PUBACK refusal, got " + failure + " (connected: " + hive.isConnected() + ")").getMqttMessage();
            assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, pubAck.getReasonCode());
            assertTrue(hive.isConnected());
        }
    }

    /**
     * MQTT 5.0 3.2.2.3.9 [MQTT-3.2.2-19]: no reason string in a CONNACK if it would exceed the
     * client's Maximum Packet Size.
     */
    @Test
    void rawReasonStringIsLeftOutOfARefusalBeyondTheClientsMaximumPacketSize() {
        try (RawClient raw = RawClient.open(broker, io.corvid.broker.packet.ProtocolVersion.MQTT_5)) {
            io.corvid.broker.packet.ConnAck connAck = V5.expectRefused(raw, V5.connect(Ids.next("raw-tight"), true,
                    V5.props(Property.MAXIMUM_PACKET_SIZE, 16L, Property.AUTHENTICATION_METHOD, "NO-SUCH-METHOD")),
                    ReasonCode.BAD_AUTHENTICATION_METHOD);
            int size = io.corvid.broker.codec.MqttEncoder.encodedSize(connAck, io.corvid.broker.packet.ProtocolVersion.MQTT_5);
            assertTrue(size <= 16, "CONNACK of " + size + " bytes for a client that accepts at most 16: " + connAck);
        }
    }

    @Test
    void rawPubRelAndPubRecForUnknownIdentifiersGet0x92() {
        try (RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY)) {
            raw.send(new PubRel(4711));
            PubComp pubComp = raw.expect(PubComp.class);
            assertEquals(4711, pubComp.packetId());
            assertEquals(ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, pubComp.reasonCode());
            raw.send(new PubRec(4712));
            PubRel pubRel = raw.expect(PubRel.class);
            assertEquals(4712, pubRel.packetId());
            assertEquals(ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, pubRel.reasonCode());
            // A PUBACK for nothing is ignored; the connection carries on.
            raw.send(new PubAck(4713));
            assertEquals(ReasonCode.NO_MATCHING_SUBSCRIBERS,
                    V5.publishQos1(raw, Ids.next("nobody"), "x", Properties.EMPTY).reasonCode());
        }
    }

    @Test
    void rawAcknowledgementsOfAQos2FlowAndAnUnsubscribe() {
        String topic = Ids.next("raw-acks");
        try (RawClient raw = V5.connected(broker, Ids.next("raw"), Properties.EMPTY);
             RawClient subscriber = V5.connected(broker, Ids.next("raw-sub"), Properties.EMPTY)) {
            V5.subscribe(subscriber, topic, QoS.EXACTLY_ONCE);
            raw.send(new Publish(topic, QoS.EXACTLY_ONCE, false, false, 9, "q2".getBytes(UTF_8), Properties.EMPTY));
            PubRec pubRec = raw.expect(PubRec.class);
            assertEquals(ReasonCode.SUCCESS, pubRec.reasonCode());
            raw.send(new PubRel(9));
            assertEquals(ReasonCode.SUCCESS, raw.expect(PubComp.class).reasonCode());

            // The subscriber refuses the message with an error code in PUBREC: the flow ends there.
            Publish delivered = subscriber.expect(Publish.class);
            subscriber.send(new PubRec(delivered.packetId(), ReasonCode.UNSPECIFIED_ERROR, Properties.EMPTY));
            raw.send(new Publish(topic, QoS.AT_MOST_ONCE, false, false, 0, "after".getBytes(UTF_8), Properties.EMPTY));
            Publish next = subscriber.expect(Publish.class);
            assertEquals("after", V5.text(next), "no PUBREL after a failed PUBREC");

            SubAck subAck = V5.subscribe(raw, Properties.EMPTY, new Subscription("a/#/b", QoS.AT_MOST_ONCE),
                    new Subscription(topic, QoS.AT_MOST_ONCE));
            assertEquals(List.of(ReasonCode.TOPIC_FILTER_INVALID, ReasonCode.GRANTED_QOS_0), subAck.reasonCodes());
            raw.send(new Unsubscribe(77, List.of(topic, "never/" + topic, "a/#/b"), Properties.EMPTY));
            UnsubAck unsubAck = raw.expect(UnsubAck.class);
            assertEquals(77, unsubAck.packetId());
            assertEquals(List.of(ReasonCode.SUCCESS, ReasonCode.NO_SUBSCRIPTION_EXISTED, ReasonCode.TOPIC_FILTER_INVALID),
                    unsubAck.reasonCodes());
        }
    }

    // ------------------------------------------------------------ DISCONNECT from the broker

    @Test
    void hiveMqIsToldWhyTheBrokerEndedItsConnection() {
        // 0x8E: another connection with the same client identifier.
        String clientId = Ids.next("hive-taken");
        HiveMqV5Client first = HiveMqV5Client.connect(broker, clientId, b -> b);
        try (HiveMqV5Client second = HiveMqV5Client.connect(broker, clientId, b -> b)) {
            assertEquals(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER, serverDisconnect(first).getReasonCode());
            assertTrue(second.isConnected());
        }
        // 0x98: the application disconnects the client.
        String adminId = Ids.next("hive-admin");
        HiveMqV5Client admin = HiveMqV5Client.connect(broker, adminId, b -> b);
        assertTrue(broker.broker.disconnect(adminId));
        assertEquals(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION, serverDisconnect(admin).getReasonCode());
        // 0x8B: the broker stops.
        TestBroker stopping = TestBroker.start();
        HiveMqV5Client atStop = HiveMqV5Client.connect(stopping, Ids.next("hive-stop"), b -> b);
        PahoV5Client pahoAtStop = PahoV5Client.create(stopping, Ids.next("paho-stop")).connect(options -> { });
        stopping.close();
        assertEquals(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN, serverDisconnect(atStop).getReasonCode());
        assertEquals(0x8B, Await.result("Paho told of the shutdown", pahoAtStop.disconnected).getReturnCode());
        pahoAtStop.close();
    }

    @Test
    void rawClientIsToldOfAProtocolViolationWithAReasonString() {
        String clientId = Ids.next("raw-violator");
        try (RawClient raw = V5.connected(broker, clientId, Properties.EMPTY)) {
            raw.send(new io.corvid.broker.packet.ConnAck(false, ReasonCode.SUCCESS, Properties.EMPTY));
            io.corvid.broker.packet.Disconnect disconnect = V5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
            assertTrue(disconnect.properties().contains(Property.REASON_STRING), disconnect.toString());
        }
        DisconnectReason reason = broker.events.awaitDisconnect(clientId).reason();
        assertEquals(DisconnectReason.Initiator.SERVER, reason.initiator());
        assertEquals(ReasonCode.PROTOCOL_ERROR, reason.reasonCode());
    }

    /**
     * A consumer that stops reading while QoS 1 messages keep coming: its connection stops being
     * writable, messages wait in its session's queue, and when that queue is full the broker
     * disconnects it with 0x97 Quota exceeded. The queue never holds more than its maximum, and
     * the publisher is not held back for good.
     */
    @Test
    void consumerThatStopsReadingIsDisconnectedWith0x97AndItsQueueStaysBounded() throws Exception {
        try (SlowConsumer slow = new SlowConsumer()) {
            // Flood until the broker finds the queue full: that is when it decides to disconnect.
            while (!slow.queueOverflowed()) {
                assertTrue(slow.sent < 5_000, "the queue never overflowed after " + slow.sent + " messages of 16 KiB");
                slow.publishBatch(20);
            }
            long decidedAt = System.nanoTime();
            // The flood goes on until the connection is gone (the transport may give a peer that does
            // not read up to 10 s to take its last bytes; see the next test).
            while (slow.broker.events.disconnects(slow.clientId).isEmpty()) {
                assertTrue(System.nanoTime() - decidedAt < TimeUnit.SECONDS.toNanos(15), "not disconnected within 15 s");
                slow.publishBatch(1);
            }
            slow.stopSampling();

            DisconnectReason reason = slow.broker.events.awaitDisconnect(slow.clientId).reason();
            assertEquals(DisconnectReason.Initiator.SERVER, reason.initiator(), reason.toString());
            assertEquals(ReasonCode.QUOTA_EXCEEDED, reason.reasonCode(), reason.toString());
            assertTrue(slow.maxSeenQueued.get() <= SlowConsumer.MAX_QUEUED, "the queue never held more than "
                    + SlowConsumer.MAX_QUEUED + " messages; seen " + slow.maxSeenQueued.get());
            slow.broker.events.awaitSessionEnd(slow.clientId);
            assertTrue(slow.publisher.isConnected(), "the publisher is not punished for the slow consumer");
        }
    }

    /**
     * Once the broker has decided to disconnect a consumer that does not read, the connection
     * should end then, not linger. Set up so that bytes are waiting in the transport when the
     * queue overflows (the consumer's socket buffers are full first): the DISCONNECT 0x97 can
     * never reach such a peer, and until the connection closes the session stays "connected"
     * and every message for it is dropped.
     */
    @Test
    void slowConsumerDisconnectTakesEffectPromptly() throws Exception {
        try (SlowConsumer slow = new SlowConsumer()) {
            // One message at a time, so that the socket buffers fill before the queue does. A parked
            // session takes hand-offs in batches, so its queue may go from a few messages to an
            // overflow (and the session away) between two looks: the overflow ends this loop too.
            while (slow.broker.broker.session(slow.clientId).map(s -> s.queuedMessages()).orElse(0) < SlowConsumer.MAX_QUEUED / 2
                    && !slow.queueOverflowed()) {
                assertTrue(slow.sent < 5_000, "nothing queued after " + slow.sent + " messages of 16 KiB; session "
                        + slow.broker.broker.session(slow.clientId) + ", disconnects " + slow.broker.events.disconnects(slow.clientId));
                slow.publishBatch(1);
            }
            while (!slow.queueOverflowed()) {
                slow.publishBatch(1);
            }
            long decidedAt = System.nanoTime();
            Await.until("the disconnect event within 3 s of the broker's decision", Duration.ofSeconds(3),
                    () -> !slow.broker.events.disconnects(slow.clientId).isEmpty());
            long millis = (System.nanoTime() - decidedAt) / 1_000_000;
            assertEquals(ReasonCode.QUOTA_EXCEEDED, slow.broker.events.awaitDisconnect(slow.clientId).reason().reasonCode(),
                    "after " + millis + " ms");
        }
    }

    /**
     * A broker with a small queue that disconnects a client whose queue overflows (the default
     * policy drops the newest message instead), a client that stops reading after SUBACK, and a
     * HiveMQ publisher.
     */
    private static final class SlowConsumer implements AutoCloseable {
        static final int MAX_QUEUED = 20;
        final TestBroker broker = TestBroker.start(b -> b.maxQueuedMessages(MAX_QUEUED).maxInflight(0xFFFF)
                .queueOverflowPolicy(QueueOverflowPolicy.DISCONNECT).writeBufferWaterMarks(8 * 1024, 16 * 1024));
        final String topic = Ids.next("flood");
        final String clientId = Ids.next("stalled");
        final StalledClient stalled = StalledClient.connectAndSubscribe(broker, clientId, Properties.EMPTY, topic);
        final HiveMqV5Client publisher = HiveMqV5Client.connect(broker, Ids.next("flooder"), b -> b);
        final AtomicInteger maxSeenQueued = new AtomicInteger();
        private final AtomicBoolean sampling = new AtomicBoolean(true);
        private final Thread sampler = new Thread(this::sample, "queue-sampler");
        private final byte[] payload = new byte[16 * 1024];
        int sent;

        SlowConsumer() {
            sampler.setDaemon(true);
            sampler.start();
        }

        private void sample() {
            while (sampling.get()) {
                try {
                    broker.broker.session(clientId).ifPresent(s -> maxSeenQueued.accumulateAndGet(s.queuedMessages(), Math::max));
                } catch (IllegalStateException stopped) {
                    return;
                }
                LockSupport.parkNanos(100_000);
            }
        }

        void publishBatch(int size) {
            List<CompletableFuture<Mqtt5PublishResult>> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(publisher.client.publishWith().topic(topic).payload(payload).qos(MqttQos.AT_LEAST_ONCE).send());
            }
            for (CompletableFuture<Mqtt5PublishResult> flow : batch) {
                Await.result("a QoS 1 flow of the flood", flow);
            }
            sent += size;
        }

        boolean queueOverflowed() {
            return !broker.events.of(RecordingListener.Dropped.class,
                    e -> e.clientId().equals(clientId) && e.reason() == DropReason.QUEUE_FULL).isEmpty();
        }

        void stopSampling() {
            sampling.set(false);
            try {
                sampler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            stopSampling();
            publisher.close();
            stalled.close();
            broker.close();
        }
    }

    private static Mqtt5Disconnect serverDisconnect(HiveMqV5Client client) {
        Throwable cause = Await.result("HiveMQ disconnected by the broker", client.disconnected);
        Mqtt5Disconnect disconnect = assertInstanceOf(Mqtt5DisconnectException.class, cause).getMqttMessage();
        assertTrue(disconnect.getReasonString().isPresent(), "a reason string: " + disconnect);
        return disconnect;
    }
}
