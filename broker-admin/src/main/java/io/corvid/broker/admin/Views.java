package io.corvid.broker.admin;

import io.corvid.broker.packet.ProtocolVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;

/** How common values read in JSON. */
final class Views {
    private Views() {
    }

    /** {@code 192.0.2.7:51234}, {@code [2001:db8::1]:51234}, or the socket's own text (Unix sockets); {@code null} stays. */
    static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return address == null ? null : address.toString();
    }

    /** {@code MQTT 3.1}, {@code MQTT 3.1.1} or {@code MQTT 5.0}. */
    static String protocol(ProtocolVersion version) {
        return switch (version) {
            case MQTT_3_1 -> "MQTT 3.1";
            case MQTT_3_1_1 -> "MQTT 3.1.1";
            case MQTT_5 -> "MQTT 5.0";
        };
    }

    /** Milliseconds since the epoch as ISO-8601 UTC, such as {@code 2026-01-05T10:15:30.120Z}. */
    static String instant(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
