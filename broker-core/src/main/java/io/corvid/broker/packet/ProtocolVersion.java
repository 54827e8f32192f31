package io.corvid.broker.packet;

/**
 * The MQTT protocol versions Corvid speaks, identified on the wire by the protocol name and
 * protocol level of CONNECT.
 */
public enum ProtocolVersion {
    /** MQTT 3.1, protocol name "MQIsdp", level 3. */
    MQTT_3_1("MQIsdp", 3),
    /** MQTT 3.1.1, protocol name "MQTT", level 4. */
    MQTT_3_1_1("MQTT", 4),
    /** MQTT 5.0, protocol name "MQTT", level 5. */
    MQTT_5("MQTT", 5);

    private final String protocolName;
    private final int level;

    ProtocolVersion(String protocolName, int level) {
        this.protocolName = protocolName;
        this.level = level;
    }

    /** The protocol name carried in CONNECT. */
    public String protocolName() {
        return protocolName;
    }

    /** The protocol level byte carried in CONNECT. */
    public int level() {
        return level;
    }

    /** True for MQTT 5.0, the only version with properties and reason codes on every ack. */
    public boolean isV5() {
        return this == MQTT_5;
    }

    /**
     * The version named by a CONNECT's protocol name and level, or {@code null} when the
     * pair names no version Corvid supports.
     */
    public static ProtocolVersion of(String protocolName, int level) {
        for (ProtocolVersion version : values()) {
            if (version.level == level && version.protocolName.equals(protocolName)) {
                return version;
            }
        }
        return null;
    }
}
