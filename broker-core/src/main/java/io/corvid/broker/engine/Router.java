package io.corvid.broker.engine;

import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.session.Delivery;
import io.corvid.broker.session.Message;
import io.corvid.broker.session.Session;
import io.corvid.broker.session.SubscriptionRecord;
import io.corvid.broker.topic.SharedGroup;
import io.corvid.broker.topic.TopicTrie;
import io.corvid.broker.topic.TrieVisitor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes a message to its subscribers, on the publisher's thread: one trie walk, then one
 * delivery per subscribed session handed to that session's executor.
 *
 * <p>A session whose subscriptions overlap receives one copy, at the highest QoS of its
 * matching subscriptions and with all their subscription identifiers (MQTT 5.0 3.3.4). A
 * shared subscription group receives one copy, given to one member: the next connected member
 * in round-robin order, or the next member at all when none is connected.
 */
final class Router {
    private final TopicTrie<Session, SubscriptionRecord> subscriptions;
    private final ThreadLocal<Matches> matchesPerThread = ThreadLocal.withInitial(Matches::new);

    Router(TopicTrie<Session, SubscriptionRecord> subscriptions) {
        this.subscriptions = subscriptions;
    }

    /**
     * Routes the message; returns the number of sessions it was handed to.
     *
     * @param overloaded collects the sessions that, at an exhausted memory budget, are behind
     *                   or refused a QoS 1/2 delivery, so that the publisher can be held back
     *                   until they are relieved; {@code null} when nobody can be held back
     */
    int route(Message message, java.util.Set<Session> overloaded) {
        return finish(message, begin(overloaded));
    }

    /**
     * As {@link #route(Message, java.util.Set)}, adding to {@code servedShares} the
     * {@code $share/{name}/{filter}} of each shared group a member on this node took the message
     * for (a cluster then places the other groups on other nodes).
     */
    int route(Message message, java.util.Set<Session> overloaded, List<String> servedShares) {
        Matches matches = begin(overloaded);
        matches.servedShares = servedShares;
        return finish(message, matches);
    }

    /**
     * Routes to the non-shared subscriptions only: a message from another cluster node, whose
     * shared groups are served where the publishing node placed them (see {@link #routeToShares}).
     */
    int routeToSubscribers(Message message) {
        Matches matches = begin(null);
        matches.allShares = false;
        return finish(message, matches);
    }

    /**
     * Gives the message to one member of each shared group named in {@code shares}
     * ({@code $share/{name}/{filter}}) that has one on this node, and to nobody else.
     *
     * @return how many of the named groups took it
     */
    int routeToShares(Message message, java.util.Collection<String> shares) {
        Matches matches = begin(null);
        matches.subscribers = false;
        matches.allShares = false;
        matches.onlyShares = shares;
        return finish(message, matches);
    }

    private Matches begin(java.util.Set<Session> overloaded) {
        Matches matches = matchesPerThread.get();
        if (matches.inUse) {
            matches = new Matches(); // re-entrant routing from a listener: use a fresh buffer
        }
        matches.inUse = true;
        matches.overloaded = overloaded;
        return matches;
    }

    private int finish(Message message, Matches matches) {
        try {
            subscriptions.match(message.topic(), matches);
            return matches.deliver(message);
        } finally {
            matches.reset();
        }
    }

    /** The RETAIN flag a live (not on-subscribe) delivery carries: only with Retain As Published. */
    static boolean liveRetainFlag(Message message, Subscription subscription) {
        return message.retain() && subscription.retainAsPublished();
    }

    /** The delivery of a message through one subscription (of a shared group, or {@code null}). */
    static Delivery delivery(Message message, SubscriptionRecord record, SharedGroup<Session, SubscriptionRecord> group) {
        Subscription subscription = record.subscription();
        int id = record.subscriptionIdentifier();
        return new Delivery(message, QoS.min(message.qos(), subscription.maxQos()),
                liveRetainFlag(message, subscription),
                id == 0 ? Delivery.NO_IDENTIFIERS : new int[] {id}, 0, group);
    }

    /**
     * Gives a message another member of its shared group: the next connected one other than
     * {@code from} in round-robin order or, unless {@code onlineOnly}, any other member.
     *
     * @return whether a member took it
     */
    static boolean reroute(Session from, Delivery original, boolean onlineOnly) {
        SharedGroup<Session, SubscriptionRecord> group = original.sharedGroup();
        List<SharedGroup.Member<Session, SubscriptionRecord>> members = group.members();
        int size = members.size();
        if (size == 0) {
            return false;
        }
        int start = group.nextIndex(size);
        SharedGroup.Member<Session, SubscriptionRecord> fallback = null;
        for (int i = 0; i < size; i++) {
            SharedGroup.Member<Session, SubscriptionRecord> candidate = members.get((start + i) % size);
            Session session = candidate.key();
            if (session == from || session.isEnded()) {
                continue;
            }
            if (session.isConnected()) {
                handTo(session, delivery(original.message(), candidate.value(), group));
                return true;
            }
            if (fallback == null) {
                fallback = candidate;
            }
        }
        if (onlineOnly || fallback == null) {
            return false;
        }
        handTo(fallback.key(), delivery(original.message(), fallback.value(), group));
        return true;
    }

