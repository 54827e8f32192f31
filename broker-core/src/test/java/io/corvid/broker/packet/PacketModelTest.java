package io.corvid.broker.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The invariants the packet records enforce, so that the codec never sees an impossible packet. */
class PacketModelTest {

    @Test
    void packetIdentifiersMustBeOneTo65535() {
        assertThrows(IllegalArgumentException.class, () -> new PubAck(0));
        assertThrows(IllegalArgumentException.class, () -> new PubRec(65_536));
        assertThrows(IllegalArgumentException.class, () -> new PubRel(-1));
        assertThrows(IllegalArgumentException.class, () -> new PubComp(0));
        assertThrows(IllegalArgumentException.class,
                () -> new SubAck(0, List.of(ReasonCode.GRANTED_QOS_0), Properties.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new UnsubAck(0, List.of(), Properties.EMPTY));
        assertEquals(65_535, new PubAck(65_535).packetId());
    }

    @Test
    void reasonCodesMustBelongToThePacket() {
        assertThrows(IllegalArgumentException.class, () -> new ConnAck(false, ReasonCode.GRANTED_QOS_1, Properties.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new PubRel(1, ReasonCode.NOT_AUTHORIZED, Properties.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new Disconnect(ReasonCode.SUCCESS));
        assertThrows(IllegalArgumentException.class, () -> new Auth(ReasonCode.NOT_AUTHORIZED, Properties.EMPTY));
        assertThrows(IllegalArgumentException.class,
                () -> new SubAck(1, List.of(ReasonCode.SUCCESS), Properties.EMPTY));
        assertThrows(IllegalArgumentException.class,
                () -> new UnsubAck(1, List.of(ReasonCode.GRANTED_QOS_0), Properties.EMPTY));
    }

    @Test
    void subscribeAndUnsubscribeNeedAFilterAndCopyTheirLists() {
        assertThrows(IllegalArgumentException.class, () -> new Subscribe(1, List.of(), Properties.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new Unsubscribe(1, List.of(), Properties.EMPTY));
        List<String> filters = new ArrayList<>(List.of("a"));
        Unsubscribe unsubscribe = new Unsubscribe(1, filters, Properties.EMPTY);
        filters.add("b");
        assertEquals(List.of("a"), unsubscribe.topicFilters());
        assertThrows(UnsupportedOperationException.class, () -> unsubscribe.topicFilters().add("c"));
    }

    @Test
    void publishPacketIdentifiersFollowTheQos() {
        assertThrows(IllegalArgumentException.class,
                () -> new Publish("t", QoS.AT_MOST_ONCE, false, false, 1, new byte[0], Properties.EMPTY));
        assertThrows(IllegalArgumentException.class,
                () -> new Publish("t", QoS.AT_LEAST_ONCE, false, false, 65_536, new byte[0], Properties.EMPTY));
        // 0 marks a queued QoS 1/2 message that has no identifier yet.
        Publish queued = new Publish("t", QoS.EXACTLY_ONCE, false, true, 0, new byte[0], Properties.EMPTY);
        assertEquals(7, queued.withPacketId(7).packetId());

        Publish downgraded = queued.withPacketId(7).withQos(QoS.AT_MOST_ONCE);
        assertEquals(0, downgraded.packetId());
        assertFalse(downgraded.dup(), "a QoS 0 message has no DUP");
        assertSame(queued, queued.withDup(true));
        assertSame(queued, queued.withRetain(false));
        assertTrue(queued.withRetain(true).retain());
    }

    @Test
    void publishComparesPayloadsByContent() {
        Publish one = Publish.atMostOnce("t", new byte[] {1, 2}, false);
        Publish same = Publish.atMostOnce("t", new byte[] {1, 2}, false);
        assertEquals(one, same);
        assertEquals(one.hashCode(), same.hashCode());
        assertNotEquals(one, Publish.atMostOnce("t", new byte[] {1, 3}, false));
        assertTrue(one.toString().contains("2 bytes"), "payloads are not printed");
    }

    @Test
    void connectChecksKeepAliveComparesPasswordsByContentAndNeverPrintsThem() {
        assertThrows(IllegalArgumentException.class,
                () -> new Connect(ProtocolVersion.MQTT_5, "c", true, -1, null, null, null, Properties.EMPTY));
        assertThrows(IllegalArgumentException.class,
                () -> new Connect(ProtocolVersion.MQTT_5, "c", true, 65_536, null, null, null, Properties.EMPTY));
        Connect one = new Connect(ProtocolVersion.MQTT_3_1_1, "c", true, 10, "u", "hunter2".getBytes(), null,
                Properties.EMPTY);
        Connect same = new Connect(ProtocolVersion.MQTT_3_1_1, "c", true, 10, "u", "hunter2".getBytes(), null,
                Properties.EMPTY);
        assertEquals(one, same);
        assertEquals(one.hashCode(), same.hashCode());
        assertNotEquals(one, new Connect(ProtocolVersion.MQTT_3_1_1, "c", true, 10, "u", "hunter3".getBytes(), null,
                Properties.EMPTY));
        assertFalse(one.toString().contains("hunter2"));
    }

    @Test
    void willComparesPayloadsByContent() {
        Will one = new Will("t", new byte[] {1}, QoS.AT_LEAST_ONCE, true, Properties.EMPTY);
        assertEquals(one, new Will("t", new byte[] {1}, QoS.AT_LEAST_ONCE, true, Properties.EMPTY));
        assertNotEquals(one, new Will("t", new byte[] {2}, QoS.AT_LEAST_ONCE, true, Properties.EMPTY));
    }

    @Test
    void wireEnumsMapTheirValues() {
        assertNull(QoS.fromValue(3));
        assertNull(QoS.fromValue(-1));
        assertSame(QoS.EXACTLY_ONCE, QoS.fromValue(2));
        assertSame(QoS.AT_MOST_ONCE, QoS.min(QoS.AT_MOST_ONCE, QoS.EXACTLY_ONCE));
        assertSame(QoS.EXACTLY_ONCE, QoS.max(QoS.AT_LEAST_ONCE, QoS.EXACTLY_ONCE));
        assertNull(RetainHandling.fromValue(3));
        assertSame(RetainHandling.DO_NOT_SEND, RetainHandling.fromValue(2));
        assertNull(PacketType.fromValue(0), "type 0 is reserved");
        assertNull(PacketType.fromValue(16));
        for (PacketType type : PacketType.values()) {
            assertSame(type, PacketType.fromValue(type.value()));
        }
        assertEquals(0b0010, PacketType.PUBREL.fixedFlags());
        assertEquals(0b0010, PacketType.SUBSCRIBE.fixedFlags());
        assertEquals(0b0010, PacketType.UNSUBSCRIBE.fixedFlags());
        assertEquals(-1, PacketType.PUBLISH.fixedFlags());
    }

    @Test
    void protocolVersionsAreNamedByNameAndLevel() {
        assertSame(ProtocolVersion.MQTT_3_1, ProtocolVersion.of("MQIsdp", 3));
        assertSame(ProtocolVersion.MQTT_3_1_1, ProtocolVersion.of("MQTT", 4));
        assertSame(ProtocolVersion.MQTT_5, ProtocolVersion.of("MQTT", 5));
        assertNull(ProtocolVersion.of("MQTT", 3));
        assertNull(ProtocolVersion.of("MQIsdp", 4));
        assertNull(ProtocolVersion.of("mqtt", 4));
        assertTrue(ProtocolVersion.MQTT_5.isV5());
        assertFalse(ProtocolVersion.MQTT_3_1_1.isV5());
    }

    @Test
    void subscriptionDefaultsAreTheOnlyOptionsOf311() {
        Subscription subscription = new Subscription("a/#", QoS.AT_LEAST_ONCE);
        assertFalse(subscription.noLocal());
        assertFalse(subscription.retainAsPublished());
        assertSame(RetainHandling.SEND_ON_SUBSCRIBE, subscription.retainHandling());
    }
}
