package io.corvid.broker.store.mvstore;

import io.corvid.broker.SessionStore.StoredMessage;
import io.corvid.broker.SessionStore.StoredSession;
import io.corvid.broker.SessionStore.StoredSubscription;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.RetainHandling;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.Will;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of the store's maps: sessions and messages (session messages and retained
 * messages alike), each a record that starts with its record version and ends with a CRC-32C
 * of its key and its bytes (see {@link RecordWriter}). A reader keeps every version it ever
 * wrote; a version it does not know is refused, never guessed at.
 *
 * <p>Session record, version 1 (the client identifier is the key):
 * <pre>
 *   version                 byte     1
 *   expiryIntervalSeconds   varlong
 *   disconnectedAtMillis    long
 *   protocolLevel           byte
 *   willDueAtMillis         long
 *   hasWill                 boolean
 *   [will topic             string
 *    will payload           bytes
 *    will qos               byte
 *    will retain            boolean
 *    will properties        properties]
 *   subscriptions           varint count, each: topic filter string, options byte, identifier varint
 *   inboundQos2PacketIds    varint count, each varint
 * </pre>
 * The options byte is laid out as in an MQTT 5.0 SUBSCRIBE: maximum QoS in bits 0-1, no local
 * in bit 2, retain as published in bit 3, retain handling in bits 4-5.
 *
 * <p>Message record, version 1 (expiry first, at a fixed offset, so that a purge can read it
 * without decoding the rest):
 * <pre>
 *   version                 byte     1
 *   expiresAtMillis         long
 *   sequence                varlong
 *   topic                   string
 *   payload                 bytes
 *   qos                     byte
 *   flags                   byte     bit 0 retain, bit 1 released, bit 2 publisher present
 *   [publisherId            string]
 *   packetId                varint
 *   subscriptionIdentifiers varint count, each varint
 *   properties              properties (see {@link PropertiesEncoding})
 * </pre>
 */
final class RecordCodec {
    static final int SESSION_VERSION = 1;
    static final int MESSAGE_VERSION = 1;

    private static final int RETAIN = 1;
    private static final int RELEASED = 2;
    private static final int HAS_PUBLISHER = 4;
    private static final int OPTION_NO_LOCAL = 0x04;
    private static final int OPTION_RETAIN_AS_PUBLISHED = 0x08;
    private static final int OPTION_RESERVED = 0xC0;

    private RecordCodec() {
    }

    // ------------------------------------------------------------ sessions

    static byte[] encodeSession(byte[] key, StoredSession session) {
        RecordWriter out = new RecordWriter(64 + 32 * session.subscriptions().size());
        out.writeByte(SESSION_VERSION);
        out.writeVarLong(session.expiryIntervalSeconds());
        out.writeLong(session.disconnectedAtMillis());
        out.writeByte(session.protocolLevel());
        out.writeLong(session.willDueAtMillis());
        Will will = session.will();
        out.writeBoolean(will != null);
        if (will != null) {
            out.writeString(will.topic());
            out.writeBytes(will.payload());
            out.writeByte(will.qos().value());
            out.writeBoolean(will.retain());
            PropertiesEncoding.write(out, will.properties());
        }
        out.writeVarInt(session.subscriptions().size());
        for (StoredSubscription stored : session.subscriptions()) {
            Subscription subscription = stored.subscription();
            out.writeString(subscription.topicFilter());
            out.writeByte(subscription.maxQos().value()
                    | (subscription.noLocal() ? OPTION_NO_LOCAL : 0)
                    | (subscription.retainAsPublished() ? OPTION_RETAIN_AS_PUBLISHED : 0)
                    | subscription.retainHandling().value() << 4);
            out.writeVarInt(stored.identifier());
        }
        out.writeVarInt(session.inboundQos2PacketIds().size());
        for (int packetId : session.inboundQos2PacketIds()) {
            out.writeVarInt(packetId);
        }
        return out.seal(key);
    }

