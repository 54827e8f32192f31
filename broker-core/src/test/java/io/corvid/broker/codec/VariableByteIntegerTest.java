package io.corvid.broker.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.corvid.broker.codec.MqttDecoder.Role;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The variable byte integer (MQTT 5.0 section 1.5.5, 3.1.1 section 2.2.3) and its boundaries on the wire. */
class VariableByteIntegerTest {

    /** The table of the specification (5.0 table 1-1, 3.1.1 table 2.4), plus neighbours. */
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "0,         00",
        "1,         01",
        "127,       7F",
        "128,       80 01",
        "129,       81 01",
        "16383,     FF 7F",
        "16384,     80 80 01",
        "2097151,   FF FF 7F",
        "2097152,   80 80 80 01",
        "268435455, FF FF FF 7F",
    })
    void writesAndReadsTheSpecificationTable(int value, String hex) {
        byte[] expected = Hex.parse(hex);
        assertEquals(expected.length, VariableByteInteger.size(value));

        ByteBuffer out = ByteBuffer.allocate(8);
        VariableByteInteger.write(out, value);
        assertArrayEquals(expected, Arrays.copyOf(out.array(), out.position()));

        // Read at an offset inside a larger buffer, with junk after: the junk must not be read.
        byte[] framed = new byte[3 + expected.length + 3];
        Arrays.fill(framed, (byte) 0xFF);
        System.arraycopy(expected, 0, framed, 3, expected.length);
        ByteBuffer in = ByteBuffer.wrap(framed);
        for (boolean minimal : new boolean[] {true, false}) {
            long result = VariableByteInteger.read(in, 3, framed.length, minimal);
            assertEquals(value, VariableByteInteger.value(result));
            assertEquals(expected.length, VariableByteInteger.length(result));
        }
        assertEquals(0, in.position(), "read must not move the position");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "80", "80 80", "FF FF FF", "80 80 80"})
    void asksForMoreBytesWhileTheContinuationBitIsSet(String hex) {
        byte[] bytes = Hex.parse(hex);
        assertEquals(VariableByteInteger.NOT_ENOUGH_BYTES,
                VariableByteInteger.read(ByteBuffer.wrap(bytes), 0, bytes.length, true));
    }

    @Test
    void neverReadsPastTheGivenLimit() {
        ByteBuffer in = ByteBuffer.wrap(Hex.parse("80 01"));
        assertEquals(VariableByteInteger.NOT_ENOUGH_BYTES, VariableByteInteger.read(in, 0, 1, true));
        assertEquals(128, VariableByteInteger.value(VariableByteInteger.read(in, 0, 2, true)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"FF FF FF FF", "80 80 80 80 01", "FF FF FF FF 7F", "80 80 80 80"})
    void refusesAFifthByte(String hex) {
        byte[] bytes = Hex.parse(hex);
        assertEquals(VariableByteInteger.TOO_LARGE, VariableByteInteger.read(ByteBuffer.wrap(bytes), 0, bytes.length, true));
        assertEquals(VariableByteInteger.TOO_LARGE, VariableByteInteger.read(ByteBuffer.wrap(bytes), 0, bytes.length, false));
    }

    /** Non-minimal forms end in a zero byte; 5.0 refuses them, 3.1.1 reads them. */
    @ParameterizedTest(name = "{1} = {0}")
    @CsvSource({
        "0,   80 00",
        "0,   80 80 80 00",
        "1,   81 00",
        "1,   81 80 80 00",
        "127, FF 00",
        "128, 80 81 00",
        "16383, FF FF 00",
        "16384, 80 80 81 00",
    })
    void refusesNonMinimalFormsOnlyWhenAsked(int value, String hex) {
        byte[] bytes = Hex.parse(hex);
        assertEquals(VariableByteInteger.NOT_MINIMUM_BYTES,
                VariableByteInteger.read(ByteBuffer.wrap(bytes), 0, bytes.length, true));
        long lenient = VariableByteInteger.read(ByteBuffer.wrap(bytes), 0, bytes.length, false);
        assertEquals(value, VariableByteInteger.value(lenient));
        assertEquals(bytes.length, VariableByteInteger.length(lenient));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, Integer.MIN_VALUE, VariableByteInteger.MAX_VALUE + 1, Integer.MAX_VALUE})
    void refusesToSizeOrWriteValuesOutOfRange(int value) {
        assertThrows(IllegalArgumentException.class, () -> VariableByteInteger.size(value));
        assertThrows(IllegalArgumentException.class, () -> VariableByteInteger.write(ByteBuffer.allocate(8), value));
    }

    @Test
    void roundTripsEverySmallValueAndRandomLargeOnes() {
        Random random = new Random(42);
        IntStream values = IntStream.concat(IntStream.rangeClosed(0, 70_000),
                random.ints(100_000, 0, VariableByteInteger.MAX_VALUE + 1));
        ByteBuffer buffer = ByteBuffer.allocate(4);
        values.forEach(value -> {
            buffer.clear();
            VariableByteInteger.write(buffer, value);
            assertEquals(VariableByteInteger.size(value), buffer.position(), "size of " + value);
            long result = VariableByteInteger.read(buffer, 0, buffer.position(), true);
            assertEquals(value, VariableByteInteger.value(result));
            assertEquals(buffer.position(), VariableByteInteger.length(result));
        });
    }

    // ------------------------------------------------------------------ on the wire

    /**
     * A PUBLISH whose remaining length sits on each side of each size boundary, in 3.1.1 and
     * 5.0: the header takes the right number of bytes and the packet decodes.
     */
    @ParameterizedTest(name = "remaining length {0}")
    @ValueSource(ints = {0, 4, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152})
    void remainingLengthsAtTheirBoundaries(int remainingLength) {
        for (ProtocolVersion version : new ProtocolVersion[] {ProtocolVersion.MQTT_3_1_1, ProtocolVersion.MQTT_5}) {
            byte[] bytes;
            int overhead = 3 + (version.isV5() ? 1 : 0); // topic "t" with its length, property length
            if (remainingLength == 0) {
                bytes = new byte[] {(byte) 0xC0, 0}; // PINGREQ
            } else {
                Publish publish = new Publish("t", QoS.AT_MOST_ONCE, false, false, 0,
                        new byte[remainingLength - overhead], Properties.EMPTY);
                bytes = MqttEncoder.encode(publish, version);
                assertEquals(publish, decodeOne(Role.SERVER, version, bytes));
            }
            int headerSize = VariableByteInteger.size(remainingLength);
            assertEquals(1 + headerSize + remainingLength, bytes.length);
            long field = VariableByteInteger.read(ByteBuffer.wrap(bytes), 1, bytes.length, true);
            assertEquals(remainingLength, VariableByteInteger.value(field));
            assertEquals(headerSize, VariableByteInteger.length(field));
        }
    }

    /** Property lengths at each size boundary, made of user properties of the right total size. */
    @ParameterizedTest(name = "property length {0}")
    @ValueSource(ints = {0, 6, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152})
    void propertyLengthsAtTheirBoundaries(int propertyLength) {
        Properties properties = userPropertiesOfSize(propertyLength);
        Publish publish = new Publish("t", QoS.AT_MOST_ONCE, false, false, 0, new byte[0], properties);
        byte[] bytes = MqttEncoder.encode(publish, ProtocolVersion.MQTT_5);
        long remainingLength = VariableByteInteger.read(ByteBuffer.wrap(bytes), 1, bytes.length, true);
        int propertyLengthAt = 1 + VariableByteInteger.length(remainingLength) + 3; // after the topic "t"
        long field = VariableByteInteger.read(ByteBuffer.wrap(bytes), propertyLengthAt, bytes.length, true);
        assertEquals(propertyLength, VariableByteInteger.value(field));
        assertEquals(VariableByteInteger.size(propertyLength), VariableByteInteger.length(field));
        assertEquals(publish, decodeOne(Role.CLIENT, ProtocolVersion.MQTT_5, bytes));
    }

    @Test
    void theDecoderAwaitsTheLargestRemainingLengthWhenTheLimitAllowsIt() {
        MqttDecoder decoder = PacketCatalogue.decoder(Role.SERVER, ProtocolVersion.MQTT_5);
        assertSame(DecodeResult.needMoreBytes(), decoder.decode(ByteBuffer.wrap(Hex.parse("30 FF FF FF 7F 00 01"))));
    }

    /** User properties whose encoded list is exactly {@code size} bytes (0, or 6 and more). */
    static Properties userPropertiesOfSize(int size) {
        Properties.Builder builder = Properties.builder();
        int left = size;
        while (left > 0) {
            // identifier 1 + name "k" 3 + value 2 + n
            int chunk = Math.min(left, 6 + 60_000);
            if (left - chunk > 0 && left - chunk < 6) {
                chunk -= 6;
            }
            builder.userProperty("k", "v".repeat(chunk - 6));
            left -= chunk;
        }
        return builder.build();
    }

    private static Object decodeOne(Role role, ProtocolVersion version, byte[] bytes) {
        DecodeResult result = PacketCatalogue.decoder(role, version).decode(ByteBuffer.wrap(bytes));
        return assertInstanceOf(DecodeResult.Decoded.class, result, () -> "got " + result).packet();
    }
}
