package io.corvid.broker.engine;

import io.corvid.broker.Authentication;
import io.corvid.broker.Authorization;
import io.corvid.broker.Broker;
import io.corvid.broker.PacketInterceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Base for engine tests: a {@link BrokerEngine} without any transport, driven by
 * {@link TestClient}s. Tests adjust {@link #settings} and the plug-ins before the first call of
 * {@link #engine()}.
 */
abstract class EngineTestSupport {
    /**
     * The $SYS topics are off: a test sees only its own traffic (retained counts, {@code $SYS/#}
     * subscriptions); the $SYS tests turn them on.
     */
    protected final Broker.Builder settings = new Broker.Builder().connectTimeout(Duration.ofSeconds(5))
            .sysInterval(Duration.ZERO);
    protected final RecordingListener events = new RecordingListener();
    protected final AdjustableClock clock = new AdjustableClock();
    protected Authentication authentication = Authentication.allowAll();
    protected Authorization authorization = Authorization.allowAll();
    protected final List<PacketInterceptor> interceptors = new ArrayList<>();
    protected final List<io.corvid.broker.BrokerListener> listeners = new ArrayList<>(List.of(events));
    private final List<TestClient> clients = new ArrayList<>();
    protected io.corvid.broker.SessionStore store;
    protected io.corvid.broker.MetricsRecorder metricsRecorder;
    /** The cluster the engine belongs to, or {@code null} for a single node. */
    protected io.corvid.broker.Cluster cluster;
    protected final java.util.Map<String, io.corvid.broker.EnhancedAuthenticationProvider> enhancedAuthentication =
            new java.util.HashMap<>();
    private BrokerEngine engine;

    protected BrokerEngine engine() {
        if (engine == null) {
            engine = new BrokerEngine(settings.buildConfig(), new Plugins(authentication, authorization, interceptors,
                    listeners, enhancedAuthentication, metricsRecorder, cluster), clock, store);
            engine.restore();
            engine.start();
        }
        return engine;
    }

    /** Stops the current engine (as a broker restart would) so that the next {@link #engine()} call builds a new one. */
    protected void restartEngine() {
        engine.disconnectAll(5000);
        for (TestClient client : clients) {
            client.close();
        }
        clients.clear();
        engine.close();
        engine = null;
    }

    protected TestClient client(String clientId) {
        TestClient client = new TestClient(engine(), clientId);
        clients.add(client);
        return client;
    }

    @AfterEach
    void tearDown() {
        for (TestClient client : clients) {
            client.close();
        }
        if (engine != null) {
            engine.close();
        }
    }
}
