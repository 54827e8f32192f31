package io.corvid.broker.it;

import io.corvid.broker.Authentication;
import io.corvid.broker.Broker;
import io.corvid.broker.SessionInfo;
import io.corvid.broker.packet.Subscription;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A real broker on 127.0.0.1 and an ephemeral port, with a {@link RecordingListener}
 * attached. Close it to stop the broker.
 */
public final class TestBroker implements AutoCloseable {
    public final Broker broker;
    public final RecordingListener events = new RecordingListener();

    private TestBroker(UnaryOperator<Broker.Builder> customizer) {
        // Anonymous access made explicit, which spares the console the broker's warning about it.
        Broker.Builder builder = new Broker.Builder().host("127.0.0.1").port(0)
                .authentication(Authentication.allowAll()).brokerListener(events);
        this.broker = customizer.apply(builder).build().start();
    }

    /** Starts a broker with the default settings. */
    public static TestBroker start() {
        return new TestBroker(UnaryOperator.identity());
    }

    /** Starts a broker with settings of the test's choosing (host, port and the event listener are set already). */
    public static TestBroker start(UnaryOperator<Broker.Builder> customizer) {
        return new TestBroker(customizer);
    }

    public int port() {
        return broker.port();
    }

    /** The server URI for Paho. */
    public String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    /**
     * Waits until a subscription of {@code clientId} to {@code filter} is in effect, for clients
     * such as mosquitto_sub that do not tell when their SUBACK came. The broker's subscribed
     * event is the signal: the session snapshot ({@link #hasSubscription}) lists a
     * subscription a moment before the broker routes by it.
     */
    public void awaitSubscription(String clientId, String filter) {
        events.await(clientId + " subscribed to " + filter, 1, RecordingListener.Subscribed.class,
                e -> e.client().clientId().equals(clientId) && e.subscription().topicFilter().equals(filter)
                        && !e.result().isError());
    }

    public boolean hasSubscription(String clientId, String filter) {
        Optional<SessionInfo> session = broker.session(clientId);
        return session.isPresent() && session.get().subscriptions().stream()
                .map(Subscription::topicFilter).anyMatch(filter::equals);
    }

    /** Waits until the broker has a connected client with this identifier. */
    public void awaitConnected(String clientId) {
        Await.until(clientId + " connected", () -> broker.client(clientId).isPresent());
    }

    /** Waits until no client with this identifier is connected. */
    public void awaitNotConnected(String clientId) {
        Await.until(clientId + " no longer connected", () -> broker.client(clientId).isEmpty());
    }

    @Override
    public void close() {
        broker.stop();
    }
}
