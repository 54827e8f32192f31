package io.corvid.broker;

import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.ProtocolVersion;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a client presented when connecting.
 *
 * @param connect          the CONNECT packet
 * @param remoteAddress    the client's network address
 * @param listenerName     the listener the client came in through
 * @param peerCertificates the client's TLS certificate chain (mutual TLS), empty when none
 */
public record AuthenticationRequest(Connect connect, SocketAddress remoteAddress, String listenerName,
                                    List<X509Certificate> peerCertificates) {
    public AuthenticationRequest {
        peerCertificates = List.copyOf(peerCertificates);
    }

    /** The client identifier from CONNECT (empty when the broker is to assign one). */
    public String clientId() {
        return connect.clientId();
    }

    /** The user name, or {@code null}. */
    public String username() {
        return connect.username();
    }

    /** The password bytes, or {@code null}. Do not modify the array. */
    public byte[] password() {
        return connect.password();
    }

    /** The client's protocol version. */
    public ProtocolVersion protocolVersion() {
        return connect.protocolVersion();
    }
}
