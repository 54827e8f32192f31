package io.corvid.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corvid.broker.DropReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a client asks of the broker's sending: MQTT 5.0 Receive Maximum bounds the QoS 1/2
 * messages in flight to it, and Maximum Packet Size the messages it is sent at all.
 */
class FlowControlIT {
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
    void receiveMaximumBoundsTheMessagesInFlight() throws Exception {
        String clientId = Ids.next("slow");
        String topic = Ids.next("slow");
        PahoV5Client slow = PahoV5Client.create(broker, clientId);
        slow.client.setManualAcks(true);
        try (slow; MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            slow.connect(options -> options.setReceiveMaximum(2));
            slow.subscribe(topic, 1);
            for (int i = 0; i < 5; i++) {
                publisher.publish(topic, "m" + i, 1, false);
            }
            List<Received> first = List.of(slow.next(), slow.next());
            // The broker's own account proves that it holds the rest back: 2 sent, 3 waiting.
            Await.until("2 in flight and 3 queued", () -> broker.broker.session(clientId)
                    .map(s -> s.inflightMessages() == 2 && s.queuedMessages() == 3).orElse(false));
            assertEquals(2, first.size() + slow.received().size(), "nothing beyond the Receive Maximum was sent");
            List<String> texts = new ArrayList<>();
            for (Received message : first) {
                texts.add(message.text());
                slow.client.messageArrivedComplete(message.packetId(), message.qos());
            }
            for (int i = 2; i < 5; i++) {
                Received message = slow.next();
                texts.add(message.text());
                slow.client.messageArrivedComplete(message.packetId(), message.qos());
            }
            assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), texts);
            Await.until("nothing left", () -> broker.broker.session(clientId)
                    .map(s -> s.inflightMessages() == 0 && s.queuedMessages() == 0).orElse(false));
        }
    }

    @Test
    void messagesLargerThanTheClientsMaximumPacketSizeAreNotSent() {
        String clientId = Ids.next("small");
        String topic = Ids.next("small");
        try (PahoV5Client small = PahoV5Client.create(broker, clientId)
                .connect(options -> options.setMaximumPacketSize(1_000L));
             MqttTestClient publisher = Library.HIVEMQ_V5.connect(broker, Ids.next("pub"))) {
            small.subscribe(topic, 1);
            publisher.publish(topic, new byte[2_000], 1, false);
            publisher.publish(topic, "fits", 1, false);
            assertEquals("fits", small.next().text(), "the oversized message was skipped, the next one delivered");
            broker.events.await("PACKET_TOO_LARGE drop", 1, RecordingListener.Dropped.class,
                    e -> e.clientId().equals(clientId) && e.reason() == DropReason.PACKET_TOO_LARGE);
            Await.until("nothing in flight or queued", () -> broker.broker.session(clientId)
                    .map(info -> info.inflightMessages() == 0 && info.queuedMessages() == 0).orElse(false));
        }
    }
}
