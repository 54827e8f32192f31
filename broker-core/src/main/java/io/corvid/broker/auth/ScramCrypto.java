package io.corvid.broker.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.spec.KeySpec;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** The SCRAM primitives of RFC 5802 section 3, over the JDK's providers. */
final class ScramCrypto {
    private ScramCrypto() {
    }

    /** Hi(password, salt, i): PBKDF2 with the mechanism's HMAC. */
    static byte[] saltedPassword(ScramMechanism mechanism, String password, byte[] salt, int iterations) {
        try {
            KeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, mechanism.keyLength() * 8);
            return SecretKeyFactory.getInstance(mechanism.pbkdf2Algorithm()).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(mechanism.pbkdf2Algorithm() + " is not available", e);
        }
    }

    static byte[] hmac(ScramMechanism mechanism, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(mechanism.hmacAlgorithm());
            mac.init(new SecretKeySpec(key, mechanism.hmacAlgorithm()));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(mechanism.hmacAlgorithm() + " is not available", e);
        }
    }

    static byte[] hash(ScramMechanism mechanism, byte[] data) {
        try {
            return MessageDigest.getInstance(mechanism.digestAlgorithm()).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(mechanism.digestAlgorithm() + " is not available", e);
        }
    }

    static byte[] xor(byte[] a, byte[] b) {
        byte[] result = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            result[i] = (byte) (a[i] ^ b[i]);
        }
        return result;
    }
}
