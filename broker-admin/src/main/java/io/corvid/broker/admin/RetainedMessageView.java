package io.corvid.broker.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.UserProperty;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A retained message as JSON shows it.
 *
 * @param topic        its topic
 * @param qos          the QoS it was published with
 * @param payloadBytes the payload's length
 * @param encoding     {@code utf-8} or {@code base64}: how {@code payload} is written
 * @param payload      the payload, whole or its first {@link #PREVIEW_CHARACTERS} characters
 * @param truncated    whether {@code payload} is a shortened preview
 * @param properties   its MQTT 5.0 properties, when it has any and the view is whole
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record RetainedMessageView(String topic, int qos, int payloadBytes, String encoding, String payload,
                           boolean truncated, Map<String, Object> properties) {
    /** The longest payload a list shows. */
    static final int PREVIEW_CHARACTERS = 256;

    /** The message with its payload whole and its properties. */
    static RetainedMessageView full(Publish message) {
        Payloads.Encoded payload = Payloads.encode(message.payload());
        return new RetainedMessageView(message.topic(), message.qos().value(), message.payload().length,
                payload.encoding(), payload.text(), false, properties(message.properties()));
    }

    /** The message for a list: its payload cut to a preview, no properties. */
    static RetainedMessageView preview(Publish message) {
        byte[] bytes = message.payload();
        Payloads.Encoded payload = Payloads.encode(bytes);
        String text = payload.text();
        boolean truncated = false;
        if (payload.encoding().equals(Payloads.UTF_8) && text.length() > PREVIEW_CHARACTERS) {
            int end = Character.isHighSurrogate(text.charAt(PREVIEW_CHARACTERS - 1))
                    ? PREVIEW_CHARACTERS - 1 : PREVIEW_CHARACTERS;
            text = text.substring(0, end);
            truncated = true;
        } else if (payload.encoding().equals(Payloads.BASE64) && text.length() > PREVIEW_CHARACTERS) {
            // 3 bytes make 4 base64 characters: a whole number of groups, no padding mid-way.
            text = Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, PREVIEW_CHARACTERS / 4 * 3));
            truncated = true;
        }
        return new RetainedMessageView(message.topic(), message.qos().value(), bytes.length, payload.encoding(),
                text, truncated, null);
    }

    private static Map<String, Object> properties(Properties properties) {
        if (properties.isEmpty()) {
            return null;
        }
        Map<String, Object> view = new LinkedHashMap<>();
        for (int i = 0; i < properties.singleValuedCount(); i++) {
            Object value = properties.valueAt(i);
            view.put(name(properties.keyAt(i)),
                    value instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes) : value);
        }
        List<UserProperty> userProperties = properties.userProperties();
        if (!userProperties.isEmpty()) {
            view.put("userProperties", userProperties); // records: {"name": ..., "value": ...}
        }
        return view.isEmpty() ? null : view;
    }

    /** {@code MESSAGE_EXPIRY_INTERVAL} as {@code messageExpiryInterval}. */
    private static String name(Property property) {
        StringBuilder name = new StringBuilder();
        boolean upper = false;
        for (char c : property.name().toLowerCase(Locale.ROOT).toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }
}
