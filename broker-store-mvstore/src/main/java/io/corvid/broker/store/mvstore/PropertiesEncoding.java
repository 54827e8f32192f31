package io.corvid.broker.store.mvstore;

import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.UserProperty;

/**
 * MQTT 5.0 property lists inside records, written explicitly rather than in MQTT's wire form,
 * so that the store does not depend on the codec's rules of where a property may appear:
 *
 * <ol>
 *   <li>the count of single-valued properties, then each as its MQTT identifier (one byte) and
 *       its value: a byte for BYTE, a variable-length integer for TWO_BYTE_INTEGER and
 *       VARIABLE_BYTE_INTEGER, a variable-length long for FOUR_BYTE_INTEGER, a string for
 *       UTF8_STRING, a byte array for BINARY_DATA;
 *   <li>the count of user properties, then each as its name and value strings, in order;
 *   <li>the count of subscription identifiers, then each as a variable-length integer, in order.
 * </ol>
 */
final class PropertiesEncoding {
    private PropertiesEncoding() {
    }

    static void write(RecordWriter out, Properties properties) {
        int count = properties.singleValuedCount();
        out.writeVarInt(count);
        for (int i = 0; i < count; i++) {
            Property property = properties.keyAt(i);
            Object value = properties.valueAt(i);
            out.writeByte(property.identifier());
            switch (property.type()) {
                case BYTE -> out.writeByte(((Number) value).intValue());
                case TWO_BYTE_INTEGER, VARIABLE_BYTE_INTEGER -> out.writeVarInt(((Number) value).intValue());
                case FOUR_BYTE_INTEGER -> out.writeVarLong(((Number) value).longValue());
                case UTF8_STRING -> out.writeString((String) value);
                case BINARY_DATA -> out.writeBytes((byte[]) value);
                case UTF8_STRING_PAIR -> throw new IllegalArgumentException("user property among single values");
            }
        }
        out.writeVarInt(properties.userProperties().size());
        for (UserProperty user : properties.userProperties()) {
            out.writeString(user.name());
            out.writeString(user.value());
        }
        int identifiers = properties.subscriptionIdentifierCount();
        out.writeVarInt(identifiers);
        for (int i = 0; i < identifiers; i++) {
            out.writeVarInt(properties.subscriptionIdentifier(i));
        }
    }

    static Properties read(RecordReader in) {
        try {
            Properties.Builder builder = Properties.builder();
            int count = in.readCount();
            for (int i = 0; i < count; i++) {
                int identifier = in.readByte();
                Property property = Property.fromIdentifier(identifier);
                if (property == null || property == Property.USER_PROPERTY
                        || property == Property.SUBSCRIPTION_IDENTIFIER) {
                    throw new CorruptRecordException("unknown single-valued property 0x"
                            + Integer.toHexString(identifier));
                }
                builder.put(property, readValue(in, property));
            }
            int users = in.readCount();
            for (int i = 0; i < users; i++) {
                builder.userProperty(in.readString(), in.readString());
            }
            int identifiers = in.readCount();
            for (int i = 0; i < identifiers; i++) {
                builder.subscriptionIdentifier(in.readVarInt());
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new CorruptRecordException("bad property value: " + e.getMessage(), e);
        }
    }

    private static Object readValue(RecordReader in, Property property) {
        return switch (property.type()) {
            case BYTE -> in.readByte();
            case TWO_BYTE_INTEGER, VARIABLE_BYTE_INTEGER -> in.readVarInt();
            case FOUR_BYTE_INTEGER -> in.readVarLong();
            case UTF8_STRING -> in.readString();
            case BINARY_DATA -> in.readBytes();
            case UTF8_STRING_PAIR -> throw new CorruptRecordException("user property among single values");
        };
    }
}
