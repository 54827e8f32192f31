package io.corvid.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.admin.AccessPolicy.Decision;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    private static final InetAddress LOOPBACK = address("127.0.0.1");
    private static final InetAddress LOOPBACK_V6 = address("::1");
    private static final InetAddress REMOTE = address("192.0.2.10");
    private static final String HOST = "127.0.0.1:8081";

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static AccessPolicy.Request request(InetAddress peer, String path, String authorization) {
        return new AccessPolicy.Request(peer, path, authorization, HOST, null);
    }

    @Test
    void withoutATokenLoopbackPeersAreServed() {
        AccessPolicy policy = new AccessPolicy(null);
        assertFalse(policy.requiresToken());
        assertEquals(Decision.ALLOW, policy.decide(request(LOOPBACK, "/api/v1/clients", null)));
        assertEquals(Decision.ALLOW, policy.decide(new AccessPolicy.Request(LOOPBACK_V6, "/metrics", null,
                "[::1]:8081", null)));
    }

    @Test
    void withoutATokenOtherPeersAreRefused() {
        AccessPolicy policy = new AccessPolicy(null);
        assertEquals(Decision.FORBIDDEN, policy.decide(request(REMOTE, "/api/v1/clients", null)));
        assertEquals(Decision.FORBIDDEN, policy.decide(request(REMOTE, "/metrics", null)));
        assertEquals(Decision.FORBIDDEN, policy.decide(request(REMOTE, "/api/v1/clients", "Bearer anything")),
                "a token means nothing when none is configured");
    }

    @Test
    void healthReadinessAndTheDashboardAreOpenToEveryone() {
        for (AccessPolicy policy : new AccessPolicy[] {new AccessPolicy(null), new AccessPolicy("s3cret")}) {
            for (String path : new String[] {"/health", "/ready", "/", "/dashboard/dashboard.js"}) {
                assertEquals(Decision.ALLOW, policy.decide(request(REMOTE, path, null)), path);
            }
        }
    }

    @Test
    void withATokenEveryProtectedRequestNeedsIt() {
        AccessPolicy policy = new AccessPolicy("s3cret");
        assertTrue(policy.requiresToken());
        assertEquals(Decision.TOKEN_MISSING, policy.decide(request(LOOPBACK, "/api/v1/broker", null)),
                "loopback peers need it too");
        assertEquals(Decision.TOKEN_MISSING, policy.decide(request(REMOTE, "/metrics", null)));
        assertEquals(Decision.TOKEN_MISSING, policy.decide(request(REMOTE, "/api/v1/broker", "Basic czNjcmV0")));
        assertEquals(Decision.TOKEN_MISSING, policy.decide(request(REMOTE, "/api/v1/broker", "Bearer ")));
        assertEquals(Decision.TOKEN_WRONG, policy.decide(request(REMOTE, "/api/v1/broker", "Bearer s3cre")));
        assertEquals(Decision.TOKEN_WRONG, policy.decide(request(REMOTE, "/api/v1/broker", "Bearer s3cret!")));
        assertEquals(Decision.ALLOW, policy.decide(request(REMOTE, "/api/v1/broker", "Bearer s3cret")));
        assertEquals(Decision.ALLOW, policy.decide(request(LOOPBACK, "/api/unknown", "bearer s3cret")),
                "the scheme is case-insensitive");
    }

    @Test
    void everythingUnderApiIsProtectedEvenUnknownPaths() {
        assertTrue(AccessPolicy.isProtected("/api"));
        assertTrue(AccessPolicy.isProtected("/api/v2/anything"));
        assertTrue(AccessPolicy.isProtected("/metrics"));
        assertFalse(AccessPolicy.isProtected("/apixyz"));
        assertFalse(AccessPolicy.isProtected("/health"));
    }

    @Test
    void withoutATokenAHostHeaderThatIsNotLoopbackIsRefused() {
        // DNS rebinding: a page of evil.example whose name now points at 127.0.0.1.
        AccessPolicy policy = new AccessPolicy(null);
        assertEquals(Decision.FORBIDDEN, policy.decide(new AccessPolicy.Request(LOOPBACK, "/api/v1/clients", null,
                "evil.example:8081", null)));
        assertEquals(Decision.FORBIDDEN, policy.decide(new AccessPolicy.Request(LOOPBACK, "/api/v1/clients", null,
                null, null)));
        assertEquals(Decision.ALLOW, policy.decide(new AccessPolicy.Request(LOOPBACK, "/api/v1/clients", null,
                "localhost:8081", null)));
    }

    @Test
    void withoutATokenAForeignOriginIsRefused() {
        // A cross-site request from a page open in a browser on this machine.
        AccessPolicy policy = new AccessPolicy(null);
        assertEquals(Decision.FORBIDDEN, policy.decide(new AccessPolicy.Request(LOOPBACK, "/api/v1/publish", null,
                HOST, "https://evil.example")));
        assertEquals(Decision.FORBIDDEN, policy.decide(new AccessPolicy.Request(LOOPBACK, "/api/v1/publish", null,
                HOST, "null")));
        assertEquals(Decision.ALLOW, policy.decide(new AccessPolicy.Request(LOOPBACK, "/api/v1/publish", null,
                HOST, "http://" + HOST)), "the dashboard's own requests");
    }

    @Test
    void loopbackHostNames() {
        assertTrue(AccessPolicy.namesLoopback("localhost"));
        assertTrue(AccessPolicy.namesLoopback("LOCALHOST:80"));
        assertTrue(AccessPolicy.namesLoopback("127.0.0.1"));
        assertTrue(AccessPolicy.namesLoopback("127.1.2.3:9000"));
        assertTrue(AccessPolicy.namesLoopback("[::1]:8081"));
        assertFalse(AccessPolicy.namesLoopback("128.0.0.1"));
        assertFalse(AccessPolicy.namesLoopback("localhost.evil.example"));
        assertFalse(AccessPolicy.namesLoopback("[::2]:8081"));
        assertFalse(AccessPolicy.namesLoopback("127.0.0.1.nip.io"));
        assertFalse(AccessPolicy.namesLoopback(""));
    }

    @Test
    void aNonLoopbackBindingNeedsAToken() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> AccessPolicy.checkBinding(address("0.0.0.0"), false));
        assertTrue(refused.getMessage().contains("0.0.0.0") && refused.getMessage().contains("token"),
                refused.getMessage());
        assertThrows(IllegalStateException.class, () -> AccessPolicy.checkBinding(REMOTE, false));
        AccessPolicy.checkBinding(address("0.0.0.0"), true);
        AccessPolicy.checkBinding(LOOPBACK, false);
        AccessPolicy.checkBinding(LOOPBACK_V6, false);
    }
}
