package io.corvid.broker.engine;

import static org.junit.jupiter.api.Assertions.fail;

import io.corvid.broker.BrokerListener;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.DropReason;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Records every broker event as a line of text, and lets tests wait for one. */
final class RecordingListener implements BrokerListener {
    private final List<String> events = new ArrayList<>();

    private synchronized void add(String event) {
        events.add(event);
        notifyAll();
    }

    synchronized List<String> events() {
        return new ArrayList<>(events);
    }

    synchronized long count(Predicate<String> predicate) {
        return events.stream().filter(predicate).count();
    }

    /** Waits until an event starting with {@code prefix} has been recorded; returns it. */
    synchronized String await(String prefix) {
        long deadline = System.nanoTime() + TestClient.TIMEOUT.toNanos();
        while (true) {
            for (String event : events) {
                if (event.startsWith(prefix)) {
                    return event;
                }
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                fail("no event '" + prefix + "...' among " + events);
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void onClientConnected(ClientInfo client, boolean sessionPresent) {
        add("connected " + client.clientId() + " present=" + sessionPresent);
    }

    @Override
    public void onClientDisconnected(ClientInfo client, DisconnectReason reason) {
        add("disconnected " + client.clientId() + " " + reason.initiator() + " " + reason.reasonCode());
    }

    @Override
    public void onConnectionRefused(ClientInfo client, ReasonCode reasonCode) {
        add("refused " + client.clientId() + " " + reasonCode);
    }

    @Override
    public void onSubscribed(ClientInfo client, Subscription subscription, ReasonCode result) {
        add("subscribed " + client.clientId() + " " + subscription.topicFilter() + " " + result);
    }

    @Override
    public void onUnsubscribed(ClientInfo client, String topicFilter) {
        add("unsubscribed " + client.clientId() + " " + topicFilter);
    }

    @Override
    public void onMessagePublished(ClientInfo publisher, Publish message) {
        add("published " + (publisher == null ? "<application>" : publisher.clientId()) + " " + message.topic());
    }

    @Override
    public void onMessageDropped(String clientId, Publish message, DropReason reason) {
        add("dropped " + clientId + " " + message.topic() + " " + reason);
    }

    @Override
    public void onSessionEnded(String clientId) {
        add("session-ended " + clientId);
    }
}
