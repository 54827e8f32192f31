package io.corvid.broker.packet;

import static io.corvid.broker.packet.PacketType.AUTH;
import static io.corvid.broker.packet.PacketType.CONNACK;
import static io.corvid.broker.packet.PacketType.CONNECT;
import static io.corvid.broker.packet.PacketType.DISCONNECT;
import static io.corvid.broker.packet.PacketType.PUBACK;
import static io.corvid.broker.packet.PacketType.PUBCOMP;
import static io.corvid.broker.packet.PacketType.PUBLISH;
import static io.corvid.broker.packet.PacketType.PUBREC;
import static io.corvid.broker.packet.PacketType.PUBREL;
import static io.corvid.broker.packet.PacketType.SUBACK;
import static io.corvid.broker.packet.PacketType.SUBSCRIBE;
import static io.corvid.broker.packet.PacketType.UNSUBACK;
import static io.corvid.broker.packet.PacketType.UNSUBSCRIBE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.Property.Type;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Property} against the specification's table, and the {@link Properties} list. */
class PropertiesTest {

    // ------------------------------------------------------------------ the table of 5.0 section 2.2.2.2

    static Stream<Arguments> specificationTable() {
        return Stream.of(
                row(0x01, Type.BYTE, true, PUBLISH),
                row(0x02, Type.FOUR_BYTE_INTEGER, true, PUBLISH),
                row(0x03, Type.UTF8_STRING, true, PUBLISH),
                row(0x08, Type.UTF8_STRING, true, PUBLISH),
                row(0x09, Type.BINARY_DATA, true, PUBLISH),
                row(0x0B, Type.VARIABLE_BYTE_INTEGER, false, PUBLISH, SUBSCRIBE),
                row(0x11, Type.FOUR_BYTE_INTEGER, false, CONNECT, CONNACK, DISCONNECT),
                row(0x12, Type.UTF8_STRING, false, CONNACK),
                row(0x13, Type.TWO_BYTE_INTEGER, false, CONNACK),
                row(0x15, Type.UTF8_STRING, false, CONNECT, CONNACK, AUTH),
                row(0x16, Type.BINARY_DATA, false, CONNECT, CONNACK, AUTH),
                row(0x17, Type.BYTE, false, CONNECT),
                row(0x18, Type.FOUR_BYTE_INTEGER, true),
                row(0x19, Type.BYTE, false, CONNECT),
                row(0x1A, Type.UTF8_STRING, false, CONNACK),
                row(0x1C, Type.UTF8_STRING, false, CONNACK, DISCONNECT),
                row(0x1F, Type.UTF8_STRING, false, CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK,
                        DISCONNECT, AUTH),
                row(0x21, Type.TWO_BYTE_INTEGER, false, CONNECT, CONNACK),
                row(0x22, Type.TWO_BYTE_INTEGER, false, CONNECT, CONNACK),
                row(0x23, Type.TWO_BYTE_INTEGER, false, PUBLISH),
                row(0x24, Type.BYTE, false, CONNACK),
                row(0x25, Type.BYTE, false, CONNACK),
                row(0x26, Type.UTF8_STRING_PAIR, true, CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP,
                        SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH),
                row(0x27, Type.FOUR_BYTE_INTEGER, false, CONNECT, CONNACK),
                row(0x28, Type.BYTE, false, CONNACK),
                row(0x29, Type.BYTE, false, CONNACK),
                row(0x2A, Type.BYTE, false, CONNACK));
    }

    private static Arguments row(int identifier, Type type, boolean will, PacketType... packets) {
        EnumSet<PacketType> set = EnumSet.noneOf(PacketType.class);
        set.addAll(List.of(packets));
        return Arguments.of(identifier, type, will, set);
    }

