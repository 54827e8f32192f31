package io.corvid.broker.engine;

import io.corvid.broker.MetricsRecorder;
import io.corvid.broker.Authentication;
import io.corvid.broker.Authorization;
import io.corvid.broker.BrokerListener;
import io.corvid.broker.Cluster;
import io.corvid.broker.EnhancedAuthenticationProvider;
import io.corvid.broker.PacketInterceptor;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The application's plug-ins, as the engine uses them.
 *
 * @param authentication         decides who may connect (clients without enhanced authentication)
 * @param authorization          decides who may publish and subscribe where
 * @param interceptors           see every inbound packet, in order
 * @param listeners              receive lifecycle events
 * @param enhancedAuthentication providers by Authentication Method
 * @param metricsRecorder        keeps latency distributions, or {@code null} when nobody does
 * @param cluster                the cluster this node belongs to, or {@code null} for a single node
 */
public record Plugins(Authentication authentication, Authorization authorization, List<PacketInterceptor> interceptors,
                      List<BrokerListener> listeners, Map<String, EnhancedAuthenticationProvider> enhancedAuthentication,
                      MetricsRecorder metricsRecorder, Cluster cluster) {
    public Plugins {
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(authorization, "authorization");
        interceptors = List.copyOf(interceptors);
        listeners = List.copyOf(listeners);
        enhancedAuthentication = Map.copyOf(enhancedAuthentication);
    }

    /** The plug-ins of a single node (no cluster). */
    public Plugins(Authentication authentication, Authorization authorization, List<PacketInterceptor> interceptors,
                   List<BrokerListener> listeners, Map<String, EnhancedAuthenticationProvider> enhancedAuthentication,
                   MetricsRecorder metricsRecorder) {
        this(authentication, authorization, interceptors, listeners, enhancedAuthentication, metricsRecorder, null);
    }

    /** The plug-ins without a metrics recorder. */
    public Plugins(Authentication authentication, Authorization authorization, List<PacketInterceptor> interceptors,
                   List<BrokerListener> listeners, Map<String, EnhancedAuthenticationProvider> enhancedAuthentication) {
        this(authentication, authorization, interceptors, listeners, enhancedAuthentication, null, null);
    }

    /** Everyone may do everything; nobody listens. */
    public static Plugins allowAll() {
        return new Plugins(Authentication.allowAll(), Authorization.allowAll(), List.of(), List.of(), Map.of());
    }
}
