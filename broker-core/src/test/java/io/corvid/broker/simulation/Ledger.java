package io.corvid.broker.simulation;

import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What happened in a run, as the clients saw it, and the invariants checked against it: every
 * message published gets a unique id carried in its payload; deliveries, acknowledgements,
 * subscriptions and the broker's reported drops are recorded with a logical time (one tick per event).
 */
final class Ledger {
    /** Topics under this prefix are subscribed to through shared subscriptions only. */
    static final String SHARED_SPACE = "s/";

    private record Sent(long id, String publisher, int sequence, String topic, QoS qos, long sentAt) {
    }

    /** A subscription in force from {@code since} until {@code until} (a SUBSCRIBE that may change it). */
    private record Subscribed(String filter, QoS qos, long since, long until) {
    }

    private record Delivery(long id, QoS qos) {
    }

    private final List<Sent> sent = new ArrayList<>();
    /** When each acknowledged message's PUBACK/PUBREC arrived: by then the broker had routed it. */
    private final Map<Long, Long> acknowledged = new HashMap<>();
    private final Set<Long> resent = new HashSet<>();
    private final Set<Long> mayRepeat = new HashSet<>();
    private final Map<String, List<Subscribed>> subscriptions = new HashMap<>();
    private final Map<String, List<Delivery>> deliveries = new HashMap<>();
    private final Set<String> dropped = new HashSet<>();
    /** Per client, the last tick at which a restart may have lost part of its session from the store. */
    private final Map<String, Long> storeLostAt = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private long tick;

    static byte[] payload(long id) {
        return Long.toString(id).getBytes(StandardCharsets.US_ASCII);
    }

    static long idOf(Publish publish) {
        return Long.parseLong(new String(publish.payload(), StandardCharsets.US_ASCII));
    }

    long published(String publisher, int sequence, String topic, QoS qos) {
        long id = sent.size();
        sent.add(new Sent(id, publisher, sequence, topic, qos, ++tick));
        return id;
    }

    /**
     * The publisher sent the message again after a reconnect. A QoS 1 resend is a new publication
     * for the broker: a subscriber that subscribed between the two copies first sees this message
     * after later ones, which the specification allows; such messages are left out of the order check.
     */
    void resent(long id) {
        resent.add(id);
    }

    /** A QoS 2 message its publisher resent to a session that may not be the one it first went to. */
    void mayRepeat(long id) {
        mayRepeat.add(id);
    }

    void acknowledged(long id) {
        acknowledged.putIfAbsent(id, ++tick);
    }

    /** The client gave up an unacknowledged message (fresh session): nothing is promised for it. */
    void abandoned(long id) {
        tick++;
    }

    /**
     * The broker restarted while a store write for this client had failed since the last restart:
     * the new broker may have lost any part of its session. Nothing promised to it so far is
     * promised any more; a QoS 2 message it got before may come again (its completion was not
     * stored), and so may a QoS 2 message it had published (the record that it had arrived was not).
     */
    void storeMayHaveLost(String clientId) {
        sessionStarted(clientId);
        storeLostAt.put(clientId, ++tick);
    }

    /**
     * The client's own session state and the broker's diverged (it dropped its state for a clean
     * CONNECT the broker never saw): a QoS 2 message sent before now may reach it twice.
     */
    void subscriberStateDiverged(String clientId) {
        storeLostAt.put(clientId, ++tick);
    }

    void sessionStarted(String clientId) {
        subscriptions.remove(clientId);
        tick++;
    }

    /**
     * A SUBSCRIBE for the filter is on its way: from now on the broker may apply its QoS (even if
     * its SUBACK is lost), so the guarantee of the current subscription ends here.
     */
    void subscribing(String clientId, String filter) {
        List<Subscribed> list = subscriptions.computeIfAbsent(clientId, id -> new ArrayList<>());
        long now = ++tick;
        list.replaceAll(s -> s.filter().equals(filter) && s.until() == Long.MAX_VALUE
                ? new Subscribed(s.filter(), s.qos(), s.since(), now) : s);
    }

    void subscribed(String clientId, String filter, QoS qos) {
        subscribing(clientId, filter);
        subscriptions.computeIfAbsent(clientId, id -> new ArrayList<>())
                .add(new Subscribed(filter, qos, ++tick, Long.MAX_VALUE));
    }

    void delivered(String clientId, long id, QoS qos) {
        deliveries.computeIfAbsent(clientId, c -> new ArrayList<>()).add(new Delivery(id, qos));
        tick++;
    }

    /** The broker reported, through {@code onMessageDropped}, that it dropped this message for this client. */
    void dropped(String clientId, long id) {
        dropped.add(clientId + "\u0000" + id);
    }

    /**
     * The client dropped a message as a duplicate because the broker, restarted from a store that
     * may have lost part of its session, reused the packet id of a QoS 2 flow the client still held.
     */
    void lostToForgottenFlow(String clientId, long id) {
        dropped.add(clientId + "\u0000" + id);
    }

