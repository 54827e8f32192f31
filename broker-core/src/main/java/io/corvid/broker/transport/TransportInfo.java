package io.corvid.broker.transport;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the transport knows about the path a connection came in on.
 *
 * @param listenerName       the name of the listener that accepted the connection
 * @param secure             whether the connection is protected by TLS
 * @param peerCertificates   the client's certificate chain (mutual TLS), empty when none
 * @param identityAsUsername the client certificate's subject when the listener uses it as the
 *                           MQTT user name ({@link io.corvid.broker.TlsConfig#useIdentityAsUsername()}),
 *                           otherwise {@code null}
 */
public record TransportInfo(String listenerName, boolean secure, List<X509Certificate> peerCertificates,
                            String identityAsUsername) {
    public TransportInfo {
        peerCertificates = List.copyOf(peerCertificates);
    }

    /** A plain, unauthenticated path through the named listener. */
    public static TransportInfo plain(String listenerName) {
        return new TransportInfo(listenerName, false, List.of(), null);
    }
}
