package io.corvid.broker.cluster.hazelcast;

import io.corvid.broker.ClusterMessage;
import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The frames of the data plane, one per message between two nodes. On the wire each frame is a
 * 4-byte big-endian length and then its body; this class makes and reads bodies.
 *
 * <p>A connection opens with a HELLO: type 1, the protocol version, the cluster name and the
 * sending node's identifier, so that a node never takes messages from another cluster or from
 * a node of an incompatible version. Then MESSAGE frames: type 2, a flags byte (bit 0: a
 * publisher identifier follows; bit 1: a retained message's version follows; bit 2: shared groups
 * follow; bit 3: for those groups only, not for the receiving node's other subscribers), the
 * publisher identifier as an MQTT string, the version (an 8-byte stamp and the writing node's
 * identifier as an MQTT string, see {@link RetainedVersion}), the shared groups the receiving
 * node is to serve (a 2-byte count, at least 1, then each {@code $share/{name}/{filter}} as an
 * MQTT string), and the message as an MQTT 5.0 PUBLISH made by the core's own encoder. The PUBLISH carries topic, QoS, RETAIN,
 * payload and the forwardable properties; its Message Expiry Interval is the seconds left; its
 * packet identifier means nothing (1 for QoS 1 and 2, which need one).
 */
final class FrameCodec {
    /** The data-plane protocol version this node speaks; a HELLO with another is refused. */
    static final int PROTOCOL_VERSION = 3;
    static final byte HELLO = 1;
    static final byte MESSAGE = 2;
    /** Bytes of frame length before each body. */
    static final int LENGTH_FIELD = 4;
    /** The most bytes of shared group names one frame carries (tens of thousands of groups). */
    static final int MAX_SHARES_BYTES = 1024 * 1024;
    /**
     * The largest body: the largest MQTT packet plus the type, flags, publisher identifier,
     * version and shared groups.
     */
    static final int MAX_BODY = MqttDecoder.MAX_PACKET_SIZE_LIMIT + 4 + 0xFFFF + 10 + 0xFFFF + MAX_SHARES_BYTES;

    private static final int HAS_PUBLISHER = 1;
    private static final int HAS_VERSION = 2;
    private static final int HAS_SHARES = 4;
    private static final int SHARES_ONLY = 8;

    private FrameCodec() {
    }

    /** A HELLO body. */
    static byte[] hello(String clusterName, String nodeId) {
        byte[] name = utf8(clusterName);
        byte[] node = utf8(nodeId);
        ByteBuffer out = ByteBuffer.allocate(2 + 2 + name.length + 2 + node.length);
        out.put(HELLO).put((byte) PROTOCOL_VERSION);
        putString(out, name);
        putString(out, node);
        return out.array();
    }

    /** What a HELLO says. */
    record Hello(int version, String clusterName, String nodeId) {
    }

    /** Reads a HELLO body (its type byte included). */
    static Hello readHello(ByteBuffer body) {
        if (body.get() != HELLO) {
            throw new IllegalArgumentException("the first frame is not a HELLO");
        }
        int version = body.get() & 0xFF;
        String clusterName = getString(body);
        String nodeId = getString(body);
        requireEnd(body, "HELLO");
        return new Hello(version, clusterName, nodeId);
    }

    /** A MESSAGE body without a version. */
    static byte[] message(ClusterMessage message) {
        return message(message, null);
    }

    /** A MESSAGE body for the receiving node's subscribers; {@code version} is a retained message's, or {@code null}. */
    static byte[] message(ClusterMessage message, RetainedVersion version) {
        return message(message, version, List.of(), false);
    }

    /**
     * A MESSAGE body.
     *
     * @param version    a retained message's version, or {@code null}
     * @param shares     the shared groups ({@code $share/{name}/{filter}}) the receiving node is to
     *                   serve; may be empty
     * @param sharesOnly whether the frame is for those groups only (then {@code shares} is not
     *                   empty and there is no version)
     * @throws IllegalArgumentException when the groups' names take more than
     *                                  {@link #MAX_SHARES_BYTES}, or the combination is not allowed
     */
    static byte[] message(ClusterMessage message, RetainedVersion version, List<String> shares, boolean sharesOnly) {
        if (sharesOnly && (shares.isEmpty() || version != null)) {
            throw new IllegalArgumentException("a frame for shared groups only names groups and has no version");
        }
        byte[][] shareBytes = encodeShares(shares);
        Properties properties = message.properties();
        if (message.expirySeconds() != ClusterMessage.NEVER_EXPIRES) {
            properties = properties.with(Property.MESSAGE_EXPIRY_INTERVAL, message.expirySeconds());
        }
        Publish publish = new Publish(message.topic(), message.qos(), message.retain(), false,
                message.qos() == QoS.AT_MOST_ONCE ? 0 : 1, message.payload(), properties);
        byte[] publisher = message.publisherId() == null ? null : utf8(message.publisherId());
        byte[] versionNode = version == null ? null : utf8(version.node());
        int size = 2 + (publisher == null ? 0 : 2 + publisher.length)
                + (versionNode == null ? 0 : 8 + 2 + versionNode.length)
                + sharesSize(shareBytes)
                + MqttEncoder.encodedSize(publish, ProtocolVersion.MQTT_5);
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(MESSAGE).put((byte) ((publisher == null ? 0 : HAS_PUBLISHER) | (version == null ? 0 : HAS_VERSION)
                | (shareBytes.length == 0 ? 0 : HAS_SHARES) | (sharesOnly ? SHARES_ONLY : 0)));
        if (publisher != null) {
            putString(out, publisher);
        }
        if (version != null) {
            out.putLong(version.stamp());
            putString(out, versionNode);
        }
        if (shareBytes.length > 0) {
            out.putShort((short) shareBytes.length);
            for (byte[] share : shareBytes) {
                putString(out, share);
            }
        }
        MqttEncoder.encode(publish, ProtocolVersion.MQTT_5, out);
        return out.array();
    }

    /**
     * What a MESSAGE frame carries.
     *
     * @param message    the message
     * @param version    a retained message's version, or {@code null}
     * @param shares     the shared groups the receiving node is to serve (often none)
     * @param sharesOnly whether it is for those groups only, not for the node's other subscribers
     */
    record Inbound(ClusterMessage message, RetainedVersion version, List<String> shares, boolean sharesOnly) {
    }

    /**
     * Reads a MESSAGE body (its type byte included).
     *
     * @param decoder the connection's decoder (MQTT 5.0, client role: it reads what a server sends)
     * @throws IllegalArgumentException when the body is not a well-formed MESSAGE
     */
    static Inbound readMessage(ByteBuffer body, MqttDecoder decoder) {
        if (body.get() != MESSAGE) {
            throw new IllegalArgumentException("not a MESSAGE frame");
        }
        int flags = body.get() & 0xFF;
        String publisherId = (flags & HAS_PUBLISHER) != 0 ? getString(body) : null;
        RetainedVersion version = null;
        if ((flags & HAS_VERSION) != 0) {
            if (body.remaining() < 8) {
                throw new IllegalArgumentException("a retained message's version is cut off");
            }
            long stamp = body.getLong();
            version = new RetainedVersion(stamp, getString(body));
        }
        List<String> shares = List.of();
        if ((flags & HAS_SHARES) != 0) {
            shares = readShares(body);
        }
        boolean sharesOnly = (flags & SHARES_ONLY) != 0;
        if (sharesOnly && (shares.isEmpty() || version != null)) {
            throw new IllegalArgumentException("a frame for shared groups only without groups, or with a version");
        }
        DecodeResult result = decoder.decode(body);
        if (!(result instanceof DecodeResult.Decoded decoded) || !(decoded.packet() instanceof Publish publish)) {
            throw new IllegalArgumentException("a MESSAGE frame without a well-formed PUBLISH: " + result);
        }
        requireEnd(body, "MESSAGE");
        Properties properties = publish.properties();
        long expiry = properties.getLong(Property.MESSAGE_EXPIRY_INTERVAL, ClusterMessage.NEVER_EXPIRES);
        return new Inbound(new ClusterMessage(publish.topic(), publish.payload(), publish.qos(), publish.retain(),
                properties.without(Property.MESSAGE_EXPIRY_INTERVAL), publisherId, expiry), version, shares, sharesOnly);
    }

    private static byte[][] encodeShares(List<String> shares) {
        if (shares.size() > 0xFFFF) {
            throw new IllegalArgumentException("more than 65,535 shared groups in one frame: " + shares.size());
        }
        byte[][] encoded = new byte[shares.size()][];
        long total = 0;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = utf8(shares.get(i));
            total += 2 + encoded[i].length;
        }
        if (total > MAX_SHARES_BYTES) {
            throw new IllegalArgumentException("the shared groups of one frame take " + total + " bytes, more than "
                    + MAX_SHARES_BYTES);
        }
        return encoded;
    }

    private static int sharesSize(byte[][] shares) {
        if (shares.length == 0) {
            return 0;
        }
        int size = 2;
        for (byte[] share : shares) {
            size += 2 + share.length;
        }
        return size;
    }

    private static List<String> readShares(ByteBuffer body) {
        if (body.remaining() < 2) {
            throw new IllegalArgumentException("the count of shared groups is cut off");
        }
        int count = body.getShort() & 0xFFFF;
        if (count == 0) {
            throw new IllegalArgumentException("a frame that announces shared groups names none");
        }
        String[] shares = new String[count];
        for (int i = 0; i < count; i++) {
            shares[i] = getString(body);
        }
        return List.of(shares);
    }

    /** A decoder for MESSAGE frames: PUBLISH packets as large as MQTT allows. */
    static MqttDecoder newDecoder() {
        return MqttDecoder.forClient(ProtocolVersion.MQTT_5, MqttDecoder.MAX_PACKET_SIZE_LIMIT);
    }

    private static byte[] utf8(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("longer than 65,535 bytes in UTF-8: " + text.substring(0, 32) + "...");
        }
        return bytes;
    }

    private static void putString(ByteBuffer out, byte[] bytes) {
        out.putShort((short) bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer in) {
        if (in.remaining() < 2) {
            throw new IllegalArgumentException("a string's length is cut off");
        }
        int length = in.getShort() & 0xFFFF;
        if (in.remaining() < length) {
            throw new IllegalArgumentException("a string of " + length + " bytes is cut off");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void requireEnd(ByteBuffer body, String frame) {
        if (body.hasRemaining()) {
            throw new IllegalArgumentException(body.remaining() + " bytes after the end of a " + frame + " frame");
        }
    }
}
