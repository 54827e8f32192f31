package io.corvid.broker.codec;

import static io.corvid.broker.codec.MalformedPacketException.malformed;
import static io.corvid.broker.codec.MalformedPacketException.protocolError;

import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.UserProperty;
import io.corvid.broker.topic.Topics;
import java.nio.ByteBuffer;

/** Reads, sizes and writes MQTT 5.0 property lists. */
final class PropertiesCodec {
    private PropertiesCodec() {
    }

    /**
     * Reads a property list with its length prefix.
     *
     * @param type the packet the list belongs to
     * @param will true for the will properties of CONNECT, which have their own allowed set
     */
    static Properties read(PacketReader reader, PacketType type, boolean will) {
        int length = reader.readVariableByteInteger("property length", true);
        if (length == 0) {
            return Properties.EMPTY;
        }
        if (length > reader.remaining()) {
            throw malformed("property length " + length + " exceeds the rest of the packet");
        }
        String context = will ? "will properties" : type + " properties";
        int oldEnd = reader.limitTo(reader.position() + length);
        Properties.Builder builder = Properties.builder();
        long seen = 0;
        while (reader.hasRemaining()) {
            int identifier = reader.readVariableByteInteger("property identifier", true);
            Property property = Property.fromIdentifier(identifier);
            if (property == null) {
                throw malformed("unknown property identifier 0x" + Integer.toHexString(identifier));
            }
            if (will ? !property.isAllowedInWill() : !property.isAllowedIn(type)) {
                throw malformed(property + " is not allowed in " + context);
            }
            if (!property.isRepeatableIn(type) || will && property != Property.USER_PROPERTY) {
                long bit = 1L << identifier;
                if ((seen & bit) != 0) {
                    throw protocolError(property + " appears more than once in " + context);
                }
                seen |= bit;
            }
            readValue(reader, property, builder);
        }
        reader.restoreEnd(oldEnd);
        return builder.build();
    }

    private static void readValue(PacketReader reader, Property property, Properties.Builder builder) {
        String what = property.toString();
        switch (property.type()) {
            case BYTE -> {
                int value = reader.readUnsignedByte(what);
                if (value > 1) {
                    // Every byte property is a 0/1 flag except Maximum QoS, which is 0 or 1 too:
                    // a Maximum QoS of 2 is expressed by leaving the property out.
                    throw protocolError(what + " must be 0 or 1, was " + value);
                }
                builder.put(property, value);
            }
            case TWO_BYTE_INTEGER -> {
                int value = reader.readUnsignedShort(what);
                if (value == 0) {
                    if (property == Property.RECEIVE_MAXIMUM) {
                        throw protocolError("Receive Maximum of 0");
                    }
                    if (property == Property.TOPIC_ALIAS) {
                        throw new MalformedPacketException(ReasonCode.TOPIC_ALIAS_INVALID, "Topic Alias of 0");
                    }
                }
                builder.put(property, value);
            }
            case FOUR_BYTE_INTEGER -> {
                long value = reader.readUnsignedInt(what);
                if (value == 0 && property == Property.MAXIMUM_PACKET_SIZE) {
                    throw protocolError("Maximum Packet Size of 0");
                }
                builder.put(property, value);
            }
            case VARIABLE_BYTE_INTEGER -> {
                int value = reader.readVariableByteInteger(what, true);
                if (value == 0) {
                    throw protocolError("Subscription Identifier of 0");
                }
                builder.subscriptionIdentifier(value);
            }
            case UTF8_STRING -> {
                String value = reader.readString(what);
                if (property == Property.RESPONSE_TOPIC && !Topics.isValidTopicName(value)) {
                    throw protocolError("Response Topic is not a valid topic name");
                }
                builder.put(property, value);
            }
            case BINARY_DATA -> builder.put(property, reader.readBinary(what));
            case UTF8_STRING_PAIR -> {
                String name = reader.readString("user property name");
                String value = reader.readString("user property value");
                builder.userProperty(name, value);
            }
            default -> throw new IllegalStateException("unhandled property type " + property.type());
        }
    }

    /** The size of the property list's content, without its length prefix. */
    static int size(Properties properties) {
        if (properties.isEmpty()) {
            return 0;
        }
        int size = 0;
        for (int i = 0; i < properties.singleValuedCount(); i++) {
            size += 1 + valueSize(properties.keyAt(i), properties.valueAt(i));
        }
        for (int i = 0; i < properties.subscriptionIdentifierCount(); i++) {
            size += 1 + VariableByteInteger.size(properties.subscriptionIdentifier(i));
        }
        for (UserProperty user : properties.userProperties()) {
            size += 1 + stringSize(user.name()) + stringSize(user.value());
        }
        return size;
    }

    /** The size of the property list with its length prefix. */
    static int sizeWithLength(Properties properties) {
        int size = size(properties);
        return VariableByteInteger.size(size) + size;
    }

    /** Writes the length prefix and the list; {@code size} is what {@link #size} returned. */
    static void write(ByteBuffer out, Properties properties, int size) {
        VariableByteInteger.write(out, size);
        if (size == 0) {
            return;
        }
        for (int i = 0; i < properties.singleValuedCount(); i++) {
            Property property = properties.keyAt(i);
            out.put((byte) property.identifier());
            writeValue(out, property, properties.valueAt(i));
        }
        for (int i = 0; i < properties.subscriptionIdentifierCount(); i++) {
            out.put((byte) Property.SUBSCRIPTION_IDENTIFIER.identifier());
            VariableByteInteger.write(out, properties.subscriptionIdentifier(i));
        }
        for (UserProperty user : properties.userProperties()) {
            out.put((byte) Property.USER_PROPERTY.identifier());
            writeString(out, user.name());
            writeString(out, user.value());
        }
    }

    private static int valueSize(Property property, Object value) {
        return switch (property.type()) {
            case BYTE -> 1;
            case TWO_BYTE_INTEGER -> 2;
            case FOUR_BYTE_INTEGER -> 4;
            case VARIABLE_BYTE_INTEGER -> VariableByteInteger.size((Integer) value);
            case UTF8_STRING -> stringSize((String) value);
            case BINARY_DATA -> 2 + ((byte[]) value).length;
            case UTF8_STRING_PAIR -> throw new IllegalStateException("user properties are sized apart");
        };
    }

    private static void writeValue(ByteBuffer out, Property property, Object value) {
        switch (property.type()) {
            case BYTE -> out.put((byte) (int) (Integer) value);
            case TWO_BYTE_INTEGER -> out.putShort((short) (int) (Integer) value);
            case FOUR_BYTE_INTEGER -> out.putInt((int) (long) (Long) value);
            case VARIABLE_BYTE_INTEGER -> VariableByteInteger.write(out, (Integer) value);
            case UTF8_STRING -> writeString(out, (String) value);
            case BINARY_DATA -> {
                byte[] bytes = (byte[]) value;
                out.putShort((short) bytes.length);
                out.put(bytes);
            }
            case UTF8_STRING_PAIR -> throw new IllegalStateException("user properties are written apart");
        }
    }

    /** A length-prefixed UTF-8 string's size on the wire. */
    static int stringSize(String text) {
        int length = MqttUtf8.encodedLength(text);
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65,535 bytes");
        }
        return 2 + length;
    }

    /** Writes a length-prefixed UTF-8 string. */
    static void writeString(ByteBuffer out, String text) {
        int lengthIndex = out.position();
        out.position(lengthIndex + 2);
        MqttUtf8.write(out, text);
        out.putShort(lengthIndex, (short) (out.position() - lengthIndex - 2));
    }
}
