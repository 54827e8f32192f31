package io.corvid.broker.auth;

import io.corvid.broker.AuthenticationExchange;
import io.corvid.broker.AuthenticationStep;
import io.corvid.broker.packet.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The server side of one SCRAM exchange (RFC 5802 section 5): client-first, server-first,
 * client-final, server-final. Channel binding is not offered ("n" or "y" flags only).
 */
final class ScramExchange implements AuthenticationExchange {
    private enum Stage { EXPECT_CLIENT_FIRST, EXPECT_CLIENT_FINAL, DONE }

    private final ScramMechanism mechanism;
    private final Function<String, ScramCredentials> credentials;
    private final Supplier<String> nonces;
    private Stage stage = Stage.EXPECT_CLIENT_FIRST;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private ScramCredentials user;

    ScramExchange(ScramMechanism mechanism, Function<String, ScramCredentials> credentials, Supplier<String> nonces) {
        this.mechanism = mechanism;
        this.credentials = credentials;
        this.nonces = nonces;
    }

    @Override
    public AuthenticationStep respond(byte[] clientData) {
        if (clientData == null) {
            return refuse("no SCRAM message");
        }
        String message = new String(clientData, StandardCharsets.UTF_8);
        try {
            return switch (stage) {
                case EXPECT_CLIENT_FIRST -> clientFirst(message);
                case EXPECT_CLIENT_FINAL -> clientFinal(message);
                case DONE -> refuse("the exchange is over");
            };
        } catch (IllegalArgumentException e) {
            stage = Stage.DONE;
            return refuse("malformed SCRAM message: " + e.getMessage());
        }
    }

    private AuthenticationStep clientFirst(String message) {
        // gs2-header: cbind-flag "," [authzid] ","
        int first = message.indexOf(',');
        int second = first < 0 ? -1 : message.indexOf(',', first + 1);
        if (second < 0) {
            throw new IllegalArgumentException("no GS2 header");
        }
        String flag = message.substring(0, first);
        if (flag.startsWith("p=")) {
            stage = Stage.DONE;
            return refuse("channel binding is not supported");
        }
        if (!flag.equals("n") && !flag.equals("y")) {
            throw new IllegalArgumentException("bad channel binding flag");
        }
        if (second != first + 1) {
            stage = Stage.DONE;
            return refuse("authorization identities are not supported");
        }
        gs2Header = message.substring(0, second + 1);
        clientFirstBare = message.substring(second + 1);
        String[] attributes = clientFirstBare.split(",", -1);
        if (attributes.length < 2 || !attributes[0].startsWith("n=") || !attributes[1].startsWith("r=")) {
            throw new IllegalArgumentException("client-first-message-bare must start with n= and r=");
        }
        if (attributes.length > 2 && attributes[2].startsWith("m=")) {
            stage = Stage.DONE;
            return refuse("mandatory extensions are not supported");
        }
        String username = decodeName(attributes[0].substring(2));
        String clientNonce = attributes[1].substring(2);
        if (clientNonce.isEmpty()) {
            throw new IllegalArgumentException("empty client nonce");
        }
        user = credentials.apply(username);
        nonce = clientNonce + nonces.get();
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(user.salt()) + ",i=" + user.iterations();
        stage = Stage.EXPECT_CLIENT_FINAL;
        return AuthenticationStep.challenge(serverFirst.getBytes(StandardCharsets.UTF_8));
    }

    private AuthenticationStep clientFinal(String message) {
        stage = Stage.DONE;
        int proofAt = message.lastIndexOf(",p=");
        if (proofAt < 0) {
            throw new IllegalArgumentException("no proof");
        }
        String withoutProof = message.substring(0, proofAt);
        String[] attributes = withoutProof.split(",", -1);
        if (attributes.length < 2 || !attributes[0].startsWith("c=") || !attributes[1].startsWith("r=")) {
            throw new IllegalArgumentException("client-final-message must start with c= and r=");
        }
        String expectedBinding = Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
        if (!attributes[0].substring(2).equals(expectedBinding)) {
            return refuse("channel binding data does not match the GS2 header");
        }
        if (!attributes[1].substring(2).equals(nonce)) {
            return refuse("nonce mismatch");
        }
        byte[] proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = ScramCrypto.hmac(mechanism, user.storedKey(), authMessage);
        if (proof.length != clientSignature.length) {
            return AuthenticationStep.failure(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "authentication failed");
        }
        byte[] clientKey = ScramCrypto.xor(proof, clientSignature);
        if (!MessageDigest.isEqual(ScramCrypto.hash(mechanism, clientKey), user.storedKey())) {
            return AuthenticationStep.failure(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "authentication failed");
        }
        byte[] serverSignature = ScramCrypto.hmac(mechanism, user.serverKey(), authMessage);
        String serverFinal = "v=" + Base64.getEncoder().encodeToString(serverSignature);
        return AuthenticationStep.success(serverFinal.getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 5802 saslname: "=2C" stands for ',' and "=3D" for '='; any other '=' is an error. */
    static String decodeName(String saslName) {
        StringBuilder name = new StringBuilder(saslName.length());
        for (int i = 0; i < saslName.length(); i++) {
            char c = saslName.charAt(i);
            if (c == '=') {
                String escape = saslName.substring(i + 1, Math.min(i + 3, saslName.length()));
                if (escape.equals("2C")) {
                    name.append(',');
                } else if (escape.equals("3D")) {
                    name.append('=');
                } else {
                    throw new IllegalArgumentException("bad escape in user name");
                }
                i += 2;
            } else {
                name.append(c);
            }
        }
        if (name.length() == 0) {
            throw new IllegalArgumentException("empty user name");
        }
        return name.toString();
    }

    private static AuthenticationStep refuse(String reason) {
        return AuthenticationStep.failure(ReasonCode.NOT_AUTHORIZED, reason);
    }
}
