package io.corvid.broker.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT UTF-8 (5.0 section 1.5.4, 3.1.1 section 1.5.3): well-formed per RFC 3629, no U+0000, no
 * encoded surrogates, no overlong forms, nothing above U+10FFFF.
 */
class MqttUtf8Test {

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(strings = {"0001", "007F", "0080", "07FF", "0800", "D7FF", "E000", "FEFF", "FFFD", "FFFF",
        "10000", "2A6D4", "10FFFF"})
    void acceptsEveryEncodingLengthAtItsBoundaries(String hexCodePoint) {
        String text = new String(Character.toChars(Integer.parseInt(hexCodePoint, 16)));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertNull(MqttUtf8.validate(bytes, 0, bytes.length));
        assertEquals(text, MqttUtf8.decodeValidated(bytes, 0, bytes.length));
        assertEquals(bytes.length, MqttUtf8.encodedLength(text));
    }

    @Test
    void keepsAByteOrderMarkAsACharacter() {
        // 1.5.4: 0xEF 0xBB 0xBF is always U+FEFF and must not be skipped or stripped.
        byte[] bytes = Hex.parse("EF BB BF 41");
        assertNull(MqttUtf8.validate(bytes, 0, bytes.length));
        assertEquals("\uFEFFA", MqttUtf8.decodeValidated(bytes, 0, bytes.length));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "U+0000,                         00",
        "U+0000 inside text,             61 00 62",
        "overlong U+0000,                C0 80",
        "overlong two-byte,              C1 BF",
        "overlong three-byte,            E0 80 80",
        "overlong three-byte U+07FF,     E0 9F BF",
        "overlong four-byte,             F0 80 80 80",
        "overlong four-byte U+FFFF,      F0 8F BF BF",
        "high surrogate,                 ED A0 80",
        "low surrogate,                  ED BF BF",
        "surrogate pair as CESU-8,       ED A0 80 ED B0 80",
        "above U+10FFFF,                 F4 90 80 80",
        "lead byte F5,                   F5 80 80 80",
        "lead byte F8,                   F8 88 80 80 80",
        "lead byte FE,                   FE",
        "lead byte FF,                   FF",
        "lone continuation 80,           80",
        "lone continuation BF,           BF",
        "truncated two-byte,             C2",
        "truncated three-byte,           E2 82",
        "truncated four-byte,            F0 9F 98",
        "missing continuation,           C2 41",
        "bad second of three,            E2 28 A1",
        "bad third of four,              F0 9F 28 80",
    })
    void refusesWhatMqttForbids(String what, String hex) {
        byte[] bytes = Hex.parse(hex);
        assertNotNull(MqttUtf8.validate(bytes, 0, bytes.length), what);
    }

    @Test
    void checksOnlyTheGivenRange() {
        byte[] bytes = Hex.parse("FF 61 62 FF");
        assertNull(MqttUtf8.validate(bytes, 1, 2));
        assertNotNull(MqttUtf8.validate(bytes, 0, 2));
        // A sequence cut by the end of the range is truncated even if the array goes on.
        byte[] euro = Hex.parse("E2 82 AC");
        assertNull(MqttUtf8.validate(euro, 0, 3));
        assertNotNull(MqttUtf8.validate(euro, 0, 2));
    }

    @Test
    void allowsU0000OnlyWhenAskedForPayloads() {
        byte[] bytes = Hex.parse("61 00 62");
        assertNotNull(MqttUtf8.validate(bytes, 0, 3, false));
        assertNull(MqttUtf8.validate(bytes, 0, 3, true));
        assertTrue(MqttUtf8.isValidPayload(bytes));
        assertTrue(MqttUtf8.isValidPayload(new byte[0]));
        assertFalse(MqttUtf8.isValidPayload(Hex.parse("ED A0 80")), "other rules still apply to payloads");
        assertFalse(MqttUtf8.isValidPayload(Hex.parse("C0 80")));
    }

    /** Every code point a Java string can hold as valid UTF-16: accepted, sized and written exactly as the JDK does. */
    @Test
    void acceptsSizesAndWritesEveryValidCodePoint() {
        ByteBuffer out = ByteBuffer.allocate(4);
        for (int codePoint = 1; codePoint <= Character.MAX_CODE_POINT; codePoint++) {
            if (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE) {
                continue;
            }
            String text = new String(Character.toChars(codePoint));
            byte[] expected = text.getBytes(StandardCharsets.UTF_8);
            if (MqttUtf8.validate(expected, 0, expected.length) != null) {
                throw new AssertionError("refused U+" + Integer.toHexString(codePoint));
            }
            if (MqttUtf8.encodedLength(text) != expected.length) {
                throw new AssertionError("wrong size for U+" + Integer.toHexString(codePoint));
            }
            out.clear();
            MqttUtf8.write(out, text);
            if (out.position() != expected.length || !Arrays.equals(expected, 0, expected.length, out.array(), 0,
                    expected.length)) {
                throw new AssertionError("wrong bytes for U+" + Integer.toHexString(codePoint));
            }
        }
    }

    /**
     * Against a reference: the JDK's strict UTF-8 decoder, which refuses the same ill-formed
     * input RFC 3629 does; MQTT additionally refuses U+0000. Every one- and two-byte input,
     * and random longer ones.
     */
    @Test
    void agreesWithAStrictReferenceDecoder() {
        for (int first = 0; first < 256; first++) {
            checkAgainstReference(new byte[] {(byte) first});
            for (int second = 0; second < 256; second++) {
                checkAgainstReference(new byte[] {(byte) first, (byte) second});
            }
        }
        Random random = new Random(7);
        for (int i = 0; i < 300_000; i++) {
            byte[] bytes = new byte[3 + random.nextInt(6)];
            random.nextBytes(bytes);
            // Bias towards lead bytes of longer sequences, where the subtle cases are.
            bytes[0] = (byte) (0xE0 + random.nextInt(0x20));
            for (int k = 1; k < bytes.length; k++) {
                if (random.nextInt(4) != 0) {
                    bytes[k] = (byte) (0x80 | (bytes[k] & 0x3F));
                }
            }
            checkAgainstReference(bytes);
        }
    }

    private static final CharsetDecoder REFERENCE = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    private static void checkAgainstReference(byte[] bytes) {
        boolean referenceAccepts;
        try {
            CharBuffer chars = REFERENCE.decode(ByteBuffer.wrap(bytes));
            referenceAccepts = chars.chars().noneMatch(c -> c == 0);
        } catch (CharacterCodingException e) {
            referenceAccepts = false;
        }
        String problem = MqttUtf8.validate(bytes, 0, bytes.length);
        if (referenceAccepts != (problem == null)) {
            throw new AssertionError(Hex.format(bytes) + ": reference " + (referenceAccepts ? "accepts" : "refuses")
                    + ", MqttUtf8 says " + problem);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "a\u0000", "\uD800", "a\uD800", "\uDC00", "\uDC00\uD800", "\uD800a"})
    void refusesToEncodeWhatMqttCannotCarry(String text) {
        assertThrows(IllegalArgumentException.class, () -> MqttUtf8.encodedLength(text));
    }

    @Test
    void writesTheSpecificationExample() {
        // 1.5.4 (5.0) / 1.5.3 (3.1.1): "A" followed by U+2A6D4 is 41 F0 AA 9B 94.
        String text = "A" + new String(Character.toChars(0x2A6D4));
        ByteBuffer out = ByteBuffer.allocate(5);
        MqttUtf8.write(out, text);
        assertArrayEquals(Hex.parse("41 F0 AA 9B 94"), out.array());
        assertEquals(5, MqttUtf8.encodedLength(text));
    }
}