    @ParameterizedTest(name = "0x{0}")
    @MethodSource("specificationTable")
    void matchesTheSpecificationTable(int identifier, Type type, boolean will, Set<PacketType> packets) {
        Property property = Property.fromIdentifier(identifier);
        assertEquals(identifier, property.identifier());
        assertEquals(type, property.type());
        assertEquals(will, property.isAllowedInWill());
        for (PacketType packet : PacketType.values()) {
            assertEquals(packets.contains(packet), property.isAllowedIn(packet), property + " in " + packet);
        }
    }

    @Test
    void hasExactlyTheSpecifiedIdentifiers() {
        assertEquals(27, Property.values().length);
        assertEquals(Property.values().length, specificationTable().count());
        for (int identifier = -1; identifier <= 0x100; identifier++) {
            Property property = Property.fromIdentifier(identifier);
            if (property != null) {
                assertEquals(identifier, property.identifier());
            }
        }
        assertNull(Property.fromIdentifier(0));
        assertNull(Property.fromIdentifier(0x04));
        assertNull(Property.fromIdentifier(0x2B));
        assertNull(Property.fromIdentifier(-1));
    }

    @Test
    void onlyUserPropertiesAndPublishSubscriptionIdentifiersRepeat() {
        for (Property property : Property.values()) {
            for (PacketType type : PacketType.values()) {
                boolean expected = property == Property.USER_PROPERTY
                        || property == Property.SUBSCRIPTION_IDENTIFIER && type == PUBLISH;
                assertEquals(expected, property.isRepeatableIn(type), property + " in " + type);
            }
        }
    }

    // ------------------------------------------------------------------ building

    @Test
    void anEmptyBuilderGivesTheSharedEmptyList() {
        assertSame(Properties.EMPTY, Properties.builder().build());
        assertTrue(Properties.EMPTY.isEmpty());
        assertEquals("{}", Properties.EMPTY.toString());
        assertFalse(Properties.builder().userProperty("a", "b").build().isEmpty());
    }

    @Test
    void putReplacesAnEarlierValue() {
        Properties properties = Properties.builder()
                .put(Property.CONTENT_TYPE, "a").put(Property.CONTENT_TYPE, "b").build();
        assertEquals("b", properties.getString(Property.CONTENT_TYPE));
        assertEquals(1, properties.singleValuedCount());
    }

    @Test
    void storesNumbersAsTheirWireTypeNeeds() {
        Properties properties = Properties.builder()
                .put(Property.MESSAGE_EXPIRY_INTERVAL, 5)         // an Integer in, a Long kept
                .put(Property.RECEIVE_MAXIMUM, 7L)                // a Long in, an Integer kept
                .put(Property.SESSION_EXPIRY_INTERVAL, 0xFFFF_FFFFL)
                .build();
        assertEquals(5L, properties.get(Property.MESSAGE_EXPIRY_INTERVAL));
        assertEquals(7, properties.get(Property.RECEIVE_MAXIMUM));
        assertEquals(0xFFFF_FFFFL, properties.getLong(Property.SESSION_EXPIRY_INTERVAL, 0));
        assertEquals(7, properties.getInt(Property.RECEIVE_MAXIMUM, 0));
        assertEquals(-3, properties.getInt(Property.TOPIC_ALIAS, -3));
        assertEquals(-4L, properties.getLong(Property.MAXIMUM_PACKET_SIZE, -4L));
        assertNull(properties.getString(Property.REASON_STRING));
        assertNull(properties.getBinary(Property.CORRELATION_DATA));
    }

