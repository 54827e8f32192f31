package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceAddressesTest {

    private static List<String> parse(String text) {
        return SourceAddresses.parse(text).stream().map(InetAddress::getHostAddress).toList();
    }

    @Test
    void rangeIsInclusive() {
        assertEquals(List.of("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6",
                "127.0.0.7", "127.0.0.8"), parse("127.0.0.1-127.0.0.8"));
    }

    @Test
    void rangeCrossesOctets() {
        assertEquals(List.of("127.0.0.254", "127.0.0.255", "127.0.1.0", "127.0.1.1"),
                parse("127.0.0.254-127.0.1.1"));
    }

    @Test
    void listsAndSingleAddressesMix() {
        assertEquals(List.of("127.0.0.1", "127.0.0.5", "127.0.0.6", "10.1.2.3"),
                parse(" 127.0.0.1, 127.0.0.5-127.0.0.6 ,10.1.2.3"));
        assertEquals(List.of("127.0.0.9"), parse("127.0.0.9-127.0.0.9"));
    }

    @Test
    void emptyMeansLetTheSystemChoose() {
        assertTrue(parse("").isEmpty());
        assertTrue(parse(null).isEmpty());
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> parse("127.0.0.8-127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> parse("127.0.0"));
        assertThrows(IllegalArgumentException.class, () -> parse("127.0.0.256"));
        assertThrows(IllegalArgumentException.class, () -> parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> parse("127.0.0.-1"));
        assertThrows(IllegalArgumentException.class, () -> parse("10.0.0.0-10.255.255.255"));
    }
}
