package io.corvid.broker;

/**
 * MQTT 5.0 enhanced authentication (specification section 4.12): a challenge/response
 * exchange of AUTH packets under a named method, at CONNECT and again whenever the client asks
 * to re-authenticate. Register one provider per method with
 * {@link Broker.Builder#enhancedAuthentication}; a client naming an unknown method is refused
 * with 0x8C Bad authentication method.
 *
 * <p>A client that uses enhanced authentication is authenticated by its provider alone; the
 * broker's {@link Authentication} is not asked. {@link io.corvid.broker.auth.ScramAuthenticationProvider}
 * implements SCRAM-SHA-256 and SCRAM-SHA-512.
 */
public interface EnhancedAuthenticationProvider {

    /** The Authentication Method this provider serves, such as "SCRAM-SHA-256". */
    String method();

    /**
     * Starts one exchange, for a CONNECT or a re-authentication. The returned object keeps the
     * exchange's state; the broker calls it once per client step and never concurrently.
     */
    AuthenticationExchange start(AuthenticationRequest request);
}
