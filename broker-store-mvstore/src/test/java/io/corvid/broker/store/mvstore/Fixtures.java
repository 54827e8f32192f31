package io.corvid.broker.store.mvstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corvid.broker.BrokerConfig;
import io.corvid.broker.SessionStore.StoredMessage;
import io.corvid.broker.SessionStore.StoredSession;
import io.corvid.broker.SessionStore.StoredSubscription;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.RetainHandling;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.Will;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Records with every field set to something other than its default, and comparisons for them. */
final class Fixtures {
    static final long NEVER = Long.MAX_VALUE;

    private Fixtures() {
    }

    static Properties publishProperties() {
        return Properties.builder()
                .put(Property.PAYLOAD_FORMAT_INDICATOR, 1)
                .put(Property.MESSAGE_EXPIRY_INTERVAL, 4_000_000_000L)
                .put(Property.CONTENT_TYPE, "application/json; charset=ü")
                .put(Property.RESPONSE_TOPIC, "reply/to/me")
                .put(Property.CORRELATION_DATA, new byte[] {0, 1, 2, (byte) 0xFF})
                .put(Property.TOPIC_ALIAS, 65_535)
                .userProperty("trace", "abc")
                .userProperty("trace", "def")
                .userProperty("", "empty name")
                .subscriptionIdentifier(268_435_455)
                .subscriptionIdentifier(1)
                .build();
    }

    static Will will() {
        Properties properties = Properties.builder()
                .put(Property.WILL_DELAY_INTERVAL, 30L)
                .put(Property.MESSAGE_EXPIRY_INTERVAL, 120L)
                .put(Property.PAYLOAD_FORMAT_INDICATOR, 0)
                .put(Property.CONTENT_TYPE, "text/plain")
                .put(Property.RESPONSE_TOPIC, "will/replies")
                .put(Property.CORRELATION_DATA, new byte[] {9, 8, 7})
                .userProperty("reason", "gone")
                .build();
        return new Will("clients/alpha/status", "offline".getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, true,
                properties);
    }

    /** A session with every field set: will with properties, all subscription options, QoS 2 ids. */
    static StoredSession fullSession(String clientId) {
        List<StoredSubscription> subscriptions = List.of(
                new StoredSubscription(new Subscription("a/+/c", QoS.AT_LEAST_ONCE, true, false,
                        RetainHandling.SEND_IF_NEW_SUBSCRIPTION), 7),
                new StoredSubscription(new Subscription("$share/group/x/#", QoS.EXACTLY_ONCE, false, true,
                        RetainHandling.DO_NOT_SEND), 268_435_455),
                new StoredSubscription(new Subscription("plain", QoS.AT_MOST_ONCE), 0),
                new StoredSubscription(new Subscription("all/#", QoS.EXACTLY_ONCE, true, true,
                        RetainHandling.SEND_ON_SUBSCRIBE), 1));
        return new StoredSession(clientId, 3_600, 1_700_000_000_123L, subscriptions, List.of(),
                List.of(1, 65_535, 300), 5, will(), 1_700_000_030_123L);
    }

    /** A session without will, subscriptions or packet ids, connected when the broker stopped. */
    static StoredSession plainSession(String clientId) {
        return new StoredSession(clientId, BrokerConfig.SESSION_NEVER_EXPIRES, 0, List.of(), List.of(), List.of());
    }

    static StoredSession session(String clientId, long expirySeconds, long disconnectedAtMillis, Will will) {
        return new StoredSession(clientId, expirySeconds, disconnectedAtMillis, List.of(), List.of(), List.of(), 4,
                will, 0);
    }

    /** A QoS 1 message in flight, with properties, subscription identifiers and a publisher. */
    static StoredMessage inFlight(long sequence) {
        return new StoredMessage(sequence, "sensors/ü/temp", payload(sequence, 256), QoS.AT_LEAST_ONCE, false,
                publishProperties(), "publisher-1", NEVER, new int[] {7, 268_435_455}, 42, false);
    }

    /** A released QoS 2 message: PUBREC received, PUBREL sent; no publisher, empty payload. */
    static StoredMessage released(long sequence) {
        return new StoredMessage(sequence, "orders/2", new byte[0], QoS.EXACTLY_ONCE, true, Properties.EMPTY, null,
                1_900_000_000_000L, new int[0], 65_535, true);
    }

    /** A queued message (no packet id yet). */
    static StoredMessage queued(long sequence, int payloadSize, long expiresAtMillis) {
        return new StoredMessage(sequence, "queue/" + sequence, payload(sequence, payloadSize), QoS.AT_LEAST_ONCE,
                false, Properties.EMPTY, null, expiresAtMillis, new int[0], 0, false);
    }

    static StoredMessage retained(String topic, String publisherId, long expiresAtMillis) {
        return new StoredMessage(0, topic, ("retained " + topic).getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE,
                true, publishProperties(), publisherId, expiresAtMillis, new int[] {3}, 0, false);
    }

    /** A payload that tells its message apart: the sequence number repeated. */
    static byte[] payload(long sequence, int size) {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) (sequence * 31 + i);
        }
        return payload;
    }

    static void assertMessage(StoredMessage expected, StoredMessage actual) {
        assertEquals(expected.sequence(), actual.sequence(), "sequence");
        assertEquals(expected.topic(), actual.topic(), "topic");
        assertArrayEquals(expected.payload(), actual.payload(), "payload");
        assertEquals(expected.qos(), actual.qos(), "qos");
        assertEquals(expected.retain(), actual.retain(), "retain");
        assertEquals(expected.properties(), actual.properties(), "properties");
        assertEquals(expected.publisherId(), actual.publisherId(), "publisherId");
        assertEquals(expected.expiresAtMillis(), actual.expiresAtMillis(), "expiresAtMillis");
        assertArrayEquals(expected.subscriptionIdentifiers(), actual.subscriptionIdentifiers(), "subscriptionIdentifiers");
        assertEquals(expected.packetId(), actual.packetId(), "packetId");
        assertEquals(expected.released(), actual.released(), "released");
    }

    static void assertMessages(List<StoredMessage> expected, List<StoredMessage> actual) {
        assertEquals(expected.size(), actual.size(), () -> "message count: expected sequences "
                + expected.stream().map(StoredMessage::sequence).toList() + " but got "
                + actual.stream().map(StoredMessage::sequence).toList());
        for (int i = 0; i < expected.size(); i++) {
            assertMessage(expected.get(i), actual.get(i));
        }
    }

    /** Compares sessions field by field, their messages included. */
    static void assertSession(StoredSession expected, StoredSession actual) {
        assertEquals(expected.withMessages(List.of()), actual.withMessages(List.of()), "session " + expected.clientId());
        assertMessages(expected.messages(), actual.messages());
    }

    static String describe(StoredMessage message) {
        return message.sequence() + ":" + message.topic() + ":" + Arrays.hashCode(message.payload());
    }
}
