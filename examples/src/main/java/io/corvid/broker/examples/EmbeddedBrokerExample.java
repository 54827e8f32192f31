package io.corvid.broker.examples;

import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.Broker;
import io.corvid.broker.BrokerListener;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's embedding example: a broker inside an application, with a password check, an
 * event listener, and a retained greeting published from the application whenever a client
 * connects. Run it and connect with
 * {@code mosquitto_sub -h 127.0.0.1 -p 1883 -u demo -P demo -t 'greetings/#' -v}.
 */
public final class EmbeddedBrokerExample {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBrokerExample.class);

    private EmbeddedBrokerExample() {
    }

    /** Builds and starts the example broker on {@code port} (0 picks a free one). */
    public static Broker start(int port) {
        AtomicReference<Broker> self = new AtomicReference<>();
        Broker broker = new Broker.Builder()
                .host("127.0.0.1")
                .port(port)
                .authentication(request -> "demo".equals(request.username())
                        && request.password() != null
                        && "demo".equals(new String(request.password(), StandardCharsets.UTF_8))
                        ? AuthenticationResult.allow() : AuthenticationResult.badCredentials())
                .brokerListener(new BrokerListener() {
                    @Override
                    public void onClientConnected(ClientInfo client, boolean sessionPresent) {
                        self.get().publish("greetings/" + client.clientId(),
                                ("welcome, " + client.clientId()).getBytes(StandardCharsets.UTF_8),
                                QoS.AT_LEAST_ONCE, true);
                    }

                    @Override
                    public void onClientDisconnected(ClientInfo client, DisconnectReason reason) {
                        LOG.info("{} left: {}", client.clientId(), reason.description());
                    }
                })
                .build();
        self.set(broker);
        return broker.start();
    }

    public static void main(String[] args) throws InterruptedException {
        Broker broker = start(args.length > 0 ? Integer.parseInt(args[0]) : 1883);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.stop();
            stopped.countDown();
        }));
        LOG.info("Embedded broker on port {}; Ctrl+C stops it", broker.port());
        stopped.await();
    }
}
