package io.corvid.broker.it;

import org.eclipse.paho.client.mqttv3.MqttConnectOptions;

/** The Java client libraries (and protocol versions) the tests drive the broker with. */
public enum Library {
    PAHO_V3_1("Paho v3, MQTT 3.1"),
    PAHO_V3("Paho v3, MQTT 3.1.1"),
    PAHO_V5("Paho v5, MQTT 5.0"),
    HIVEMQ_V3("HiveMQ, MQTT 3.1.1"),
    HIVEMQ_V5("HiveMQ, MQTT 5.0");

    private final String description;

    Library(String description) {
        this.description = description;
    }

    /**
     * Connects a client.
     *
     * @param persistent clean session 0 (3.x), or clean start 0 with a session expiry of five
     *                   minutes (5.0)
     */
    public MqttTestClient connect(TestBroker broker, String clientId, boolean persistent) {
        return switch (this) {
            case PAHO_V3_1, PAHO_V3 -> PahoV3Client.create(broker, clientId).connect(options -> {
                options.setMqttVersion(this == PAHO_V3_1 ? MqttConnectOptions.MQTT_VERSION_3_1 : MqttConnectOptions.MQTT_VERSION_3_1_1);
                options.setCleanSession(!persistent);
            });
            case PAHO_V5 -> PahoV5Client.create(broker, clientId).connect(options -> {
                options.setCleanStart(!persistent);
                options.setSessionExpiryInterval(persistent ? 300L : 0L);
            });
            case HIVEMQ_V3 -> HiveMqV3Client.connect(broker, clientId, builder -> builder.cleanSession(!persistent));
            case HIVEMQ_V5 -> HiveMqV5Client.connect(broker, clientId,
                    builder -> builder.cleanStart(!persistent).sessionExpiryInterval(persistent ? 300 : 0));
        };
    }

    /** Connects a client with a clean, non-persistent session. */
    public MqttTestClient connect(TestBroker broker, String clientId) {
        return connect(broker, clientId, false);
    }

    @Override
    public String toString() {
        return description;
    }
}
