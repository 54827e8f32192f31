package io.corvid.broker.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.ClusterMessage;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.QoS;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private final MqttDecoder decoder = FrameCodec.newDecoder();

    private ClusterMessage roundTrip(ClusterMessage message) {
        FrameCodec.Inbound inbound = FrameCodec.readMessage(ByteBuffer.wrap(FrameCodec.message(message)), decoder);
        assertNull(inbound.version(), "a version nobody gave");
        assertTrue(inbound.shares().isEmpty(), "shared groups nobody named");
        assertEquals(false, inbound.sharesOnly());
        return inbound.message();
    }

    @Test
    void sharedGroupsTravelWithTheMessageForSubscribersAndGroups() {
        ClusterMessage sent = new ClusterMessage("jobs/1", new byte[] {1}, QoS.AT_LEAST_ONCE, true, Properties.EMPTY,
                "p", 5);
        RetainedVersion version = new RetainedVersion(42, "n");
        List<String> shares = List.of("$share/g/jobs/+", "$share/é/#");
        FrameCodec.Inbound inbound = FrameCodec.readMessage(
                ByteBuffer.wrap(FrameCodec.message(sent, version, shares, false)), decoder);
        assertEquals(shares, inbound.shares());
        assertEquals(false, inbound.sharesOnly());
        assertEquals(version, inbound.version());
        assertEquals("p", inbound.message().publisherId());
        assertEquals(5, inbound.message().expirySeconds());
        assertArrayEquals(new byte[] {1}, inbound.message().payload());
    }

    @Test
    void aFrameForSharedGroupsOnlySaysSo() {
        ClusterMessage sent = new ClusterMessage("jobs/1", new byte[] {2}, QoS.AT_MOST_ONCE, false, Properties.EMPTY,
                null, ClusterMessage.NEVER_EXPIRES);
        FrameCodec.Inbound inbound = FrameCodec.readMessage(
                ByteBuffer.wrap(FrameCodec.message(sent, null, List.of("$share/g/jobs/+"), true)), decoder);
        assertEquals(List.of("$share/g/jobs/+"), inbound.shares());
        assertTrue(inbound.sharesOnly());
        assertNull(inbound.version());
        assertEquals("jobs/1", inbound.message().topic());
    }

    @Test
    void aFrameForGroupsOnlyNamesSomeAndHasNoVersion() {
        ClusterMessage sent = new ClusterMessage("t", new byte[] {2}, QoS.AT_MOST_ONCE, false, Properties.EMPTY,
                null, ClusterMessage.NEVER_EXPIRES);
        assertThrows(IllegalArgumentException.class, () -> FrameCodec.message(sent, null, List.of(), true));
        assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.message(sent, new RetainedVersion(1, "n"), List.of("$share/g/t"), true));
        byte[] frame = FrameCodec.message(sent, null, List.of("$share/g/t"), true);
        byte[] noGroups = FrameCodec.message(sent);
        noGroups[1] = 8; // "for groups only" without any group
        assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.readMessage(ByteBuffer.wrap(noGroups), FrameCodec.newDecoder()));
        byte[] zeroGroups = frame.clone();
        zeroGroups[2] = 0; // a group count of 0
        zeroGroups[3] = 0;
        assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.readMessage(ByteBuffer.wrap(zeroGroups), FrameCodec.newDecoder()));
    }

    @Test
    void theProtocolVersionChangedWithTheSharedGroups() {
        assertEquals(3, FrameCodec.PROTOCOL_VERSION, "frames with shared groups are version 3");
    }

    @Test
    void aRetainedMessagesVersionTravelsWithIt() {
        ClusterMessage sent = new ClusterMessage("state/x", new byte[] {7}, QoS.AT_LEAST_ONCE, true, Properties.EMPTY,
                "publisher", 60);
        RetainedVersion version = new RetainedVersion(1_700_000_000_123L, "node-é");
        FrameCodec.Inbound inbound = FrameCodec.readMessage(ByteBuffer.wrap(FrameCodec.message(sent, version)),
                decoder);
        assertEquals(version, inbound.version());
        assertEquals("publisher", inbound.message().publisherId());
        assertEquals(60, inbound.message().expirySeconds());
        assertArrayEquals(new byte[] {7}, inbound.message().payload());
    }

    @ParameterizedTest
    @EnumSource(QoS.class)
    void aMessageSurvivesTheTripWithEverythingItCarries(QoS qos) {
        Properties properties = Properties.builder().userProperty("a", "1").userProperty("a", "2")
                .put(Property.CONTENT_TYPE, "application/json").put(Property.RESPONSE_TOPIC, "replies/x")
                .put(Property.CORRELATION_DATA, new byte[] {1, 2, 3}).put(Property.PAYLOAD_FORMAT_INDICATOR, 1)
                .build();
        ClusterMessage sent = new ClusterMessage("a/b/ü", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), qos, true,
                properties, "client-é", 3600);
        ClusterMessage received = roundTrip(sent);
        assertEquals(sent.topic(), received.topic());
        assertArrayEquals(sent.payload(), received.payload());
        assertEquals(qos, received.qos());
        assertEquals(true, received.retain());
        assertEquals(properties, received.properties());
        assertEquals("client-é", received.publisherId());
        assertEquals(3600, received.expirySeconds());
    }

    @Test
    void anApplicationMessageWithoutExpiryOrPropertiesStaysSo() {
        ClusterMessage received = roundTrip(new ClusterMessage("t", new byte[0], QoS.AT_MOST_ONCE, false,
                Properties.EMPTY, null, ClusterMessage.NEVER_EXPIRES));
        assertNull(received.publisherId());
        assertEquals(ClusterMessage.NEVER_EXPIRES, received.expirySeconds());
        assertEquals(Properties.EMPTY, received.properties());
        assertEquals(0, received.payload().length);
        assertEquals(false, received.retain());
    }

    @Test
    void theLargestExpiryAndZeroSurvive() {
        assertEquals(0xFFFF_FFFFL, roundTrip(new ClusterMessage("t", new byte[1], QoS.AT_MOST_ONCE, false,
                Properties.EMPTY, null, 0xFFFF_FFFFL)).expirySeconds());
        assertEquals(0, roundTrip(new ClusterMessage("t", new byte[1], QoS.AT_MOST_ONCE, false,
                Properties.EMPTY, null, 0)).expirySeconds());
    }

    @Test
    void aLargePayloadSurvives() {
        byte[] payload = new byte[300_000];
        Arrays.fill(payload, (byte) 7);
        assertArrayEquals(payload, roundTrip(new ClusterMessage("big", payload, QoS.AT_LEAST_ONCE, false,
                Properties.EMPTY, "p", ClusterMessage.NEVER_EXPIRES)).payload());
    }

    @Test
    void theDecoderServesConsecutiveFrames() {
        for (int i = 0; i < 3; i++) {
            assertEquals("t/" + i, roundTrip(new ClusterMessage("t/" + i, new byte[] {(byte) i}, QoS.EXACTLY_ONCE,
                    false, Properties.EMPTY, "p", ClusterMessage.NEVER_EXPIRES)).topic());
        }
    }

    @Test
    void helloNamesClusterNodeAndVersion() {
        FrameCodec.Hello hello = FrameCodec.readHello(ByteBuffer.wrap(FrameCodec.hello("prod", "node-1")));
        assertEquals(new FrameCodec.Hello(FrameCodec.PROTOCOL_VERSION, "prod", "node-1"), hello);
    }

    @Test
    void malformedFramesAreRefused() {
        byte[] message = FrameCodec.message(new ClusterMessage("t", new byte[] {1, 2}, QoS.AT_LEAST_ONCE, false,
                Properties.EMPTY, "p", ClusterMessage.NEVER_EXPIRES));
        assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.readHello(ByteBuffer.wrap(message)), "a MESSAGE where a HELLO belongs");
        assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.readMessage(ByteBuffer.wrap(FrameCodec.hello("c", "n")), decoder));
        assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.readMessage(ByteBuffer.wrap(Arrays.copyOf(message, message.length - 1)),
                        FrameCodec.newDecoder()), "cut short");
        byte[] longer = Arrays.copyOf(message, message.length + 1);
        assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.readMessage(ByteBuffer.wrap(longer), FrameCodec.newDecoder()), "trailing bytes");
        byte[] badPublisher = message.clone();
        badPublisher[1] = 1; // claims a publisher identifier whose length runs past the end
        badPublisher[2] = (byte) 0xFF;
        badPublisher[3] = (byte) 0xFF;
        assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.readMessage(ByteBuffer.wrap(badPublisher), FrameCodec.newDecoder()));
    }
}
