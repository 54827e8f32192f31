package io.corvid.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretMaskingTest {
    @Test
    void secretsAreMaskedByKeyNestedOnesToo() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("port", 1883);
        config.put("key-store-psw", "changeit");
        config.put("admin-token", "s3cret");
        config.put("adminToken", "s3cret");
        config.put("client_secret", "x");
        config.put("trustStorePassword", "changeit");
        config.put("key-password", "changeit");
        config.put("unset-password", null);
        config.put("password-file", "/etc/corvid/passwd");
        config.put("admin-token-file", "/etc/corvid/admin.token");
        config.put("bridges", List.of(Map.of("name", "up", "password", "p")));
        Map<String, Object> masked = SecretMasking.mask(config);
        assertEquals(1883, masked.get("port"));
        for (String secret : List.of("key-store-psw", "admin-token", "adminToken", "client_secret",
                "trustStorePassword", "key-password")) {
            assertEquals(SecretMasking.MASK, masked.get(secret), secret);
        }
        assertEquals(null, masked.get("unset-password"), "an absent secret stays visibly absent");
        assertEquals("/etc/corvid/passwd", masked.get("password-file"), "where a secret is kept is not the secret");
        assertEquals("/etc/corvid/admin.token", masked.get("admin-token-file"));
        assertEquals(List.of(Map.of("name", "up", "password", SecretMasking.MASK)), masked.get("bridges"));
    }
}
