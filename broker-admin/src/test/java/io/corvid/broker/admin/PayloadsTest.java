package io.corvid.broker.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadsTest {
    @Test
    void utf8PayloadsAreShownAsText() {
        assertEquals(new Payloads.Encoded("utf-8", "21.5 °C"), Payloads.encode("21.5 °C".getBytes(StandardCharsets.UTF_8)));
        assertEquals(new Payloads.Encoded("utf-8", ""), Payloads.encode(new byte[0]));
    }

    @Test
    void otherPayloadsAreShownAsBase64() {
        assertEquals(new Payloads.Encoded("base64", "/wAB"), Payloads.encode(new byte[] {(byte) 0xFF, 0, 1}));
    }

    @Test
    void requestPayloadsAreDecodedByTheirEncoding() {
        assertArrayEquals("hé".getBytes(StandardCharsets.UTF_8), Payloads.decode("hé", null));
        assertArrayEquals("hé".getBytes(StandardCharsets.UTF_8), Payloads.decode("hé", "UTF-8"));
        assertArrayEquals(new byte[] {(byte) 0xFF, 0, 1}, Payloads.decode("/wAB", "base64"));
        assertArrayEquals(new byte[0], Payloads.decode(null, "base64"));
    }

    @Test
    void badEncodingsAreABadRequest() {
        assertThrows(ApiException.class, () -> Payloads.decode("abc", "hex"));
        assertThrows(ApiException.class, () -> Payloads.decode("not base64!", "base64"));
    }
}
