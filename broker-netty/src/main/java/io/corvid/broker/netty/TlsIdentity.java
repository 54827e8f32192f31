package io.corvid.broker.netty;

import io.corvid.broker.transport.TransportInfo;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/** What a finished TLS handshake tells about the client, as the engine's {@link TransportInfo}. */
final class TlsIdentity {

    private TlsIdentity() {
    }

    /**
     * @param identityAsUsername whether the client certificate's subject becomes the user name
     * @return secure, with the client's certificate chain (empty when it sent none) and, when
     *         asked for and a certificate was sent, its subject in RFC 2253 form
     */
    static TransportInfo transportInfo(String listenerName, SSLSession session, boolean identityAsUsername) {
        List<X509Certificate> chain = peerCertificates(session);
        String identity = identityAsUsername && !chain.isEmpty()
                ? chain.get(0).getSubjectX500Principal().getName(X500Principal.RFC2253)
                : null;
        return new TransportInfo(listenerName, true, chain, identity);
    }

    private static List<X509Certificate> peerCertificates(SSLSession session) {
        Certificate[] certificates;
        try {
            certificates = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return List.of(); // the client sent no certificate
        }
        List<X509Certificate> chain = new ArrayList<>(certificates.length);
        for (Certificate certificate : certificates) {
            if (certificate instanceof X509Certificate x509) {
                chain.add(x509);
            }
        }
        return chain;
    }
}
