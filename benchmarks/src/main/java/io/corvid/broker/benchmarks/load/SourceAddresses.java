package io.corvid.broker.benchmarks.load;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the local addresses to open connections from: a comma-separated list of IPv4 addresses
 * and inclusive ranges, e.g. {@code 127.0.0.1-127.0.0.8} or {@code 127.0.0.1,127.0.0.5-127.0.0.6}.
 * Each local address has its own ~28,000 ephemeral ports towards one broker port; on Linux all of
 * 127.0.0.0/8 is loopback, so a range of them passes that limit.
 */
public final class SourceAddresses {
    /** More than this many addresses is surely a typo. */
    static final int MAX_ADDRESSES = 65536;

    private SourceAddresses() {
    }

    /** The addresses, in order; empty for an empty or blank text. */
    public static List<InetAddress> parse(String text) {
        List<InetAddress> addresses = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return addresses;
        }
        for (String part : text.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) {
                continue;
            }
            int dash = item.indexOf('-');
            if (dash < 0) {
                addresses.add(toAddress(toInt(item)));
                continue;
            }
            long first = toInt(item.substring(0, dash).trim()) & 0xFFFF_FFFFL;
            long last = toInt(item.substring(dash + 1).trim()) & 0xFFFF_FFFFL;
            if (last < first) {
                throw new IllegalArgumentException("address range runs backwards: " + item);
            }
            if (last - first + 1 + addresses.size() > MAX_ADDRESSES) {
                throw new IllegalArgumentException("more than " + MAX_ADDRESSES + " source addresses: " + item);
            }
            for (long value = first; value <= last; value++) {
                addresses.add(toAddress((int) value));
            }
        }
        return addresses;
    }

    private static int toInt(String dotted) {
        String[] octets = dotted.split("\\.", -1);
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
        }
        int value = 0;
        for (String octet : octets) {
            int number;
            try {
                number = Integer.parseInt(octet);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'", e);
            }
            if (number < 0 || number > 255 || octet.isEmpty() || octet.startsWith("+")) {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
            }
            value = value << 8 | number;
        }
        return value;
    }

    private static InetAddress toAddress(int value) {
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // never for four bytes
        }
    }
}
