package io.corvid.broker.engine;

import io.corvid.broker.AuthenticationExchange;
import io.corvid.broker.AuthenticationRequest;
import io.corvid.broker.AuthenticationStep;
import io.corvid.broker.EnhancedAuthenticationProvider;
import io.corvid.broker.packet.Auth;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ReasonCode;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's MQTT 5.0 enhanced authentication (section 4.12): the exchange at CONNECT
 * and every re-authentication after it, all under the method named in CONNECT.
 */
final class EnhancedAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(EnhancedAuthenticator.class);

    private final ProtocolHandler handler;
    private final EnhancedAuthenticationProvider provider;
    private final String method;
    private final AuthenticationRequest request;
    private AuthenticationExchange exchange;

    EnhancedAuthenticator(ProtocolHandler handler, EnhancedAuthenticationProvider provider, AuthenticationRequest request) {
        this.handler = handler;
        this.provider = provider;
        this.method = provider.method();
        this.request = request;
    }

    String method() {
        return method;
    }

    /** Whether an exchange is under way (a challenge was sent and the client's answer is due). */
    boolean inProgress() {
        return exchange != null;
    }

    /** Starts a new exchange with the client's first data and reports the step to {@code onStep}. */
    void begin(byte[] clientData, Executor resumeOn, Consumer<AuthenticationStep> onStep) {
        try {
            exchange = provider.start(request);
        } catch (RuntimeException e) {
            LOG.warn("Enhanced authentication provider {} failed to start for {}", method, handler.describe(), e);
            exchange = null;
            onStep.accept(AuthenticationStep.failure(ReasonCode.SERVER_UNAVAILABLE, "authentication unavailable"));
            return;
        }
        step(clientData, resumeOn, onStep);
    }

    /** Gives the client's next data to the exchange under way. */
    void step(byte[] clientData, Executor resumeOn, Consumer<AuthenticationStep> onStep) {
        AuthenticationExchange current = exchange;
        handler.await(AsyncDecisions.call(() -> current.respondAsync(clientData)),
                AuthenticationStep.failure(ReasonCode.SERVER_UNAVAILABLE, "authentication unavailable"),
                "enhanced authentication (" + method + ")", resumeOn, step -> {
                    if (step.kind() != AuthenticationStep.Kind.CHALLENGE) {
                        exchange = null;
                    }
                    onStep.accept(step);
                });
    }

    /** Abandons the exchange under way. */
    void abandon() {
        exchange = null;
    }

    /** The properties of an AUTH or CONNACK carrying this method and the server's data. */
    Properties properties(byte[] serverData) {
        Properties.Builder builder = Properties.builder().put(Property.AUTHENTICATION_METHOD, method);
        if (serverData != null) {
            builder.put(Property.AUTHENTICATION_DATA, serverData);
        }
        return builder.build();
    }

    /** A challenge packet for the client. */
    Auth challenge(AuthenticationStep step) {
        return new Auth(ReasonCode.CONTINUE_AUTHENTICATION, properties(step.data()));
    }

    /**
     * Re-authentication requested by a connected client (AUTH 0x19), or its next answer (AUTH
     * 0x18). Runs in the session's executor.
     */
    void onAuth(Auth auth) {
        String named = auth.properties().getString(Property.AUTHENTICATION_METHOD);
        if (!method.equals(named)) {
            violation("AUTH names method " + named + " but the connection authenticated with " + method);
            return;
        }
        byte[] data = auth.properties().getBinary(Property.AUTHENTICATION_DATA);
        Executor resumeOn = handler.session.executor();
        switch (auth.reasonCode()) {
            case RE_AUTHENTICATE -> {
                if (inProgress()) {
                    violation("re-authentication requested while one is under way");
                    return;
                }
                begin(data, resumeOn, this::onReauthenticationStep);
            }
            case CONTINUE_AUTHENTICATION -> {
                if (!inProgress()) {
                    violation("AUTH 0x18 without an exchange under way");
                    return;
                }
                step(data, resumeOn, this::onReauthenticationStep);
            }
            default -> violation("a client may not send AUTH " + auth.reasonCode());
        }
    }

    private void onReauthenticationStep(AuthenticationStep step) {
        switch (step.kind()) {
            case CHALLENGE -> handler.write(challenge(step));
            case SUCCESS -> {
                LOG.debug("{} re-authenticated with {}", handler.describe(), method);
                handler.write(new Auth(ReasonCode.SUCCESS, properties(step.data())));
            }
            case FAILURE -> {
                ReasonCode code = step.reasonCode().isAllowedIn(PacketType.DISCONNECT)
                        ? step.reasonCode() : ReasonCode.NOT_AUTHORIZED;
                LOG.info("{} failed re-authentication: {}", handler.describe(), step.reasonString());
                handler.disconnect(code, step.reasonString() == null ? "re-authentication failed" : step.reasonString());
            }
        }
    }

    private void violation(String description) {
        handler.engine.metrics().protocolErrors.increment();
        handler.disconnect(ReasonCode.PROTOCOL_ERROR, description);
    }
}
