package io.corvid.broker.it;

import io.corvid.broker.BrokerListener;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.DropReason;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Subscription;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Records every broker event, in the order the broker reported them. Thread safe. */
public final class RecordingListener implements BrokerListener {
    private static final byte[] NO_BYTES = new byte[0];

    /** Any recorded event. */
    public sealed interface Event permits Connected, Disconnected, Refused, Subscribed, Unsubscribed, Published, Dropped,
            SessionEnded {
    }

    public record Connected(ClientInfo client, boolean sessionPresent) implements Event {
    }

    public record Disconnected(ClientInfo client, DisconnectReason reason) implements Event {
    }

    public record Refused(ClientInfo client, ReasonCode reasonCode) implements Event {
    }

    public record Subscribed(ClientInfo client, Subscription subscription, ReasonCode result) implements Event {
    }

    public record Unsubscribed(ClientInfo client, String topicFilter) implements Event {
    }

    public record Published(ClientInfo publisher, Publish message) implements Event {
    }

    public record Dropped(String clientId, Publish message, DropReason reason) implements Event {
    }

    public record SessionEnded(String clientId) implements Event {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    /** See {@link #keepMessageEventsLight()}. */
    private volatile boolean light;

    /**
     * For tests that move tens of thousands of messages: published-message events are no longer
     * recorded (the event list is copied on every addition), and drop events keep the message's
     * topic, QoS and properties but not its payload (so the listener does not hold the dropped
     * bytes on the heap). Drop events are still recorded, one per dropped message.
     */
    public RecordingListener keepMessageEventsLight() {
        light = true;
        return this;
    }

    @Override
    public void onClientConnected(ClientInfo client, boolean sessionPresent) {
        events.add(new Connected(client, sessionPresent));
    }

    @Override
    public void onClientDisconnected(ClientInfo client, DisconnectReason reason) {
        events.add(new Disconnected(client, reason));
    }

    @Override
    public void onConnectionRefused(ClientInfo client, ReasonCode reasonCode) {
        events.add(new Refused(client, reasonCode));
    }

    @Override
    public void onSubscribed(ClientInfo client, Subscription subscription, ReasonCode result) {
        events.add(new Subscribed(client, subscription, result));
    }

    @Override
    public void onUnsubscribed(ClientInfo client, String topicFilter) {
        events.add(new Unsubscribed(client, topicFilter));
    }

    @Override
    public void onMessagePublished(ClientInfo publisher, Publish message) {
        if (light) {
            return;
        }
        events.add(new Published(publisher, message));
    }

    @Override
    public void onMessageDropped(String clientId, Publish message, DropReason reason) {
        if (light) {
            message = new Publish(message.topic(), message.qos(), message.retain(), message.dup(), message.packetId(),
                    NO_BYTES, message.properties());
        }
        events.add(new Dropped(clientId, message, reason));
    }

    @Override
    public void onSessionEnded(String clientId) {
        events.add(new SessionEnded(clientId));
    }

    /** Every event so far. */
    public List<Event> all() {
        return List.copyOf(events);
    }

    /** The events of one type so far. */
    public <T extends Event> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The events of one type that match a condition. */
    public <T extends Event> List<T> of(Class<T> type, Predicate<? super T> condition) {
        return of(type).stream().filter(condition).toList();
    }

    public List<Connected> connects(String clientId) {
        return of(Connected.class, e -> e.client().clientId().equals(clientId));
    }

    public List<Disconnected> disconnects(String clientId) {
        return of(Disconnected.class, e -> e.client().clientId().equals(clientId));
    }

    public List<Refused> refusals(String clientId) {
        return of(Refused.class, e -> clientId.equals(e.client().clientId()));
    }

    public List<SessionEnded> sessionEnds(String clientId) {
        return of(SessionEnded.class, e -> e.clientId().equals(clientId));
    }

    /** Waits until at least {@code count} events of a type match a condition, and returns them. */
    public <T extends Event> List<T> await(String what, int count, Class<T> type, Predicate<? super T> condition) {
        try {
            Await.until(count + " x " + what, () -> of(type, condition).size() >= count);
        } catch (AssertionError timedOut) {
            List<Event> all = all();
            throw new AssertionError(timedOut.getMessage() + "; the last events: "
                    + all.subList(Math.max(0, all.size() - 20), all.size()), timedOut);
        }
        return of(type, condition);
    }

    /** Waits for a client's disconnect event and returns it (the first one, if several). */
    public Disconnected awaitDisconnect(String clientId) {
        return await("disconnect event of " + clientId, 1, Disconnected.class,
                e -> e.client().clientId().equals(clientId)).get(0);
    }

    /** Waits until a client's session ended. */
    public void awaitSessionEnd(String clientId) {
        await("session end of " + clientId, 1, SessionEnded.class, e -> e.clientId().equals(clientId));
    }
}
