package io.corvid.broker.auth;

/** The SCRAM variants Corvid implements (RFC 5802 with the hash functions of RFC 7677 and RFC 7804 practice). */
public enum ScramMechanism {
    /** SCRAM-SHA-256, RFC 7677. */
    SHA_256("SCRAM-SHA-256", "SHA-256", "HmacSHA256", "PBKDF2WithHmacSHA256", 32),
    /** SCRAM-SHA-512. */
    SHA_512("SCRAM-SHA-512", "SHA-512", "HmacSHA512", "PBKDF2WithHmacSHA512", 64);

    private final String methodName;
    private final String digest;
    private final String hmac;
    private final String pbkdf2;
    private final int keyLength;

    ScramMechanism(String methodName, String digest, String hmac, String pbkdf2, int keyLength) {
        this.methodName = methodName;
        this.digest = digest;
        this.hmac = hmac;
        this.pbkdf2 = pbkdf2;
        this.keyLength = keyLength;
    }

    /** The MQTT Authentication Method name, such as "SCRAM-SHA-256". */
    public String methodName() {
        return methodName;
    }

    String digestAlgorithm() {
        return digest;
    }

    String hmacAlgorithm() {
        return hmac;
    }

    String pbkdf2Algorithm() {
        return pbkdf2;
    }

    /** The length in bytes of the hash, and of the keys derived from it. */
    int keyLength() {
        return keyLength;
    }
}
