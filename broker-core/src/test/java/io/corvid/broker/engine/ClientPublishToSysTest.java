package io.corvid.broker.engine;

import static io.corvid.broker.packet.ProtocolVersion.MQTT_3_1_1;
import static io.corvid.broker.packet.ProtocolVersion.MQTT_5;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code $SYS} belongs to the broker: no client may publish there or leave a will there,
 * whatever the authorization plug-in (here: everything allowed) would say.
 */
class ClientPublishToSysTest extends EngineTestSupport {

    /** A subscriber to every $SYS topic, and the $SYS topics themselves off: it sees only what clients manage to publish. */
    private TestClient sysWatcher() {
        TestClient watcher = client("watcher");
        watcher.connect(MQTT_5, true);
        watcher.subscribe("$SYS/#", QoS.EXACTLY_ONCE);
        return watcher;
    }

    private static Publish publish(String topic, QoS qos, boolean retain, int packetId) {
        return new Publish(topic, qos, retain, false, packetId, "forged".getBytes(UTF_8), Properties.EMPTY);
    }

    @Test
    void mqtt5PublishesToSysAreRefusedWithNotAuthorizedWithoutAnyAuthorizationPlugIn() {
        TestClient watcher = sysWatcher();
        TestClient intruder = client("intruder");
        intruder.connect(MQTT_5, true);
        intruder.send(publish("$SYS/broker/clients/connected", QoS.AT_LEAST_ONCE, true, 1));
        assertEquals(ReasonCode.NOT_AUTHORIZED, intruder.expect(PubAck.class).reasonCode());
        intruder.send(publish("$SYS/x", QoS.EXACTLY_ONCE, false, 2));
        assertEquals(ReasonCode.NOT_AUTHORIZED, intruder.expect(PubRec.class).reasonCode());
        intruder.send(publish("$SYS", QoS.AT_MOST_ONCE, false, 0));
        // Mosquitto's exception: bridges report their state here.
        intruder.send(publish("$SYS/broker/connection/bridge-1/state", QoS.AT_LEAST_ONCE, false, 3));
        assertEquals(ReasonCode.SUCCESS, intruder.expect(PubAck.class).reasonCode());

        assertEquals("$SYS/broker/connection/bridge-1/state", watcher.receive().topic(), "nothing refused came first");
        engine().publishFromApplication(Publish.atMostOnce("$SYS/app/status", new byte[] {1}, false));
        assertEquals("$SYS/app/status", watcher.receive().topic(), "the application may publish there");
        assertEquals(0, engine().retainedMessageCount(), "the refused retained message was not kept");
        assertTrue(engine().client("intruder").isPresent(), "a refusal, not a disconnect");
    }

    @Test
    void mqtt311PublishesToSysAreDroppedAndTheirFlowsComplete() {
        TestClient watcher = sysWatcher();
        TestClient intruder = client("intruder");
        intruder.connect(MQTT_3_1_1, true);
        intruder.publish("$SYS/broker/uptime", "0 seconds", QoS.AT_MOST_ONCE, false);
        intruder.publish("$SYS/broker/uptime", "1 seconds", QoS.AT_LEAST_ONCE, true);
        intruder.publish("$SYS/broker/uptime", "2 seconds", QoS.EXACTLY_ONCE, false);

        engine().publishFromApplication(Publish.atMostOnce("$SYS/marker", new byte[] {1}, false));
        assertEquals("$SYS/marker", watcher.receive().topic(), "none of the three was delivered");
        assertEquals(0, engine().retainedMessageCount());
        assertTrue(engine().client("intruder").isPresent());
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    void aWillOnASysTopicRefusesTheConnect(ProtocolVersion version) {
        TestClient client = client("will-" + version.level());
        Will will = new Will("$SYS/broker/clients/connected", "0".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true,
                Properties.EMPTY);
        ConnAck connAck = client.connect(TestClient.connect(version, client.clientId, true, 60, Properties.EMPTY, will));
        assertEquals(ReasonCode.NOT_AUTHORIZED, connAck.reasonCode());
        client.awaitClosed();
    }
}
