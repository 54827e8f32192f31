package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.BrokerMetrics;
import io.corvid.broker.ClientStatus;
import io.corvid.broker.MetricsRecorder;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The counters and gauges of {@link BrokerMetrics} against traffic whose effect is known. */
class BrokerMetricsTest extends EngineTestSupport {

    private BrokerMetrics metrics() {
        return engine().metrics();
    }

    @Test
    void countsMessagesInAndOutPerQos() {
        TestClient subscriber = client("sub");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("m/#", QoS.EXACTLY_ONCE);
        TestClient publisher = client("pub");
        publisher.connect(MQTT_3_1_1, true);
        int[] published = {3, 4, 5};
        for (QoS qos : QoS.values()) {
            for (int i = 0; i < published[qos.value()]; i++) {
                publisher.publish("m/" + qos.value(), "x", qos, false);
                subscriber.receive();
            }
        }
        publisher.publish("nobody/listens", "x", QoS.AT_LEAST_ONCE, false);

        for (QoS qos : QoS.values()) {
            long expectedIn = published[qos.value()] + (qos == QoS.AT_LEAST_ONCE ? 1 : 0);
            assertEquals(expectedIn, metrics().messagesReceived(qos), "received at " + qos);
            assertEquals(published[qos.value()], metrics().messagesSent(qos), "sent at " + qos);
        }
        assertEquals(13, metrics().messagesReceived());
        assertEquals(12, metrics().messagesSent());
        assertEquals(0, metrics().messagesDropped());
    }

    @Test
    void countsPacketsOfEveryTypeBothWays() {
        TestClient subscriber = client("sub");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("p", QoS.AT_MOST_ONCE);
        TestClient publisher = client("pub");
        publisher.connect(MQTT_3_1_1, true);
        for (QoS qos : QoS.values()) {
            publisher.publish("p", "x", qos, false);
            subscriber.receive();
        }
        publisher.send(io.corvid.broker.packet.PingReq.INSTANCE);
        publisher.expect(io.corvid.broker.packet.PingResp.class);

        // In: 2 CONNECT, SUBSCRIBE, 3 PUBLISH, PUBREL, PINGREQ.
        Await.until("8 packets received", () -> metrics().packetsReceived() == 8);
        // Out: 2 CONNACK, SUBACK, 3 PUBLISH to the subscriber, PUBACK, PUBREC, PUBCOMP, PINGRESP.
        Await.until("10 packets sent", () -> metrics().packetsSent() == 10);
        assertEquals(2, metrics().connectsReceived());
        assertEquals(3, metrics().messagesSent(), "PUBLISH packets are counted once among the packets");
    }

    @Test
    void thePeakOfConnectedClientsStaysWhenTheyLeave() {
        TestClient first = client("first");
        first.connect(MQTT_5, true);
        client("second").connect(MQTT_5, true);
        assertEquals(2, metrics().clientsConnectedPeak());
        first.dropNetwork();
        Await.until("first is gone", () -> metrics().clientsConnected() == 1);
        client("third").connect(MQTT_3_1_1, true);
        assertEquals(2, metrics().clientsConnectedPeak());
        client("fourth").connect(MQTT_3_1_1, true);
        assertEquals(3, metrics().clientsConnectedPeak());
    }

