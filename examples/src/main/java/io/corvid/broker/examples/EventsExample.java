package io.corvid.broker.examples;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.corvid.broker.Broker;
import io.corvid.broker.BrokerListener;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches what clients do through a {@link BrokerListener}: a client connects, subscribes,
 * publishes and disconnects, and the listener logs and records each event. Runs once and exits.
 *
 * <p>Run: {@code EventsExample [port]} (default 1883).
 */
public final class EventsExample {
    private static final Logger LOG = LoggerFactory.getLogger(EventsExample.class);

    private EventsExample() {
    }

    /**
     * Logs connect, subscribe, publish and disconnect events and keeps them, one line each, in
     * the order they came. The broker calls it from several threads at once, hence the lock; it
     * is held only to append a line, so that network threads hardly ever wait for it.
     */
    public static final class EventLog implements BrokerListener {
        private final List<String> events = new ArrayList<>();

        @Override
        public void onClientConnected(ClientInfo client, boolean sessionPresent) {
            record("connected " + client.clientId());
        }

        @Override
        public void onSubscribed(ClientInfo client, Subscription subscription, ReasonCode result) {
            record("subscribed " + client.clientId() + " to " + subscription.topicFilter() + ": " + result);
        }

        @Override
        public void onMessagePublished(ClientInfo publisher, Publish message) {
            // publisher is null for messages the application itself publishes (Broker.publish).
            record("published " + (publisher == null ? "by the application" : publisher.clientId())
                    + " to " + message.topic());
        }

        @Override
        public void onClientDisconnected(ClientInfo client, DisconnectReason reason) {
            record("disconnected " + client.clientId() + " by " + reason.initiator());
        }

        private synchronized void record(String event) {
            LOG.info("Event: {}", event);
            events.add(event);
            notifyAll();
        }

        /** The events so far, oldest first. */
        public synchronized List<String> events() {
            return List.copyOf(events);
        }

        /**
         * Waits until {@code event} has been recorded. Disconnect events in particular come after
         * the client has gone, from the broker's side of the connection.
         *
         * @return whether it was recorded within {@code timeout}
         */
        public synchronized boolean await(String event, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!events.contains(event)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Starts a broker on 127.0.0.1:{@code port} (0 picks a free port) that reports to {@code log}. */
    public static Broker start(int port, EventLog log) {
        return new Broker.Builder()
                .host("127.0.0.1").port(port)
                .brokerListener(log)
                .build()
                .start();
    }

    /**
     * Runs the demo on {@code port} (0 picks a free one), stops the broker, and returns every
     * event the listener saw, oldest first.
     */
    public static List<String> run(int port) throws InterruptedException {
        EventLog log = new EventLog();
        try (Broker broker = start(port, log)) {
            Mqtt5BlockingClient client = DemoClients.aimedAt(broker, "sensor-1").buildBlocking();
            client.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes inbox = client.publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
                DemoClients.subscribe(client, "sensors/#");
                DemoClients.publishAtLeastOnce(client, "sensors/temperature", "21.5".getBytes(StandardCharsets.UTF_8));
                DemoClients.next(inbox);
            }
            client.disconnect();
            if (!log.await("disconnected sensor-1 by CLIENT", Duration.ofSeconds(DemoClients.WAIT_SECONDS))) {
                throw new IllegalStateException("no disconnect event within " + DemoClients.WAIT_SECONDS + " s");
            }
        }
        // Stopped: no event can come any more, so the list is complete.
        return log.events();
    }

    public static void main(String[] args) throws InterruptedException {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 1883);
    }
}
