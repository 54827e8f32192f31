package io.corvid.broker.cli.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordHashTest {
    /** The shape of a line mosquitto_passwd 2.0 writes by default. */
    static final Pattern MOSQUITTO_7 = Pattern.compile("\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");

    // Written by mosquitto_passwd 2.0.11: -b FILE alice secret, -H sha512 -b FILE bob hunter2,
    // -b FILE 'carol smith' 'pässwörd'.
    static final String ALICE = "$7$101$N6FMV8B/7SzDFWC7$ghqPJ4mZEPy99OFFsY+v6XphCgCBTjJ63GzLcRE1lVueNV8dDo0tPXJQh1WQRWBcYl2mxO7ykmdKPGSa/aPQqw==";
    static final String BOB = "$6$uWQLZ2so+i6bGGqz$CCV8Ae4Mt1hH7geSs+YOP3rewhx+zHvZIlexZAsIChRSXXR9zJG6RP7e9HS4O0lho2gv5r7CUPL7XhK0fwlSiw==";
    static final String CAROL = "$7$101$fzzDltN3j1CU0Aww$YpXsDx4jlhE+eNMFEFNz9UmyJpeGq140C9z8WirkxBl5iWh+sXPsK4/Lx+X8IIbr9Zv7951xpwCPdfu5/wp9sg==";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        ALICE + "|secret|true",
        ALICE + "|Secret|false",
        ALICE + "|'secret '|false",
        ALICE + "|''|false",
        BOB + "|hunter2|true",
        BOB + "|hunter3|false",
        CAROL + "|pässwörd|true",
        CAROL + "|passwort|false",
    })
    void checksHashesWrittenByMosquittoPasswd(String encoded, String password, boolean expected) {
        assertEquals(expected, PasswordHash.parse(encoded).matches(password.getBytes(UTF_8)));
    }

    @Test
    void readsTheAlgorithmAndIterations() {
        assertEquals(PasswordHash.Algorithm.PBKDF2_SHA512, PasswordHash.parse(ALICE).algorithm());
        assertEquals(101, PasswordHash.parse(ALICE).iterations());
        assertEquals(PasswordHash.Algorithm.SHA512, PasswordHash.parse(BOB).algorithm());
    }

    @Test
    void encodesWhatItParsed() {
        assertEquals(ALICE, PasswordHash.parse(ALICE).encode());
        assertEquals(BOB, PasswordHash.parse(BOB).encode());
    }

    @Test
    void createsMosquittoStyleHashesWithFreshSalt() {
        PasswordHash first = PasswordHash.create("pw".getBytes(UTF_8));
        PasswordHash second = PasswordHash.create("pw".getBytes(UTF_8));
        assertTrue(MOSQUITTO_7.matcher(first.encode()).matches(), first.encode());
        assertNotEquals(first.encode(), second.encode());
        PasswordHash reread = PasswordHash.parse(first.encode());
        assertTrue(reread.matches("pw".getBytes(UTF_8)));
        assertFalse(reread.matches("pW".getBytes(UTF_8)));
    }

    @Test
    void anEmptyOrBinaryPasswordCanBeHashedAndChecked() {
        assertTrue(PasswordHash.create(new byte[0]).matches(new byte[0]));
        byte[] binary = {(byte) 0xff, 0, (byte) 0xc3, 0x28};
        PasswordHash hash = PasswordHash.create(binary);
        assertTrue(hash.matches(binary));
        assertFalse(hash.matches(new byte[] {(byte) 0xff}));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "secret|not a hashed password",
        "$5$abc$def|unknown hash type",
        "$7$101$N6FMV8B/7SzDFWC7|$7$<iterations>$<salt>$<hash>",
        "$7$0$N6FMV8B/7SzDFWC7$ghqPJ4mZEPy99OFFsY+v6XphCgCBTjJ63GzLcRE1lVueNV8dDo0tPXJQh1WQRWBcYl2mxO7ykmdKPGSa/aPQqw==|between 1 and",
        "$7$abc$N6FMV8B/7SzDFWC7$ghqPJ4mZEPy99OFFsY+v6XphCgCBTjJ63GzLcRE1lVueNV8dDo0tPXJQh1WQRWBcYl2mxO7ykmdKPGSa/aPQqw==|not a number",
        "$7$99999999999$N6FMV8B/7SzDFWC7$ghqPJ4mZEPy99OFFsY+v6XphCgCBTjJ63GzLcRE1lVueNV8dDo0tPXJQh1WQRWBcYl2mxO7ykmdKPGSa/aPQqw==|not a number",
        "$7$101$N6FMV8B/7SzD$ghqPJ4mZEPy99OFFsY+v6XphCgCBTjJ63GzLcRE1lVueNV8dDo0tPXJQh1WQRWBcYl2mxO7ykmdKPGSa/aPQqw==|salt must be 12 bytes",
        "$7$101$N6FMV8B/7SzDFWC7$ghqPJ4mZEPy99OFF|hash must be 64 bytes",
        "$7$101$N6FMV8B*7SzDFWC7$ghqPJ4mZEPy99OFFsY+v6XphCgCBTjJ63GzLcRE1lVueNV8dDo0tPXJQh1WQRWBcYl2mxO7ykmdKPGSa/aPQqw==|salt is not valid Base64",
        "$6$uWQLZ2so+i6bGGqz|$6$<salt>$<hash>",
        "$6$uWQLZ2so+i6bGGqz$CCV8Ae4Mt1hH7geSs+YOP3rewhx+zHvZIlexZAsIChRSXXR9zJG6RP7e9HS4O0lho2gv5r7CUPL7XhK0fwlSiw==$x|$6$<salt>$<hash>",
    })
    void refusesMalformedHashesWithoutRepeatingThem(String encoded, String expectedProblem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(encoded));
        assertTrue(e.getMessage().contains(expectedProblem), e.getMessage());
        for (String part : encoded.split("\\$")) {
            if (part.length() > 8) {
                assertFalse(e.getMessage().contains(part), e.getMessage());
            }
        }
    }

    @Test
    void toStringHidesTheHash() {
        assertFalse(PasswordHash.parse(ALICE).toString().contains("N6FMV8B"));
    }
}
