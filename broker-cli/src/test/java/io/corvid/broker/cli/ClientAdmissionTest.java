package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.Authentication;
import io.corvid.broker.AuthenticationRequest;
import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.ReasonCode;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who the standalone server lets in: safe by default, users when given, anonymous only when asked. */
class ClientAdmissionTest {
    private static final SocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);
    private static final SocketAddress LOOPBACK_V6 = new InetSocketAddress("::1", 40000);
    private static final SocketAddress REMOTE = new InetSocketAddress("203.0.113.7", 40000);
    /** Accepts user "alice" with password "secret" only. */
    private static final Authentication USERS = request -> "alice".equals(request.username())
            && "secret".equals(request.password() == null ? null : new String(request.password(), StandardCharsets.UTF_8))
            ? AuthenticationResult.allow() : AuthenticationResult.badCredentials();

    private static AuthenticationRequest request(SocketAddress from, String username, String password) {
        return new AuthenticationRequest(new Connect(ProtocolVersion.MQTT_5, "c", true, 30, username,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8), null, Properties.EMPTY),
                from, "tcp", List.of());
    }

    private static ReasonCode outcome(ClientAdmission admission, AuthenticationRequest request) {
        AuthenticationResult result = admission.authenticate(request);
        return result.isAllowed() ? ReasonCode.SUCCESS : result.reasonCode();
    }

    @Test
    void withoutUsersAnonymousClientsComeFromThisHostOnly() {
        ClientAdmission admission = new ClientAdmission(null, false, false);
        assertEquals(ReasonCode.SUCCESS, outcome(admission, request(LOOPBACK, null, null)));
        assertEquals(ReasonCode.SUCCESS, outcome(admission, request(LOOPBACK_V6, null, null)));
        assertEquals(ReasonCode.NOT_AUTHORIZED, outcome(admission, request(REMOTE, null, null)));
        assertEquals(ReasonCode.NOT_AUTHORIZED, outcome(admission, request(REMOTE, "mallory", "any")),
                "a user name nobody can check does not make a remote client trusted");
        AuthenticationResult refused = admission.authenticate(request(REMOTE, null, null));
        assertTrue(refused.reasonString().contains("--allow-anonymous"), refused.reasonString());
    }

    @Test
    void allowAnonymousAcceptsThemFromAnywhere() {
        ClientAdmission admission = new ClientAdmission(null, true, false);
        assertEquals(ReasonCode.SUCCESS, outcome(admission, request(REMOTE, null, null)));
        assertEquals(ReasonCode.SUCCESS, outcome(admission, request(LOOPBACK, null, null)));
    }

    @Test
    void withUsersAClientNeedsItsPasswordFromAnywhere() {
        ClientAdmission admission = new ClientAdmission(USERS, false, false);
        assertEquals(ReasonCode.SUCCESS, outcome(admission, request(REMOTE, "alice", "secret")));
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, outcome(admission, request(LOOPBACK, "alice", "wrong")));
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, outcome(admission, request(LOOPBACK, "bob", "secret")));
        assertEquals(ReasonCode.NOT_AUTHORIZED, outcome(admission, request(LOOPBACK, null, null)),
                "once users are configured, anonymous clients are refused even from this host");
    }

    @Test
    void withUsersAndAllowAnonymousBothAreAccepted() {
        ClientAdmission admission = new ClientAdmission(USERS, true, false);
        assertEquals(ReasonCode.SUCCESS, outcome(admission, request(REMOTE, null, null)));
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, outcome(admission, request(REMOTE, "alice", "wrong")),
                "a wrong password is still wrong");
    }

    @Test
    void aVerifiedCertificateAuthenticatesWhenItsIdentityIsTheUserName() throws Exception {
        // A certificate with no key kept: only its presence in the request matters here.
        X509Certificate certificate;
        try (var in = ClientAdmissionTest.class.getResourceAsStream("/device-certificate.pem")) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        AuthenticationRequest withCertificate = new AuthenticationRequest(new Connect(ProtocolVersion.MQTT_5, "c", true,
                30, "CN=device", null, null, Properties.EMPTY), REMOTE, "tls", List.of(certificate));
        assertEquals(ReasonCode.SUCCESS, outcome(new ClientAdmission(USERS, false, true), withCertificate));
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, outcome(new ClientAdmission(USERS, false, false),
                withCertificate), "without --use-identity-as-username a certificate is not a password");
    }

    @Test
    void unixDomainSocketsAreLocal() {
        assertTrue(ClientAdmission.isLocal(new DomainSocketAddress("/tmp/corvid.sock")));
        assertFalse(ClientAdmission.isLocal(null), "no address, no trust");
    }
}
