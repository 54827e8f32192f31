package io.corvid.broker.packet;

import java.util.Arrays;
import java.util.Objects;

/**
 * CONNECT: the first packet a client sends.
 *
 * @param protocolVersion the version named by protocol name and level
 * @param clientId        the client identifier, possibly empty
 * @param cleanStart      Clean Session (3.1.1) or Clean Start (5.0)
 * @param keepAlive       keep alive in seconds, 0 to 65,535; 0 disables it
 * @param username        the user name, or {@code null} when absent
 * @param password        the password, or {@code null} when absent; must not be modified
 * @param will            the will message, or {@code null} when absent
 * @param properties      CONNECT properties (MQTT 5.0)
 */
public record Connect(ProtocolVersion protocolVersion, String clientId, boolean cleanStart,
                      int keepAlive, String username, byte[] password, Will will,
                      Properties properties) implements MqttPacket {
    public Connect {
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(properties, "properties");
        if (keepAlive < 0 || keepAlive > 0xFFFF) {
            throw new IllegalArgumentException("keep alive must be 0..65535: " + keepAlive);
        }
    }

    @Override
    public PacketType type() {
        return PacketType.CONNECT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Connect other
                && protocolVersion == other.protocolVersion
                && clientId.equals(other.clientId)
                && cleanStart == other.cleanStart
                && keepAlive == other.keepAlive
                && Objects.equals(username, other.username)
                && Arrays.equals(password, other.password)
                && Objects.equals(will, other.will)
                && properties.equals(other.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocolVersion, clientId, cleanStart, keepAlive, username,
                Arrays.hashCode(password), will, properties);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "Connect[" + protocolVersion + ", clientId=" + clientId + ", cleanStart=" + cleanStart
                + ", keepAlive=" + keepAlive + ", username=" + username
                + ", password=" + (password == null ? "none" : "***") + ", will=" + will
                + ", properties=" + properties + "]";
    }
}