    static Stream<Arguments> valuesOutOfRange() {
        return Stream.of(
                Arguments.of(Property.PAYLOAD_FORMAT_INDICATOR, 256),
                Arguments.of(Property.PAYLOAD_FORMAT_INDICATOR, -1),
                Arguments.of(Property.RECEIVE_MAXIMUM, 65_536),
                Arguments.of(Property.TOPIC_ALIAS, -1),
                Arguments.of(Property.SESSION_EXPIRY_INTERVAL, 0x1_0000_0000L),
                Arguments.of(Property.MAXIMUM_PACKET_SIZE, -1L),
                Arguments.of(Property.SUBSCRIPTION_IDENTIFIER, 0),
                Arguments.of(Property.SUBSCRIPTION_IDENTIFIER, 268_435_456),
                Arguments.of(Property.CONTENT_TYPE, "é".repeat(32_768)),   // 65,536 bytes of UTF-8
                Arguments.of(Property.CORRELATION_DATA, new byte[65_536]));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("valuesOutOfRange")
    void refusesValuesOutOfTheWireRange(Property property, Object value) {
        assertThrows(IllegalArgumentException.class, () -> Properties.builder().put(property, value));
    }

    static Stream<Arguments> valuesOfTheWrongType() {
        return Stream.of(
                Arguments.of(Property.MESSAGE_EXPIRY_INTERVAL, "60"),
                Arguments.of(Property.CONTENT_TYPE, 5),
                Arguments.of(Property.CORRELATION_DATA, "bytes"),
                Arguments.of(Property.USER_PROPERTY, "name=value"),
                Arguments.of(Property.SUBSCRIPTION_IDENTIFIER, "1"));
    }

    /** The builder documents IllegalArgumentException for a value that does not fit the wire type. */
    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("valuesOfTheWrongType")
    void refusesValuesOfTheWrongTypeWithIllegalArgumentException(Property property, Object value) {
        assertThrows(IllegalArgumentException.class, () -> Properties.builder().put(property, value));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 127, 128, 268_435_455})
    void acceptsSubscriptionIdentifiersInRange(int identifier) {
        Properties properties = Properties.builder().subscriptionIdentifier(identifier).build();
        assertEquals(identifier, properties.get(Property.SUBSCRIPTION_IDENTIFIER));
        assertArrayEquals(new int[] {identifier}, properties.subscriptionIdentifiers());
    }

    @Test
    void keepsUserPropertiesAndSubscriptionIdentifiersInOrderWithRepeats() {
        Properties properties = Properties.builder()
                .userProperty("b", "1").userProperty("a", "2").userProperty("b", "3")
                .put(Property.USER_PROPERTY, new UserProperty("c", "4"))
                .subscriptionIdentifier(9).put(Property.SUBSCRIPTION_IDENTIFIER, 2).subscriptionIdentifier(9)
                .build();
        assertEquals(List.of(new UserProperty("b", "1"), new UserProperty("a", "2"), new UserProperty("b", "3"),
                new UserProperty("c", "4")), properties.userProperties());
        assertArrayEquals(new int[] {9, 2, 9}, properties.subscriptionIdentifiers());
        assertEquals(3, properties.subscriptionIdentifierCount());
        assertEquals(2, properties.subscriptionIdentifier(1));
        assertEquals(9, properties.get(Property.SUBSCRIPTION_IDENTIFIER), "get returns the first");
        assertTrue(properties.contains(Property.USER_PROPERTY));
        assertTrue(properties.contains(Property.SUBSCRIPTION_IDENTIFIER));
        assertThrows(IllegalArgumentException.class, () -> properties.get(Property.USER_PROPERTY));
    }

    @Test
    void cannotBeChangedFromOutside() {
        Properties properties = Properties.builder().userProperty("a", "b").subscriptionIdentifier(1).build();
        assertThrows(UnsupportedOperationException.class,
                () -> properties.userProperties().add(new UserProperty("x", "y")));
        properties.subscriptionIdentifiers()[0] = 99;
        assertEquals(1, properties.subscriptionIdentifier(0));

        Properties.Builder builder = Properties.builder().userProperty("a", "b");
        Properties built = builder.build();
        builder.userProperty("c", "d");
        assertEquals(1, built.userProperties().size(), "the builder must not share its list");
    }

    // ------------------------------------------------------------------ equality and copies

