package io.corvid.broker.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The client side of SCRAM, for tests: builds client-first and client-final messages and
 * checks the server's signature, following RFC 5802 section 3 step by step.
 */
public final class ScramClient {
    private final ScramMechanism mechanism;
    private final String username;
    private final String password;
    private final String clientNonce;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    public ScramClient(ScramMechanism mechanism, String username, String password, String clientNonce) {
        this.mechanism = mechanism;
        this.username = username;
        this.password = password;
        this.clientNonce = clientNonce;
    }

    public byte[] clientFirst() {
        clientFirstBare = "n=" + username.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
        return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    public byte[] clientFinal(byte[] serverFirstBytes) {
        String serverFirst = new String(serverFirstBytes, StandardCharsets.UTF_8);
        String nonce = null;
        byte[] salt = null;
        int iterations = 0;
        for (String attribute : serverFirst.split(",")) {
            if (attribute.startsWith("r=")) {
                nonce = attribute.substring(2);
            } else if (attribute.startsWith("s=")) {
                salt = Base64.getDecoder().decode(attribute.substring(2));
            } else if (attribute.startsWith("i=")) {
                iterations = Integer.parseInt(attribute.substring(2));
            }
        }
        if (nonce == null || !nonce.startsWith(clientNonce)) {
            throw new IllegalStateException("server nonce does not extend the client nonce: " + serverFirst);
        }
        String withoutProof = "c=biws,r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] salted = ScramCrypto.saltedPassword(mechanism, password, salt, iterations);
        byte[] clientKey = ScramCrypto.hmac(mechanism, salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = ScramCrypto.hash(mechanism, clientKey);
        byte[] clientSignature = ScramCrypto.hmac(mechanism, storedKey, authMessage);
        byte[] proof = ScramCrypto.xor(clientKey, clientSignature);
        byte[] serverKey = ScramCrypto.hmac(mechanism, salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        expectedServerSignature = ScramCrypto.hmac(mechanism, serverKey, authMessage);
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the server's final message proves it knows the user's keys. */
    public boolean verifyServerFinal(byte[] serverFinal) {
        String expected = "v=" + Base64.getEncoder().encodeToString(expectedServerSignature);
        return expected.equals(new String(serverFinal, StandardCharsets.UTF_8));
    }
}
