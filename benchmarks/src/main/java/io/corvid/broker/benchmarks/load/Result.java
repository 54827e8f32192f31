package io.corvid.broker.benchmarks.load;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** One machine-readable result line: {@code RESULT key=value key=value ...}, in insertion order. */
public final class Result {
    private final Map<String, String> values = new LinkedHashMap<>();

    /** Adds a value; text must not contain spaces. */
    public Result put(String key, Object value) {
        String text = String.valueOf(value);
        if (text.isEmpty() || text.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("value of " + key + " must be one word: '" + text + "'");
        }
        values.put(key, text);
        return this;
    }

    /** Adds a decimal number rounded to {@code decimals} places. */
    public Result put(String key, double value, int decimals) {
        return put(key, String.format(Locale.ROOT, "%." + decimals + "f", value));
    }

    /** A value added before, or null. */
    public String get(String key) {
        return values.get(key);
    }

    /** The line. */
    public String line() {
        StringBuilder line = new StringBuilder("RESULT");
        values.forEach((key, value) -> line.append(' ').append(key).append('=').append(value));
        return line.toString();
    }

    @Override
    public String toString() {
        return line();
    }
}
