package io.corvid.broker.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Hides secrets in the configuration that {@code /api/v1/config} shows. The caller is expected
 * to mask them already; this is the second line, by key name, so that a secret added to the
 * configuration later is not published by the first caller who forgets.
 */
final class SecretMasking {
    /** What a masked value reads as. */
    static final String MASK = "********";
    /** Key fragments that mark a secret ({@code psw} is the launcher's spelling: {@code key-store-psw}). */
    private static final List<String> SECRET_WORDS = List.of("password", "passwd", "psw", "token", "secret",
            "credential", "private-key");

    private SecretMasking() {
    }

    /** A copy of {@code config} with the values of secret keys masked, nested maps and lists included. */
    static Map<String, Object> mask(Map<String, ?> config) {
        Map<String, Object> masked = new LinkedHashMap<>();
        config.forEach((key, value) -> masked.put(key,
                isSecret(key) && value != null ? MASK : maskValue(value)));
        return masked;
    }

    private static Object maskValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> stringKeys = new LinkedHashMap<>();
            map.forEach((key, item) -> stringKeys.put(String.valueOf(key), item));
            return mask(stringKeys);
        }
        if (value instanceof List<?> list) {
            List<Object> items = new ArrayList<>();
            list.forEach(item -> items.add(maskValue(item)));
            return items;
        }
        return value;
    }

    /**
     * Whether {@code key} names a secret. A key that names where a secret is kept
     * ({@code admin-token-file}, {@code password-file}) is a path, not the secret, and is shown.
     */
    static boolean isSecret(String key) {
        String name = key.toLowerCase(Locale.ROOT).replace('_', '-');
        if (name.endsWith("file") || name.endsWith("path") || name.endsWith("dir")) {
            return false;
        }
        String compact = name.replace("-", "");
        return SECRET_WORDS.stream().anyMatch(word -> name.contains(word) || compact.contains(word.replace("-", "")));
    }
}
