package io.corvid.broker.admin;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Message payloads in JSON: as text when they are UTF-8, in base64 otherwise, always with the
 * encoding named so that a reader never has to guess.
 */
final class Payloads {
    /** The encoding of a payload given as text. */
    static final String UTF_8 = "utf-8";
    /** The encoding of a payload given as base64 (RFC 4648, with padding). */
    static final String BASE64 = "base64";

    /**
     * A payload as JSON shows it.
     *
     * @param encoding {@link #UTF_8} or {@link #BASE64}
     * @param text     the payload in that encoding
     */
    record Encoded(String encoding, String text) {
    }

    private Payloads() {
    }

    /** {@code payload} as text when it is valid UTF-8, else as base64. */
    static Encoded encode(byte[] payload) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload)).toString();
            return new Encoded(UTF_8, text);
        } catch (CharacterCodingException e) {
            return new Encoded(BASE64, Base64.getEncoder().encodeToString(payload));
        }
    }

    /**
     * The bytes of a payload given in a request.
     *
     * @param text     the payload; {@code null} for an empty one
     * @param encoding {@link #UTF_8} (also when {@code null}) or {@link #BASE64}, in any case
     * @throws ApiException 400 for another encoding or text that is not base64
     */
    static byte[] decode(String text, String encoding) {
        if (text == null) {
            return new byte[0];
        }
        String name = encoding == null ? UTF_8 : encoding.strip().toLowerCase(Locale.ROOT);
        if (name.equals(UTF_8) || name.equals("utf8")) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (name.equals(BASE64)) {
            try {
                return Base64.getDecoder().decode(text.strip());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("payload is not base64: " + e.getMessage());
            }
        }
        throw ApiException.badRequest("encoding must be '" + UTF_8 + "' or '" + BASE64 + "', not '" + encoding + "'");
    }
}
