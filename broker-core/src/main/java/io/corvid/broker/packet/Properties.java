package io.corvid.broker.packet;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable MQTT 5.0 property list.
 *
 * <p>Single-valued properties are kept in insertion order; user properties keep their order
 * and may repeat; subscription identifiers may repeat (in PUBLISH). Numeric values are held as
 * {@link Integer} for byte, two-byte and variable-byte-integer properties and as {@link Long}
 * for four-byte integers, whose range is unsigned 32-bit. Binary values are {@code byte[]} that
 * callers must not modify.
 *
 * <p>Most packets carry no properties; they share {@link #EMPTY}, so an MQTT 3.1.1 broker pays
 * nothing for this class.
 */
public final class Properties {

    /** The empty property list. */
    public static final Properties EMPTY =
            new Properties(new Property[0], new Object[0], List.of(), new int[0]);

    private static final long MAX_FOUR_BYTE = 0xFFFF_FFFFL;
    private static final int[] NO_IDENTIFIERS = new int[0];
    private static final int MAX_VARIABLE_BYTE_INTEGER = 268_435_455;

    private final Property[] keys;
    private final Object[] values;
    private final List<UserProperty> userProperties;
    private final int[] subscriptionIdentifiers;

    private Properties(Property[] keys, Object[] values, List<UserProperty> userProperties,
                       int[] subscriptionIdentifiers) {
        this.keys = keys;
        this.values = values;
        this.userProperties = userProperties;
        this.subscriptionIdentifiers = subscriptionIdentifiers;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this list, to derive a modified copy. */
    public Builder toBuilder() {
        // The values were checked when this list was built: copy them as they are.
        Builder builder = new Builder();
        builder.keys = Arrays.copyOf(keys, Math.max(4, keys.length + 1));
        builder.values = Arrays.copyOf(values, builder.keys.length);
        builder.count = keys.length;
        if (!userProperties.isEmpty()) {
            builder.userProperties = userProperties.toArray(new UserProperty[0]);
            builder.userPropertyCount = builder.userProperties.length;
        }
        builder.subscriptionIdentifiers = subscriptionIdentifiers; // the builder copies before appending
        return builder;
    }

    /** True when the list holds no property at all. */
    public boolean isEmpty() {
        return keys.length == 0 && userProperties.isEmpty() && subscriptionIdentifiers.length == 0;
    }

    /** Whether a single-valued property (or at least one user property / subscription id) is present. */
    public boolean contains(Property property) {
        if (property == Property.USER_PROPERTY) {
            return !userProperties.isEmpty();
        }
        if (property == Property.SUBSCRIPTION_IDENTIFIER && subscriptionIdentifiers.length > 0) {
            return true;
        }
        return indexOf(property) >= 0;
    }

    /**
     * The value of a single-valued property, or {@code null} when absent. For
     * {@link Property#SUBSCRIPTION_IDENTIFIER} this returns the first identifier; use
     * {@link #subscriptionIdentifiers()} for all of them.
     */
    public Object get(Property property) {
        if (property == Property.SUBSCRIPTION_IDENTIFIER) {
            return subscriptionIdentifiers.length > 0 ? subscriptionIdentifiers[0] : null;
        }
        if (property == Property.USER_PROPERTY) {
            throw new IllegalArgumentException("user properties are read with userProperties()");
        }
        int index = indexOf(property);
        return index >= 0 ? values[index] : null;
    }

    /** A numeric property's value, or {@code defaultValue} when absent. */
    public long getLong(Property property, long defaultValue) {
        Object value = get(property);
        return value == null ? defaultValue : ((Number) value).longValue();
    }

    /** A numeric property's value as an int, or {@code defaultValue} when absent. */
    public int getInt(Property property, int defaultValue) {
        Object value = get(property);
        return value == null ? defaultValue : ((Number) value).intValue();
    }

    /** A UTF-8 string property's value, or {@code null} when absent. */
    public String getString(Property property) {
        return (String) get(property);
    }

    /** A binary property's value, or {@code null} when absent. The array must not be modified. */
    public byte[] getBinary(Property property) {
        return (byte[]) get(property);
    }

    /** The user properties in their original order; immutable. */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    /** The subscription identifiers in their original order (a copy). */
    public int[] subscriptionIdentifiers() {
        return subscriptionIdentifiers.clone();
    }

    /** How many subscription identifiers the list holds. */
    public int subscriptionIdentifierCount() {
        return subscriptionIdentifiers.length;
    }

    /** The subscription identifier at a position, without copying the array. */
    public int subscriptionIdentifier(int index) {
        return subscriptionIdentifiers[index];
    }

    /** How many single-valued properties the list holds (user properties and subscription ids not counted). */
    public int singleValuedCount() {
        return keys.length;
    }

    /** The single-valued property at a position, in insertion order. */
    public Property keyAt(int index) {
        return keys[index];
    }

    /** The value of the single-valued property at a position. */
    public Object valueAt(int index) {
        return values[index];
    }

    /** A copy without the given single-valued property; this list itself when it is absent. */
    public Properties without(Property property) {
        if (property == Property.USER_PROPERTY) {
            return userProperties.isEmpty() ? this
                    : new Properties(keys, values, List.of(), subscriptionIdentifiers);
        }
        if (property == Property.SUBSCRIPTION_IDENTIFIER) {
            return subscriptionIdentifiers.length == 0 ? this
                    : new Properties(keys, values, userProperties, new int[0]);
        }
        int index = indexOf(property);
        if (index < 0) {
            return this;
        }
        Property[] newKeys = new Property[keys.length - 1];
        Object[] newValues = new Object[values.length - 1];
        System.arraycopy(keys, 0, newKeys, 0, index);
        System.arraycopy(values, 0, newValues, 0, index);
        System.arraycopy(keys, index + 1, newKeys, index, keys.length - index - 1);
        System.arraycopy(values, index + 1, newValues, index, values.length - index - 1);
        if (newKeys.length == 0 && userProperties.isEmpty() && subscriptionIdentifiers.length == 0) {
            return EMPTY;
        }
        return new Properties(newKeys, newValues, userProperties, subscriptionIdentifiers);
    }

    /** A copy with one single-valued property set (replaced if present). */
    public Properties with(Property property, Object value) {
        return toBuilder().put(property, value).build();
    }

    private int indexOf(Property property) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == property) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Equal when both hold the same single-valued properties (in any order), the same user
     * properties in the same order and the same subscription identifiers in the same order.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Properties other)) {
            return false;
        }
        if (keys.length != other.keys.length
                || !userProperties.equals(other.userProperties)
                || !Arrays.equals(subscriptionIdentifiers, other.subscriptionIdentifiers)) {
            return false;
        }
        for (int i = 0; i < keys.length; i++) {
            int j = other.indexOf(keys[i]);
            if (j < 0 || !Objects.deepEquals(values[i], other.values[j])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 0;
        for (int i = 0; i < keys.length; i++) {
            Object value = values[i];
            int valueHash = value instanceof byte[] bytes ? Arrays.hashCode(bytes) : value.hashCode();
            hash += keys[i].hashCode() ^ valueHash;
        }
        return 31 * (31 * hash + userProperties.hashCode()) + Arrays.hashCode(subscriptionIdentifiers);
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "{}";
        }
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < keys.length; i++) {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(keys[i]).append('=');
            Object value = values[i];
            if (value instanceof byte[] bytes) {
                text.append(bytes.length).append(" bytes");
            } else {
                text.append(value);
            }
        }
        for (int id : subscriptionIdentifiers) {
            text.append(text.length() > 1 ? ", " : "").append("SUBSCRIPTION_IDENTIFIER=").append(id);
        }
        for (UserProperty user : userProperties) {
            text.append(text.length() > 1 ? ", " : "")
                    .append(user.name()).append(':').append(user.value());
        }
        return text.append('}').toString();
    }

    /** Builds a {@link Properties}; checks each value against its property's wire type. */
    public static final class Builder {
        // Plain arrays, not lists: the decoder builds one of these for every MQTT 5.0 packet.
        private Property[] keys = new Property[4];
        private Object[] values = new Object[4];
        private int count;
        private UserProperty[] userProperties;
        private int userPropertyCount;
        private int[] subscriptionIdentifiers = NO_IDENTIFIERS;

        private Builder() {
        }

        /**
         * Sets a single-valued property, replacing an earlier value. A subscription identifier
         * put here is added to the list of identifiers.
         *
         * @throws IllegalArgumentException if the value does not fit the property's wire type
         */
        public Builder put(Property property, Object value) {
            Objects.requireNonNull(property, "property");
            Objects.requireNonNull(value, "value");
            if (!hasJavaType(property, value)) {
                throw new IllegalArgumentException(property + " takes a " + property.type() + " value, not a "
                        + value.getClass().getSimpleName());
            }
            if (property == Property.USER_PROPERTY) {
                UserProperty user = (UserProperty) value;
                return userProperty(user.name(), user.value());
            }
            if (property == Property.SUBSCRIPTION_IDENTIFIER) {
                return subscriptionIdentifier(((Number) value).intValue());
            }
            Object checked = checked(property, value);
            int index = indexOf(property);
            if (index >= 0) {
                values[index] = checked;
            } else {
                if (count == keys.length) {
                    keys = Arrays.copyOf(keys, count * 2);
                    values = Arrays.copyOf(values, count * 2);
                }
                keys[count] = property;
                values[count] = checked;
                count++;
            }
            return this;
        }

        private int indexOf(Property property) {
            for (int i = 0; i < count; i++) {
                if (keys[i] == property) {
                    return i;
                }
            }
            return -1;
        }

        /** Appends a user property. */
        public Builder userProperty(String name, String value) {
            if (userProperties == null) {
                userProperties = new UserProperty[2];
            } else if (userPropertyCount == userProperties.length) {
                userProperties = Arrays.copyOf(userProperties, userPropertyCount * 2);
            }
            userProperties[userPropertyCount++] = new UserProperty(name, value);
            return this;
        }

        /** Appends a subscription identifier (1 to 268,435,455). */
        public Builder subscriptionIdentifier(int identifier) {
            if (identifier < 1 || identifier > MAX_VARIABLE_BYTE_INTEGER) {
                throw new IllegalArgumentException("subscription identifier out of range: " + identifier);
            }
            int[] grown = Arrays.copyOf(subscriptionIdentifiers, subscriptionIdentifiers.length + 1);
            grown[grown.length - 1] = identifier;
            subscriptionIdentifiers = grown;
            return this;
        }

        /** Removes a single-valued property, or all user properties, or all subscription identifiers. */
        public Builder remove(Property property) {
            if (property == Property.USER_PROPERTY) {
                userProperties = null;
                userPropertyCount = 0;
            } else if (property == Property.SUBSCRIPTION_IDENTIFIER) {
                subscriptionIdentifiers = NO_IDENTIFIERS;
            } else {
                int index = indexOf(property);
                if (index >= 0) {
                    System.arraycopy(keys, index + 1, keys, index, count - index - 1);
                    System.arraycopy(values, index + 1, values, index, count - index - 1);
                    count--;
                    keys[count] = null;
                    values[count] = null;
                }
            }
            return this;
        }

        /** The immutable list; {@link Properties#EMPTY} when nothing was set. */
        public Properties build() {
            if (count == 0 && userPropertyCount == 0 && subscriptionIdentifiers.length == 0) {
                return EMPTY;
            }
            List<UserProperty> users = userPropertyCount == 0 ? List.of()
                    : List.of(Arrays.copyOf(userProperties, userPropertyCount));
            return new Properties(Arrays.copyOf(keys, count), Arrays.copyOf(values, count), users,
                    subscriptionIdentifiers);
        }

        private static Object checked(Property property, Object value) {
            switch (property.type()) {
                case BYTE:
                    return checkedInt(property, value, 0xFF);
                case TWO_BYTE_INTEGER:
                    return checkedInt(property, value, 0xFFFF);
                case VARIABLE_BYTE_INTEGER:
                    return checkedInt(property, value, MAX_VARIABLE_BYTE_INTEGER);
                case FOUR_BYTE_INTEGER: {
                    long number = ((Number) value).longValue();
                    if (number < 0 || number > MAX_FOUR_BYTE) {
                        throw new IllegalArgumentException(property + " out of range: " + number);
                    }
                    return number;
                }
                case UTF8_STRING: {
                    String text = (String) value;
                    // Up to 21,845 characters can never exceed 65,535 bytes: only longer text is measured.
                    if (text.length() > 0xFFFF / 3 && text.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
                        throw new IllegalArgumentException(property + " longer than 65,535 bytes");
                    }
                    return text;
                }
                case BINARY_DATA: {
                    byte[] bytes = (byte[]) value;
                    if (bytes.length > 0xFFFF) {
                        throw new IllegalArgumentException(property + " longer than 65,535 bytes");
                    }
                    return bytes;
                }
                default:
                    throw new IllegalArgumentException("not a single-valued property: " + property);
            }
        }

        /** Whether the value is of the Java type that stands for the property's wire type. */
        private static boolean hasJavaType(Property property, Object value) {
            return switch (property.type()) {
                case BYTE, TWO_BYTE_INTEGER, FOUR_BYTE_INTEGER, VARIABLE_BYTE_INTEGER -> value instanceof Number;
                case UTF8_STRING -> value instanceof String;
                case BINARY_DATA -> value instanceof byte[];
                case UTF8_STRING_PAIR -> value instanceof UserProperty;
            };
        }

        private static Integer checkedInt(Property property, Object value, int max) {
            long number = ((Number) value).longValue();
            if (number < 0 || number > max) {
                throw new IllegalArgumentException(property + " out of range: " + number);
            }
            return (int) number;
        }
    }
}
