package io.corvid.broker.it.mqtt5;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 written from RFC 5802 section 3 and RFC 7677, with nothing
 * of the broker's SCRAM code: client-first-message, then client-final-message for the
 * server-first-message, then a check of the server's signature in server-final-message. No
 * channel binding ("n,,"), no authorization identity. One instance per exchange.
 */
final class ScramSha256Client {
    private final String username;
    private final String password;
    private final String clientNonce;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    ScramSha256Client(String username, String password) {
        this.username = username;
        this.password = password;
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        this.clientNonce = Base64.getEncoder().withoutPadding().encodeToString(random);
    }

    /** client-first-message: gs2-header "n,," and client-first-message-bare "n=user,r=nonce". */
    byte[] clientFirst() {
        // saslname: "=" and "," are escaped as "=3D" and "=2C" (RFC 5802 section 5.1).
        String saslName = username.replace("=", "=3D").replace(",", "=2C");
        clientFirstBare = "n=" + saslName + ",r=" + clientNonce;
        return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /** client-final-message for the server-first-message "r=nonce,s=salt,i=iterations". */
    byte[] clientFinal(byte[] serverFirstMessage) {
        String serverFirst = new String(serverFirstMessage, StandardCharsets.UTF_8);
        String nonce = null;
        byte[] salt = null;
        int iterations = -1;
        for (String attribute : serverFirst.split(",")) {
            switch (attribute.charAt(0)) {
                case 'r' -> nonce = attribute.substring(2);
                case 's' -> salt = Base64.getDecoder().decode(attribute.substring(2));
                case 'i' -> iterations = Integer.parseInt(attribute.substring(2));
                default -> {
                    // extensions are not used
                }
            }
        }
        if (nonce == null || !nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()
                || salt == null || iterations < 1) {
            throw new IllegalStateException("bad server-first-message: " + serverFirst);
        }
        // c=biws is base64("n,,"), the GS2 header without channel binding.
        String withoutProof = "c=biws,r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] saltedPassword = hi(password, salt, iterations);
        byte[] clientKey = hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = sha256(clientKey);
        byte[] clientSignature = hmac(storedKey, authMessage);
        byte[] clientProof = new byte[clientKey.length];
        for (int i = 0; i < clientProof.length; i++) {
            clientProof[i] = (byte) (clientKey[i] ^ clientSignature[i]);
        }
        byte[] serverKey = hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
        expectedServerSignature = hmac(serverKey, authMessage);
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(clientProof)).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether server-final-message "v=signature" proves that the server knows the user's keys. */
    boolean serverFinalIsValid(byte[] serverFinalMessage) {
        if (expectedServerSignature == null || serverFinalMessage == null) {
            return false;
        }
        String serverFinal = new String(serverFinalMessage, StandardCharsets.UTF_8);
        return serverFinal.startsWith("v=") && MessageDigest.isEqual(expectedServerSignature,
                Base64.getDecoder().decode(serverFinal.substring(2)));
    }

    /** Hi(str, salt, i) of RFC 5802: PBKDF2 with HMAC-SHA-256 and one block of output. */
    private static byte[] hi(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
