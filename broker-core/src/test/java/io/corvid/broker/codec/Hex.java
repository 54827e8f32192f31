package io.corvid.broker.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Annotated hex, the notation of {@link PacketCatalogue}: byte values as two hex digits,
 * {@code "text"} for the UTF-8 bytes of a text, {@code XX*N} for byte XX repeated N times
 * (N decimal), and {@code #} to the end of the line for a comment. Whitespace separates tokens.
 *
 * <pre>
 * 30 07          # PUBLISH QoS 0, remaining length 7
 * 00 03 "a/b"    # topic name
 * "hi"           # payload
 * </pre>
 */
public final class Hex {
    private Hex() {
    }

    /** Parses annotated hex; throws IllegalArgumentException on a token it does not understand. */
    public static byte[] parse(String annotated) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        int n = annotated.length();
        while (i < n) {
            char c = annotated.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < n && annotated.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"') {
                int close = annotated.indexOf('"', i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("unterminated text at " + i + " in: " + annotated);
                }
                out.writeBytes(annotated.substring(i + 1, close).getBytes(StandardCharsets.UTF_8));
                i = close + 1;
            } else {
                int end = i;
                while (end < n && !Character.isWhitespace(annotated.charAt(end))) {
                    end++;
                }
                writeToken(out, annotated.substring(i, end), annotated);
                i = end;
            }
        }
        return out.toByteArray();
    }

    private static void writeToken(ByteArrayOutputStream out, String token, String context) {
        String hexPart = token;
        int count = 1;
        int star = token.indexOf('*');
        if (star >= 0) {
            hexPart = token.substring(0, star);
            count = Integer.parseInt(token.substring(star + 1));
        }
        if (hexPart.length() != 2) {
            throw new IllegalArgumentException("not a hex byte: '" + token + "' in: " + context);
        }
        int value = Integer.parseInt(hexPart, 16);
        for (int k = 0; k < count; k++) {
            out.write(value);
        }
    }

    /** Plain space-separated hex, for failure messages. Long arrays are cut after 64 bytes. */
    public static String format(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        int shown = Math.min(bytes.length, 64);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(String.format("%02X", bytes[i] & 0xFF));
        }
        if (shown < bytes.length) {
            text.append(" ... (").append(bytes.length).append(" bytes)");
        }
        return text.toString();
    }
}
