package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedSubscriptionTest extends EngineTestSupport {

    private TestClient member(String clientId, String filter, long sessionExpiry) {
        TestClient client = client(clientId);
        client.connect(TestClient.connect(MQTT_5, clientId, true, 60,
                sessionExpiry == 0 ? Properties.EMPTY
                        : Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, sessionExpiry).build(), null));
        client.subscribe(filter, QoS.AT_LEAST_ONCE);
        return client;
    }

    private void publish(String topic, int value) {
        engine().publishFromApplication(new Publish(topic, QoS.AT_LEAST_ONCE, false, false, 0, new byte[] {(byte) value},
                Properties.EMPTY));
    }

    @Test
    void eachMessageGoesToOneMemberInTurn() {
        List<TestClient> members = List.of(member("m1", "$share/g/jobs/#", 0), member("m2", "$share/g/jobs/#", 0),
                member("m3", "$share/g/jobs/#", 0));
        for (int i = 0; i < 9; i++) {
            publish("jobs/" + i, i);
        }
        Map<String, Integer> counts = new HashMap<>();
        List<Integer> seen = new ArrayList<>();
        for (TestClient member : members) {
            for (int i = 0; i < 3; i++) {
                seen.add((int) member.receive().payload()[0]);
                counts.merge(member.clientId, 1, Integer::sum);
            }
            member.expectNothing();
        }
        assertEquals(9, seen.size());
        assertEquals(9, seen.stream().distinct().count(), "every message exactly once");
        assertEquals(Map.of("m1", 3, "m2", 3, "m3", 3), counts, "round robin spreads evenly");
    }

    @Test
    void everyGroupAndEveryPlainSubscriberGetsACopy() {
        TestClient a = member("a", "$share/one/t", 0);
        TestClient b = member("b", "$share/two/t", 0);
        TestClient plain = member("plain", "t", 0);
        publish("t", 1);
        a.receive();
        b.receive();
        plain.receive();
    }

    @Test
    void retainedMessagesAreNotSentOnASharedSubscription() {
        engine().publishFromApplication(Publish.atMostOnce("r", new byte[] {1}, true));
        TestClient member = member("m", "$share/g/r", 0);
        member.expectNothing();
    }

    @Test
    void sharedSubscriptionsAreRefusedToMqtt311AndWhenDisabled() {
        TestClient v3 = client("v3");
        v3.connect(MQTT_3_1_1, true);
        assertEquals(ReasonCode.UNSPECIFIED_ERROR, v3.subscribe("$share/g/t", QoS.AT_MOST_ONCE).reasonCodes().get(0));
    }

    @Test
    void queuedMessagesOfADisconnectedMemberMoveToAConnectedOne() {
        TestClient leaving = member("leaving", "$share/g/w", 600);
        TestClient staying = member("staying", "$share/g/w", 600);
        leaving.connection.writable = false;
        staying.connection.writable = false;
        for (int i = 0; i < 6; i++) {
            publish("w", i);
        }
        // Members that take no bytes get their hand-offs in batches; have them taken now.
        engine().sessionFor("leaving").executor().execute(() -> { });
        engine().sessionFor("staying").executor().execute(() -> { });
        Await.until("both members hold queued messages",
                () -> engine().session("leaving").orElseThrow().queuedMessages() == 3
                        && engine().session("staying").orElseThrow().queuedMessages() == 3);
        leaving.dropNetwork();
        events.await("disconnected leaving");
        Await.until("the leaver's queue moved", () -> engine().session("leaving").orElseThrow().queuedMessages() == 0);
        staying.connection.writable = true;
        staying.connection.loop.execute(() -> staying.handler.onWritabilityChanged(true));
        List<Integer> received = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            received.add((int) staying.receive().payload()[0]);
        }
        assertEquals(6, received.stream().distinct().count());
    }

    @Test
    void messagesInFlightToAMemberWhoseSessionEndsMoveToAnotherMember() {
        TestClient ending = member("ending", "$share/g/e", 0);
        TestClient other = member("other", "$share/g/e", 600);
        other.send(Disconnect.NORMAL);
        other.awaitClosed();
        events.await("disconnected other");
        publish("e", 1);
        Publish inFlight = ending.expect(Publish.class);
        assertEquals(1, inFlight.payload()[0]);
        ending.dropNetwork();
        events.await("session-ended ending");
        Await.until("the offline member holds the message",
                () -> engine().session("other").orElseThrow().queuedMessages() == 1);
        TestClient back = client("other");
        assertTrue(back.connect(TestClient.connect(MQTT_5, "other", false, 60,
                Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 600L).build(), null)).sessionPresent());
        assertEquals(1, back.receive().payload()[0]);
    }
}
