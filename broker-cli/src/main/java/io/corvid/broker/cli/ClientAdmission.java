package io.corvid.broker.cli;

import io.corvid.broker.Authentication;
import io.corvid.broker.AuthenticationRequest;
import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.packet.ReasonCode;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who may connect to the standalone server, safe by default as Mosquitto 2 is.
 *
 * <ul>
 *   <li>With users ({@code --password-file}): a client with a user name must give its password;
 *       one without is anonymous and refused unless {@code --allow-anonymous}.</li>
 *   <li>Without users: nobody can be authenticated, so every client is anonymous and accepted
 *       from this host only (loopback addresses and Unix domain sockets) unless
 *       {@code --allow-anonymous}. The server still listens on every interface, so that a
 *       refused remote client is told why (0x87 Not Authorized) instead of finding no port.</li>
 *   <li>With {@code --use-identity-as-username}, a client that presented a certificate the TLS
 *       handshake verified is authenticated by it.</li>
 * </ul>
 * Behind the PROXY protocol, the address checked is the one the proxy reports.
 */
final class ClientAdmission implements Authentication {
    private final Authentication users;
    private final boolean allowAnonymous;
    private final boolean identityFromCertificate;

    /**
     * @param users                   checks user names and passwords; {@code null} when there are no users
     * @param allowAnonymous          {@code --allow-anonymous}
     * @param identityFromCertificate {@code --use-identity-as-username}
     */
    ClientAdmission(Authentication users, boolean allowAnonymous, boolean identityFromCertificate) {
        this.users = users;
        this.allowAnonymous = allowAnonymous;
        this.identityFromCertificate = identityFromCertificate;
    }

    @Override
    public AuthenticationResult authenticate(AuthenticationRequest request) {
        if (identityFromCertificate && !request.peerCertificates().isEmpty()) {
            return AuthenticationResult.allow();
        }
        if (users != null && request.username() != null) {
            return users.authenticate(request);
        }
        if (allowAnonymous || users == null && isLocal(request.remoteAddress())) {
            return AuthenticationResult.allow();
        }
        return AuthenticationResult.deny(ReasonCode.NOT_AUTHORIZED, users == null
                ? "anonymous clients are accepted from the broker's own host only (--allow-anonymous)"
                : "anonymous clients are not allowed");
    }

    /** One line for the startup banner. */
    String describe() {
        if (users == null) {
            return allowAnonymous ? "no users; anonymous clients allowed from anywhere (--allow-anonymous)"
                    : "no users; anonymous clients accepted from this host only "
                    + "(give --password-file, or --allow-anonymous to accept them from anywhere)";
        }
        return allowAnonymous ? "users from the password file; anonymous clients allowed too (--allow-anonymous)"
                : "users from the password file; anonymous clients refused";
    }

    static boolean isLocal(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
        }
        return address != null; // a Unix domain socket: only this host can reach it
    }
}
