package io.corvid.broker.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 as MQTT wants it (specification 1.5.4): well formed per RFC 3629, no encoded
 * surrogates, no overlong forms, nothing above U+10FFFF, and no U+0000.
 */
public final class MqttUtf8 {
    private MqttUtf8() {
    }

    /**
     * Checks {@code length} bytes of {@code bytes} from {@code offset}. Returns {@code null} if
     * they are acceptable MQTT UTF-8, or a short description of the first problem.
     */
    public static String validate(byte[] bytes, int offset, int length) {
        return validate(bytes, offset, length, false);
    }

    /**
     * Like {@link #validate(byte[], int, int)}; {@code allowNull} accepts U+0000, as payloads
     * marked as UTF-8 character data may hold it (only UTF-8 Encoded Strings may not).
     */
    public static String validate(byte[] bytes, int offset, int length, boolean allowNull) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                if (b == 0 && !allowNull) {
                    return "U+0000 in a UTF-8 string";
                }
                i++;
                continue;
            }
            int needed;
            int min;
            int codePoint;
            if ((b & 0xE0) == 0xC0) {
                needed = 1;
                min = 0x80;
                codePoint = b & 0x1F;
            } else if ((b & 0xF0) == 0xE0) {
                needed = 2;
                min = 0x800;
                codePoint = b & 0x0F;
            } else if ((b & 0xF8) == 0xF0) {
                needed = 3;
                min = 0x10000;
                codePoint = b & 0x07;
            } else {
                return "invalid UTF-8 lead byte 0x" + Integer.toHexString(b);
            }
            if (i + needed >= end) {
                return "truncated UTF-8 sequence";
            }
            for (int k = 1; k <= needed; k++) {
                int next = bytes[i + k] & 0xFF;
                if ((next & 0xC0) != 0x80) {
                    return "invalid UTF-8 continuation byte 0x" + Integer.toHexString(next);
                }
                codePoint = (codePoint << 6) | (next & 0x3F);
            }
            if (codePoint < min) {
                return "overlong UTF-8 encoding";
            }
            if (codePoint >= 0xD800 && codePoint <= 0xDFFF) {
                return "UTF-16 surrogate encoded in UTF-8";
            }
            if (codePoint > 0x10FFFF) {
                return "code point above U+10FFFF";
            }
            i += needed + 1;
        }
        return null;
    }

    /**
     * The number of bytes the MQTT UTF-8 encoding of {@code text} takes.
     *
     * @throws IllegalArgumentException if the text holds U+0000 or an unpaired surrogate,
     *                                  which MQTT UTF-8 cannot carry
     */
    public static int encodedLength(String text) {
        int length = text.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if (c == 0) {
                    throw new IllegalArgumentException("U+0000 cannot be sent in an MQTT string");
                }
            } else if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= length || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    throw new IllegalArgumentException("unpaired surrogate in an MQTT string");
                }
                bytes += 2; // four bytes for two chars
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("unpaired surrogate in an MQTT string");
            } else {
                bytes += 2;
            }
        }
        return bytes;
    }

    /** Writes the UTF-8 form of {@code text}, which {@link #encodedLength} has accepted. */
    public static void write(ByteBuffer out, String text) {
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out.put((byte) c);
            } else if (c < 0x800) {
                out.put((byte) (0xC0 | (c >> 6)));
                out.put((byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c)) {
                int codePoint = Character.toCodePoint(c, text.charAt(++i));
                out.put((byte) (0xF0 | (codePoint >> 18)));
                out.put((byte) (0x80 | ((codePoint >> 12) & 0x3F)));
                out.put((byte) (0x80 | ((codePoint >> 6) & 0x3F)));
                out.put((byte) (0x80 | (codePoint & 0x3F)));
            } else {
                out.put((byte) (0xE0 | (c >> 12)));
                out.put((byte) (0x80 | ((c >> 6) & 0x3F)));
                out.put((byte) (0x80 | (c & 0x3F)));
            }
        }
    }

    /**
     * Whether a whole payload is well-formed UTF-8 character data, as a Payload Format
     * Indicator of 1 promises.
     */
    public static boolean isValidPayload(byte[] bytes) {
        return validate(bytes, 0, bytes.length, true) == null;
    }

    /** Decodes bytes that {@link #validate} accepted. */
    static String decodeValidated(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