    @Test
    void sessionsThatRunOutOfTimeAreCountedAsExpired() {
        TestClient clean = client("clean");
        clean.connect(MQTT_5, true);
        clean.dropNetwork();
        TestClient brief = client("brief");
        brief.connect(TestClient.connect(MQTT_5, "brief", true, 60,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 1).build(), null));
        brief.dropNetwork();
        Await.until("the offline session expires after its second", () -> metrics().sessionsExpired() == 1);
        assertEquals(0, metrics().sessionsOffline());
        assertEquals(1, metrics().sessionsExpired(), "a session that ends with its connection did not expire");
    }

    @Test
    void countsRefusalsByReasonAndAuthenticationFailuresApart() {
        authentication = request -> "good".equals(request.username())
                ? AuthenticationResult.allow()
                : AuthenticationResult.deny(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong password");
        TestClient denied = client("denied");
        ConnAck refused = denied.connect(new io.corvid.broker.packet.Connect(MQTT_5, "denied", true, 60, "bad",
                "x".getBytes(), null, Properties.EMPTY));
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, refused.reasonCode());
        TestClient invalid = client("");
        assertEquals(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                invalid.connect(TestClient.connect(MQTT_3_1_1, "", false, 60, Properties.EMPTY, null)).reasonCode());

        assertEquals(2, metrics().connectsRefused());
        assertEquals(Map.of(ReasonCode.BAD_USER_NAME_OR_PASSWORD, 1L, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, 1L),
                metrics().connectsRefusedByReason());
        assertEquals(1, metrics().authenticationFailures());
    }

    @Test
    void gaugesFollowConnectionsSessionsSubscriptionsAndRetainedMessages() {
        TestClient persistent = client("persistent");
        persistent.connect(TestClient.connect(MQTT_5, "persistent", true, 60,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 3600).build(), null));
        persistent.subscribe("a/#", QoS.AT_LEAST_ONCE);
        persistent.subscribe("b", QoS.AT_MOST_ONCE);
        TestClient other = client("other");
        other.connect(MQTT_5, true);
        assertEquals(ReasonCode.GRANTED_QOS_0, other.subscribe("$share/g/c", QoS.AT_MOST_ONCE).reasonCodes().get(0));
        other.publish("r/1", "kept", QoS.AT_LEAST_ONCE, true);
        other.publish("r/2", "kept", QoS.AT_MOST_ONCE, true);

        assertEquals(2, metrics().connectionsAccepted());
        assertEquals(2, metrics().connectionsOpen());
        assertEquals(2, metrics().clientsConnected());
        assertEquals(2, metrics().sessionsConnected());
        assertEquals(0, metrics().sessionsOffline());
        assertEquals(3, metrics().subscriptions());
        // A QoS 0 PUBLISH has no acknowledgement to wait for.
        Await.until("both retained messages are stored", () -> metrics().retainedMessages() == 2);

        persistent.dropNetwork();
        Await.until("the persistent session goes offline", () -> metrics().sessionsOffline() == 1);
        assertEquals(1, metrics().connectionsOpen());
        assertEquals(1, metrics().clientsConnected());
        assertEquals(1, metrics().sessionsConnected());
        assertEquals(3, metrics().subscriptions(), "an offline session keeps its subscriptions");

        for (int i = 0; i < 5; i++) {
            other.publish("a/x", "for the offline one", QoS.AT_LEAST_ONCE, false);
        }
        Await.until("five messages queue for the offline session", () -> metrics().queuedMessages() == 5);
        assertEquals(settings.buildConfig().memoryBudget(), metrics().memoryBudgetBytes());
        assertTrue(metrics().startedAtMillis() > 0);
    }

    @Test
    void inflightCountsUnacknowledgedDeliveries() {
        TestClient subscriber = client("slow-acker");
        subscriber.connect(MQTT_5, true);
        subscriber.subscribe("q", QoS.AT_LEAST_ONCE);
        TestClient publisher = client("pub");
        publisher.connect(MQTT_5, true);
        publisher.publish("q", "1", QoS.AT_LEAST_ONCE, false);
        publisher.publish("q", "2", QoS.AT_LEAST_ONCE, false);
        Publish first = subscriber.expect(Publish.class);
        Publish second = subscriber.expect(Publish.class);
        Await.until("two deliveries in flight", () -> metrics().inflightMessages() == 2);
        ClientStatus status = engine().clientStatus("slow-acker").orElseThrow();
        assertEquals(2, status.inflightMessages());
        assertEquals(1, status.subscriptions());
        assertEquals(60, status.keepAliveSeconds());
        assertTrue(status.connectedAtMillis() > 0);

        subscriber.acknowledge(first);
        subscriber.acknowledge(second);
        Await.until("acknowledged deliveries leave the window", () -> metrics().inflightMessages() == 0);
    }

    @Test
    void retainedMessagesCanBeListedAndRemovedByTheApplication() {
        TestClient publisher = client("pub");
        publisher.connect(MQTT_5, true);
        publisher.publish("home/kitchen", "21", QoS.AT_LEAST_ONCE, true);
        publisher.publish("home/hall", "19", QoS.AT_LEAST_ONCE, true);
        publisher.publish("garden", "12", QoS.AT_LEAST_ONCE, true);

        List<Publish> home = engine().retained("home/+");
        assertEquals(2, home.size());
        assertTrue(home.stream().allMatch(Publish::retain));
        assertTrue(engine().removeRetained("home/kitchen"));
        assertFalse(engine().removeRetained("home/kitchen"));
        assertEquals(List.of("home/hall"), engine().retained("home/#").stream().map(Publish::topic).toList());

        TestClient late = client("late");
        late.connect(MQTT_5, true);
        late.subscribe("home/#", QoS.AT_LEAST_ONCE);
        assertEquals("home/hall", late.receive().topic());
        late.expectNothing();
    }

    @Test
    void deliveryLatencyIsRecordedForSampledMessagesOnly() {
        List<Long> latencies = new CopyOnWriteArrayList<>();
        engineWithRecorder(new MetricsRecorder() {
            @Override
            public void deliveryLatency(long nanos) {
                latencies.add(nanos);
            }
        });
        TestClient first = client("first");
        first.connect(MQTT_5, true);
        first.subscribe("t", QoS.AT_LEAST_ONCE);
        TestClient second = client("second");
        second.connect(MQTT_5, true);
        second.subscribe("t", QoS.AT_MOST_ONCE);
        TestClient publisher = client("pub");
        publisher.connect(MQTT_5, true);
        int messages = 2 * MetricsRecorder.LATENCY_SAMPLE_INTERVAL;
        for (int i = 0; i < messages; i++) {
            publisher.publish("t", "m" + i, QoS.AT_LEAST_ONCE, false);
            first.receive();
            second.receive();
        }
        // Two messages of the publisher timed (the first and the 17th), each to two subscribers.
        Await.until("four timed deliveries", () -> latencies.size() == 4);
        assertTrue(latencies.stream().allMatch(nanos -> nanos > 0 && nanos < 10_000_000_000L), latencies.toString());
    }

    private void engineWithRecorder(MetricsRecorder recorder) {
        metricsRecorder = recorder;
        engine();
    }
}
