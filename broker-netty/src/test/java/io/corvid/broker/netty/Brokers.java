package io.corvid.broker.netty;

import io.corvid.broker.Broker;
import io.corvid.broker.transport.BoundListener;

/** Small helpers for tests that run a broker with several listeners. */
final class Brokers {

    private Brokers() {
    }

    /** The bound port of the listener named {@code name}. */
    static int port(Broker broker, String name) {
        return broker.boundListeners().stream()
                .filter(bound -> bound.listener().name().equals(name))
                .map(BoundListener::address)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no listener named " + name + " in " + broker.boundListeners()))
                .getPort();
    }

    /** Waits until {@code clientId} is connected to {@code broker} and has at least one subscription. */
    static void awaitSubscribed(Broker broker, String clientId) {
        Await.until(clientId + " subscribed", () -> broker.session(clientId)
                .map(session -> session.connected() && !session.subscriptions().isEmpty()).orElse(false));
    }
}