    @Test
    void singleValuedPropertiesAreEqualInAnyOrder() {
        Properties one = Properties.builder().put(Property.CONTENT_TYPE, "t").put(Property.TOPIC_ALIAS, 3)
                .put(Property.CORRELATION_DATA, new byte[] {1, 2}).build();
        Properties other = Properties.builder().put(Property.CORRELATION_DATA, new byte[] {1, 2})
                .put(Property.TOPIC_ALIAS, 3).put(Property.CONTENT_TYPE, "t").build();
        assertEquals(one, other);
        assertEquals(one.hashCode(), other.hashCode());
        assertNotEquals(one, other.with(Property.CORRELATION_DATA, new byte[] {1, 3}));
        assertNotEquals(one, other.without(Property.TOPIC_ALIAS));
        assertNotEquals(one, other.with(Property.MESSAGE_EXPIRY_INTERVAL, 1L));
    }

    @Test
    void userPropertiesAndSubscriptionIdentifiersAreEqualOnlyInTheSameOrder() {
        Properties ab = Properties.builder().userProperty("a", "1").userProperty("b", "2").build();
        Properties ba = Properties.builder().userProperty("b", "2").userProperty("a", "1").build();
        assertNotEquals(ab, ba);
        Properties oneTwo = Properties.builder().subscriptionIdentifier(1).subscriptionIdentifier(2).build();
        Properties twoOne = Properties.builder().subscriptionIdentifier(2).subscriptionIdentifier(1).build();
        assertNotEquals(oneTwo, twoOne);
    }

    @Test
    void derivesModifiedCopiesWithoutChangingTheOriginal() {
        Properties original = Properties.builder().put(Property.REASON_STRING, "r").put(Property.CONTENT_TYPE, "c")
                .userProperty("u", "v").subscriptionIdentifier(5).build();
        Properties withoutReason = original.without(Property.REASON_STRING);
        assertFalse(withoutReason.contains(Property.REASON_STRING));
        assertTrue(original.contains(Property.REASON_STRING));
        assertEquals("c", withoutReason.getString(Property.CONTENT_TYPE));
        assertSame(original, original.without(Property.TOPIC_ALIAS), "nothing to remove, no copy");

        assertTrue(original.without(Property.USER_PROPERTY).userProperties().isEmpty());
        assertEquals(0, original.without(Property.SUBSCRIPTION_IDENTIFIER).subscriptionIdentifierCount());
        assertEquals(original, original.toBuilder().build());
        assertEquals("x", original.with(Property.REASON_STRING, "x").getString(Property.REASON_STRING));

        Properties single = Properties.builder().put(Property.TOPIC_ALIAS, 1).build();
        assertSame(Properties.EMPTY, single.without(Property.TOPIC_ALIAS));
        assertTrue(original.toBuilder().remove(Property.REASON_STRING).remove(Property.CONTENT_TYPE)
                .remove(Property.USER_PROPERTY).remove(Property.SUBSCRIPTION_IDENTIFIER).build().isEmpty());
    }

    @Test
    void exposesSingleValuedPropertiesInInsertionOrder() {
        Properties properties = Properties.builder().put(Property.TOPIC_ALIAS, 1).put(Property.CONTENT_TYPE, "c")
                .build();
        assertEquals(Property.TOPIC_ALIAS, properties.keyAt(0));
        assertEquals(1, properties.valueAt(0));
        assertEquals(Property.CONTENT_TYPE, properties.keyAt(1));
    }

    @Test
    void printsBinaryValuesAsTheirLengthOnly() {
        String text = Properties.builder().put(Property.AUTHENTICATION_DATA, new byte[] {0x41, 0x42, 0x43})
                .userProperty("k", "v").subscriptionIdentifier(4).build().toString();
        assertTrue(text.contains("AUTHENTICATION_DATA=3 bytes"), text);
        assertTrue(text.contains("SUBSCRIPTION_IDENTIFIER=4"), text);
        assertTrue(text.contains("k:v"), text);
    }
}