    /** The session stored under {@code key}, without its messages. */
    static StoredSession decodeSession(byte[] key, byte[] record) {
        RecordReader in = RecordReader.open(key, record);
        int version = in.readByte();
        if (version != SESSION_VERSION) {
            throw new CorruptRecordException("unknown session record version " + version);
        }
        long expiryIntervalSeconds = in.readVarLong();
        long disconnectedAtMillis = in.readLong();
        int protocolLevel = in.readByte();
        long willDueAtMillis = in.readLong();
        Will will = null;
        if (in.readBoolean()) {
            will = new Will(in.readString(), in.readBytes(), qos(in.readByte()), in.readBoolean(),
                    PropertiesEncoding.read(in));
        }
        int subscriptionCount = in.readCount();
        List<StoredSubscription> subscriptions = new ArrayList<>(subscriptionCount);
        for (int i = 0; i < subscriptionCount; i++) {
            String filter = in.readString();
            Subscription subscription = subscription(filter, in.readByte());
            subscriptions.add(new StoredSubscription(subscription, in.readVarInt()));
        }
        int packetIdCount = in.readCount();
        List<Integer> inboundQos2PacketIds = new ArrayList<>(packetIdCount);
        for (int i = 0; i < packetIdCount; i++) {
            inboundQos2PacketIds.add(in.readVarInt());
        }
        in.expectEnd();
        return new StoredSession(Keys.text(key), expiryIntervalSeconds, disconnectedAtMillis, subscriptions, List.of(),
                inboundQos2PacketIds, protocolLevel, will, willDueAtMillis);
    }

    private static Subscription subscription(String filter, int options) {
        RetainHandling retainHandling = RetainHandling.fromValue((options >> 4) & 0x03);
        if ((options & OPTION_RESERVED) != 0 || retainHandling == null) {
            throw new CorruptRecordException("subscription options 0x" + Integer.toHexString(options));
        }
        return new Subscription(filter, qos(options & 0x03), (options & OPTION_NO_LOCAL) != 0,
                (options & OPTION_RETAIN_AS_PUBLISHED) != 0, retainHandling);
    }

    // ------------------------------------------------------------ messages

    static byte[] encodeMessage(byte[] key, StoredMessage message) {
        RecordWriter out = new RecordWriter(48 + message.topic().length() + message.payload().length);
        out.writeByte(MESSAGE_VERSION);
        out.writeLong(message.expiresAtMillis());
        out.writeVarLong(message.sequence());
        out.writeString(message.topic());
        out.writeBytes(message.payload());
        out.writeByte(message.qos().value());
        out.writeByte((message.retain() ? RETAIN : 0)
                | (message.released() ? RELEASED : 0)
                | (message.publisherId() != null ? HAS_PUBLISHER : 0));
        if (message.publisherId() != null) {
            out.writeString(message.publisherId());
        }
        out.writeVarInt(message.packetId());
        int[] identifiers = message.subscriptionIdentifiers();
        out.writeVarInt(identifiers.length);
        for (int identifier : identifiers) {
            out.writeVarInt(identifier);
        }
        PropertiesEncoding.write(out, message.properties());
        return out.seal(key);
    }

    static StoredMessage decodeMessage(byte[] key, byte[] record) {
        RecordReader in = RecordReader.open(key, record);
        int version = in.readByte();
        if (version != MESSAGE_VERSION) {
            throw new CorruptRecordException("unknown message record version " + version);
        }
        long expiresAtMillis = in.readLong();
        long sequence = in.readVarLong();
        String topic = in.readString();
        byte[] payload = in.readBytes();
        QoS qos = qos(in.readByte());
        int flags = in.readByte();
        if ((flags & ~(RETAIN | RELEASED | HAS_PUBLISHER)) != 0) {
            throw new CorruptRecordException("message flags 0x" + Integer.toHexString(flags));
        }
        String publisherId = (flags & HAS_PUBLISHER) != 0 ? in.readString() : null;
        int packetId = in.readVarInt();
        int[] identifiers = new int[in.readCount()];
        for (int i = 0; i < identifiers.length; i++) {
            identifiers[i] = in.readVarInt();
        }
        Properties properties = PropertiesEncoding.read(in);
        in.expectEnd();
        return new StoredMessage(sequence, topic, payload, qos, (flags & RETAIN) != 0, properties, publisherId,
                expiresAtMillis, identifiers, packetId, (flags & RELEASED) != 0);
    }

    /**
     * The expiry of a stored message, read without decoding or checking the rest of the record
     * (the record was checked when the store was opened).
     */
    static long messageExpiresAtMillis(byte[] key, byte[] record) {
        if (record.length >= 9 && (record[0] & 0xFF) == MESSAGE_VERSION) {
            long value = 0;
            for (int i = 1; i <= 8; i++) {
                value = (value << 8) | (record[i] & 0xFF);
            }
            return value;
        }
        return decodeMessage(key, record).expiresAtMillis();
    }

    private static QoS qos(int value) {
        QoS qos = QoS.fromValue(value);
        if (qos == null) {
            throw new CorruptRecordException("QoS " + value);
        }
        return qos;
    }
}
