package io.corvid.broker.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connected clients kept for a whole test class, one per library and role. Paho needs about
 * 300 ms to connect (its threads start with 100 ms sleeps), so tests that only need "some
 * client of library X" share one instead of connecting anew each time.
 */
public final class ClientPool implements AutoCloseable {
    private final TestBroker broker;
    private final Map<String, MqttTestClient> clients = new ConcurrentHashMap<>();

    public ClientPool(TestBroker broker) {
        this.broker = broker;
    }

    /** The pool's connected client of {@code library} for {@code role}, connecting it on first use. */
    public MqttTestClient get(Library library, String role) {
        MqttTestClient client = clients.computeIfAbsent(library.name() + "/" + role,
                key -> library.connect(broker, Ids.next(role + "-" + library.name().toLowerCase())));
        if (!client.isConnected()) {
            throw new AssertionError("pooled " + library + " client " + client.clientId() + " lost its connection");
        }
        return client;
    }

    @Override
    public void close() {
        clients.values().forEach(MqttTestClient::close);
        clients.clear();
    }
}