    static void handTo(Session session, Delivery delivery) {
        handTo(session, delivery, null);
    }

    static void handTo(Session session, Delivery delivery, java.util.Set<Session> overloaded) {
        Session.Handoff outcome = session.offer(delivery);
        if (overloaded != null && (outcome == Session.Handoff.BEHIND
                || outcome == Session.Handoff.REFUSED && delivery.qos() != QoS.AT_MOST_ONCE)) {
            overloaded.add(session);
        }
    }

    /** Collects one trie walk's matches; reused per thread to keep routing allocation-free. */
    private static final class Matches implements TrieVisitor<Session, SubscriptionRecord> {
        boolean inUse;
        java.util.Set<Session> overloaded;
        /** Whether non-shared subscriptions take the message. */
        boolean subscribers = true;
        /** Whether every matching shared group takes it; when not, only those in {@link #onlyShares}. */
        boolean allShares = true;
        java.util.Collection<String> onlyShares;
        /** Collects the groups that took it, or {@code null}. */
        List<String> servedShares;
        private Session[] sessions = new Session[16];
        private SubscriptionRecord[] records = new SubscriptionRecord[16];
        private int count;
        private final List<SharedGroup<Session, SubscriptionRecord>> groups = new ArrayList<>();
        private final Map<Session, Aggregate> overlapping = new HashMap<>();

        @Override
        public void subscriber(Session session, SubscriptionRecord record) {
            if (!subscribers) {
                return;
            }
            if (count == sessions.length) {
                sessions = Arrays.copyOf(sessions, count * 2);
                records = Arrays.copyOf(records, count * 2);
            }
            sessions[count] = session;
            records[count] = record;
            count++;
        }

        @Override
        public void sharedGroup(SharedGroup<Session, SubscriptionRecord> group) {
            if (allShares || onlyShares != null && onlyShares.contains(group.shareFilter())) {
                groups.add(group);
            }
        }

        int deliver(Message message) {
            int delivered = 0;
            String publisher = message.publisherId();
            for (int i = 0; i < count; i++) {
                Session session = sessions[i];
                SubscriptionRecord record = records[i];
                Subscription subscription = record.subscription();
                if (subscription.noLocal() && publisher != null && publisher.equals(session.clientId())) {
                    continue;
                }
                if (session.subscriptions().size() > 1) {
                    // Only a session with several subscriptions can match more than once.
                    overlapping.computeIfAbsent(session, s -> new Aggregate()).add(message, record);
                    continue;
                }
                handTo(session, delivery(message, record), overloaded);
                delivered++;
            }
            for (Map.Entry<Session, Aggregate> entry : overlapping.entrySet()) {
                handTo(entry.getKey(), entry.getValue().toDelivery(message), overloaded);
                delivered++;
            }
            for (SharedGroup<Session, SubscriptionRecord> group : groups) {
                if (deliverToGroup(message, group, overloaded)) {
                    delivered++;
                    if (servedShares != null) {
                        servedShares.add(group.shareFilter());
                    }
                }
            }
            return delivered;
        }

        private static boolean deliverToGroup(Message message, SharedGroup<Session, SubscriptionRecord> group,
                                              java.util.Set<Session> overloaded) {
            List<SharedGroup.Member<Session, SubscriptionRecord>> members = group.members();
            int size = members.size();
            if (size == 0) {
                return false;
            }
            int start = group.nextIndex(size);
            SharedGroup.Member<Session, SubscriptionRecord> chosen = null;
            for (int i = 0; i < size; i++) {
                SharedGroup.Member<Session, SubscriptionRecord> candidate = members.get((start + i) % size);
                if (candidate.key().isConnected() && !candidate.key().isEnded()) {
                    chosen = candidate;
                    break;
                }
            }
            if (chosen == null) {
                chosen = members.get(start % size);
            }
            handTo(chosen.key(), Router.delivery(message, chosen.value(), group), overloaded);
            return true;
        }

        private static Delivery delivery(Message message, SubscriptionRecord record) {
            return Router.delivery(message, record, null);
        }

        void reset() {
            Arrays.fill(sessions, 0, count, null);
            Arrays.fill(records, 0, count, null);
            count = 0;
            groups.clear();
            overlapping.clear();
            overloaded = null;
            subscribers = true;
            allShares = true;
            onlyShares = null;
            servedShares = null;
            inUse = false;
        }
    }

    /** Several subscriptions of one session that match one message. */
    private static final class Aggregate {
        private QoS qos = QoS.AT_MOST_ONCE;
        private boolean retain;
        private int[] identifiers = Delivery.NO_IDENTIFIERS;
        private boolean any;

        void add(Message message, SubscriptionRecord record) {
            Subscription subscription = record.subscription();
            QoS granted = QoS.min(message.qos(), subscription.maxQos());
            qos = any ? QoS.max(qos, granted) : granted;
            retain |= liveRetainFlag(message, subscription);
            if (record.subscriptionIdentifier() != 0) {
                identifiers = Arrays.copyOf(identifiers, identifiers.length + 1);
                identifiers[identifiers.length - 1] = record.subscriptionIdentifier();
            }
            any = true;
        }

        Delivery toDelivery(Message message) {
            return new Delivery(message, qos, retain, identifiers);
        }
    }
}