    void violation(String description) {
        violations.add(description);
    }

    List<String> violations() {
        return violations;
    }

    int messagesSent() {
        return sent.size();
    }

    int messagesDelivered() {
        return deliveries.values().stream().mapToInt(List::size).sum();
    }

    int messagesDropped() {
        return dropped.size();
    }

    /** Checks the delivery invariants once the run has settled; adds what fails to {@link #violations()}. */
    void check(Map<String, SimClient> clients) {
        for (Map.Entry<String, List<Delivery>> entry : deliveries.entrySet()) {
            checkNoQos2Duplicates(entry.getKey(), entry.getValue());
            checkPublisherOrder(entry.getKey(), entry.getValue());
        }
        for (SimClient client : clients.values()) {
            if (client.persistent) {
                checkNothingLost(client.clientId);
            }
        }
    }

    private void checkNoQos2Duplicates(String clientId, List<Delivery> list) {
        Set<Long> seen = new HashSet<>();
        long subscriberLost = storeLostAt.getOrDefault(clientId, Long.MIN_VALUE);
        for (Delivery delivery : list) {
            Sent message = sent.get((int) delivery.id());
            // Sent before a restart that may have lost part of the subscriber's session (its
            // completion of the flow, or the packet id it went out with) or of the publisher's
            // (that the broker had it already): it may come again.
            if (subscriberLost > message.sentAt()
                    || storeLostAt.getOrDefault(message.publisher(), Long.MIN_VALUE) > message.sentAt()
                    || mayRepeat.contains(delivery.id())) {
                continue;
            }
            if (delivery.qos() == QoS.EXACTLY_ONCE && !seen.add(delivery.id())) {
                violations.add(clientId + ": QoS 2 message " + describe(delivery.id()) + " delivered twice");
            }
        }
    }

    /**
     * First deliveries of QoS 1/2 messages from one publisher on one topic at one QoS come in
     * publishing order, except messages published before the store may have lost part of the
     * subscriber's session: a failed write of the packet identifier a QoS 1 message was in flight
     * with brings it back queued, behind later messages still in flight.
     */
    private void checkPublisherOrder(String clientId, List<Delivery> list) {
        Set<Long> seen = new HashSet<>();
        Map<String, Integer> lastSequence = new HashMap<>();
        long subscriberLost = storeLostAt.getOrDefault(clientId, Long.MIN_VALUE);
        for (Delivery delivery : list) {
            Sent message = sent.get((int) delivery.id());
            if (!seen.add(delivery.id()) || delivery.qos() == QoS.AT_MOST_ONCE
                    || subscriberLost > message.sentAt()
                    || message.qos() == QoS.AT_MOST_ONCE || message.topic().startsWith(SHARED_SPACE)
                    || resent.contains(delivery.id())
                    || dropped.contains(clientId + "\u0000" + delivery.id())) {
                continue;
            }
            String key = message.publisher() + " " + message.topic() + " " + message.qos();
            Integer last = lastSequence.put(key, message.sequence());
            if (last != null && last > message.sequence()) {
                violations.add(clientId + ": from " + key + ", message #" + message.sequence()
                        + " delivered after #" + last);
            }
        }
    }

    private void checkNothingLost(String clientId) {
        Set<Long> received = new HashSet<>();
        for (Delivery delivery : deliveries.getOrDefault(clientId, List.of())) {
            received.add(delivery.id());
        }
        for (Subscribed subscription : subscriptions.getOrDefault(clientId, List.of())) {
            if (subscription.qos() == QoS.AT_MOST_ONCE) {
                continue;
            }
            for (Sent message : sent) {
                // Promised: sent once the subscription was in force (its SUBACK was in), and routed
                // (acknowledged) before a SUBSCRIBE that may change it was sent. A message acknowledged
                // after that SUBSCRIBE went out may have been routed under the new subscription: the
                // broker orders the packets of two connections as it likes.
                Long acknowledgedAt = acknowledged.get(message.id());
                if (message.qos() != QoS.AT_MOST_ONCE && message.sentAt() > subscription.since()
                        && acknowledgedAt != null && acknowledgedAt < subscription.until()
                        && !message.topic().startsWith(SHARED_SPACE)
                        && matches(subscription.filter(), message.topic()) && !received.contains(message.id())
                        && !dropped.contains(clientId + "\u0000" + message.id())) {
                    violations.add(clientId + ": acknowledged " + describe(message.id()) + " lost (subscribed to "
                            + subscription.filter() + " at QoS " + subscription.qos().value() + ")");
                }
            }
        }
    }

    private String describe(long id) {
        Sent message = sent.get((int) id);
        return "#" + message.sequence() + " of " + message.publisher() + " on " + message.topic() + " QoS "
                + message.qos().value();
    }

    /** MQTT topic filter matching, for the simulation's plain topics (no $ topics, no shared prefix). */
    static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
