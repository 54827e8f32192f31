package io.corvid.broker.codec;

import static io.corvid.broker.codec.MqttDecoder.Role.CLIENT;
import static io.corvid.broker.codec.MqttDecoder.Role.SERVER;
import static io.corvid.broker.packet.Property.ASSIGNED_CLIENT_IDENTIFIER;
import static io.corvid.broker.packet.Property.AUTHENTICATION_DATA;
import static io.corvid.broker.packet.Property.AUTHENTICATION_METHOD;
import static io.corvid.broker.packet.Property.CONTENT_TYPE;
import static io.corvid.broker.packet.Property.CORRELATION_DATA;
import static io.corvid.broker.packet.Property.MAXIMUM_PACKET_SIZE;
import static io.corvid.broker.packet.Property.MAXIMUM_QOS;
import static io.corvid.broker.packet.Property.MESSAGE_EXPIRY_INTERVAL;
import static io.corvid.broker.packet.Property.PAYLOAD_FORMAT_INDICATOR;
import static io.corvid.broker.packet.Property.REASON_STRING;
import static io.corvid.broker.packet.Property.RECEIVE_MAXIMUM;
import static io.corvid.broker.packet.Property.REQUEST_PROBLEM_INFORMATION;
import static io.corvid.broker.packet.Property.REQUEST_RESPONSE_INFORMATION;
import static io.corvid.broker.packet.Property.RESPONSE_INFORMATION;
import static io.corvid.broker.packet.Property.RESPONSE_TOPIC;
import static io.corvid.broker.packet.Property.RETAIN_AVAILABLE;
import static io.corvid.broker.packet.Property.SERVER_KEEP_ALIVE;
import static io.corvid.broker.packet.Property.SERVER_REFERENCE;
import static io.corvid.broker.packet.Property.SESSION_EXPIRY_INTERVAL;
import static io.corvid.broker.packet.Property.SHARED_SUBSCRIPTION_AVAILABLE;
import static io.corvid.broker.packet.Property.SUBSCRIPTION_IDENTIFIER_AVAILABLE;
import static io.corvid.broker.packet.Property.TOPIC_ALIAS;
import static io.corvid.broker.packet.Property.TOPIC_ALIAS_MAXIMUM;
import static io.corvid.broker.packet.Property.WILDCARD_SUBSCRIPTION_AVAILABLE;
import static io.corvid.broker.packet.Property.WILL_DELAY_INTERVAL;
import static io.corvid.broker.packet.QoS.AT_LEAST_ONCE;
import static io.corvid.broker.packet.QoS.AT_MOST_ONCE;
import static io.corvid.broker.packet.QoS.EXACTLY_ONCE;
import static io.corvid.broker.packet.ReasonCode.BAD_USER_NAME_OR_PASSWORD;
import static io.corvid.broker.packet.ReasonCode.CLIENT_IDENTIFIER_NOT_VALID;
import static io.corvid.broker.packet.ReasonCode.CONTINUE_AUTHENTICATION;
import static io.corvid.broker.packet.ReasonCode.DISCONNECT_WITH_WILL_MESSAGE;
import static io.corvid.broker.packet.ReasonCode.GRANTED_QOS_0;
import static io.corvid.broker.packet.ReasonCode.GRANTED_QOS_1;
import static io.corvid.broker.packet.ReasonCode.GRANTED_QOS_2;
import static io.corvid.broker.packet.ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
import static io.corvid.broker.packet.ReasonCode.MALFORMED_PACKET;
import static io.corvid.broker.packet.ReasonCode.NORMAL_DISCONNECTION;
import static io.corvid.broker.packet.ReasonCode.NOT_AUTHORIZED;
import static io.corvid.broker.packet.ReasonCode.NO_MATCHING_SUBSCRIBERS;
import static io.corvid.broker.packet.ReasonCode.NO_SUBSCRIPTION_EXISTED;
import static io.corvid.broker.packet.ReasonCode.PACKET_IDENTIFIER_IN_USE;
import static io.corvid.broker.packet.ReasonCode.PACKET_IDENTIFIER_NOT_FOUND;
import static io.corvid.broker.packet.ReasonCode.PACKET_TOO_LARGE;
import static io.corvid.broker.packet.ReasonCode.PAYLOAD_FORMAT_INVALID;
import static io.corvid.broker.packet.ReasonCode.PROTOCOL_ERROR;
import static io.corvid.broker.packet.ReasonCode.QUOTA_EXCEEDED;
import static io.corvid.broker.packet.ReasonCode.RE_AUTHENTICATE;
import static io.corvid.broker.packet.ReasonCode.SERVER_UNAVAILABLE;
import static io.corvid.broker.packet.ReasonCode.SESSION_TAKEN_OVER;
import static io.corvid.broker.packet.ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
import static io.corvid.broker.packet.ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED;
import static io.corvid.broker.packet.ReasonCode.SUCCESS;
import static io.corvid.broker.packet.ReasonCode.TOPIC_ALIAS_INVALID;
import static io.corvid.broker.packet.ReasonCode.TOPIC_FILTER_INVALID;
import static io.corvid.broker.packet.ReasonCode.TOPIC_NAME_INVALID;
import static io.corvid.broker.packet.ReasonCode.UNSPECIFIED_ERROR;
import static io.corvid.broker.packet.ReasonCode.UNSUPPORTED_PROTOCOL_VERSION;
import static io.corvid.broker.packet.ReasonCode.USE_ANOTHER_SERVER;
import static io.corvid.broker.packet.ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED;

import io.corvid.broker.codec.MqttDecoder.Role;
import io.corvid.broker.packet.Auth;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.PubAck;
import io.corvid.broker.packet.PubComp;
import io.corvid.broker.packet.PubRec;
import io.corvid.broker.packet.PubRel;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.RetainHandling;
import io.corvid.broker.packet.SubAck;
import io.corvid.broker.packet.Subscribe;
import io.corvid.broker.packet.Subscription;
import io.corvid.broker.packet.UnsubAck;
import io.corvid.broker.packet.Unsubscribe;
import io.corvid.broker.packet.Will;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The shared table of named byte-level MQTT cases: raw bytes, the decoder that reads them
 * (role and protocol version), and either the packet they decode to or the reason code of the
 * error the decoder must report. Codec tests use every case; engine and transport tests (in
 * other modules, through broker-core's test-jar) pick cases by name or by kind.
 *
 * <p>Conventions:
 * <ul>
 *   <li>{@link Case#version()} {@code null} means a server decoder that has not seen CONNECT
 *       yet: the CONNECT cases and the "first packet is not CONNECT" cases. Otherwise a server
 *       case runs on a decoder that has accepted a minimal CONNECT of that version
 *       ({@link #connectFor}), and a client case on {@link MqttDecoder#forClient}.</li>
 *   <li>{@link Case#canonical()} is true when encoding the expected packet gives back exactly
 *       the case's bytes; lenient cases (a zero property length the encoder would omit, a
 *       non-minimal 3.1.1 remaining length) are decoded but not reproduced.</li>
 *   <li>Cases named "spec ..." carry the byte layouts of the examples in the MQTT 3.1.1 and 5.0
 *       specifications (figures in sections 1.5.4, 3.1.2.11, 3.3.2, 3.8, 3.9, 3.10).</li>
 *   <li>Bytes are written in the annotated hex of {@link Hex}: {@code "text"} is UTF-8 text,
 *       {@code 41*120} is 0x41 repeated 120 times, {@code #} starts a comment.</li>
 * </ul>
 *
 * <p>Use {@link #decoderFor(Case)} to get a decoder in the state a case expects.
 */
public final class PacketCatalogue {

    /** The maximum packet size of decoders for cases that do not ask for a smaller one. */
    public static final int DEFAULT_MAXIMUM_PACKET_SIZE = MqttDecoder.MAX_PACKET_SIZE_LIMIT;

    private static final ProtocolVersion V31 = ProtocolVersion.MQTT_3_1;
    private static final ProtocolVersion V311 = ProtocolVersion.MQTT_3_1_1;
    private static final ProtocolVersion V5 = ProtocolVersion.MQTT_5;
    /** The version of server cases that run before any CONNECT. */
    private static final ProtocolVersion BEFORE_CONNECT = null;

    private static final List<Case> BUILDING = new ArrayList<>();

    /** Every case, in the order of this file. Immutable. */
    public static final List<Case> CASES;

    static {
        connect();
        connectErrors();
        beforeConnect();
        connAck();
        publish();
        publishErrors();
        publishFlow();
        subscribe();
        subAck();
        unsubscribe();
        unsubAck();
        ping();
        disconnect();
        auth();
        fixedHeader();
        CASES = Collections.unmodifiableList(new ArrayList<>(BUILDING));
        BUILDING.clear();
        Set<String> names = new HashSet<>();
        for (Case c : CASES) {
            if (!names.add(c.name())) {
                throw new IllegalStateException("two catalogue cases are named " + c.name());
            }
        }
    }

    private PacketCatalogue() {
    }

    /**
     * One named case.
     *
     * @param name              unique, descriptive; also the display name in parameterized tests
     * @param role              the end of the connection whose decoder reads the bytes
     * @param version           the connection's version, or {@code null} for a server decoder
     *                          before CONNECT
     * @param maximumPacketSize the decoder's maximum packet size
     * @param bytes             the wire bytes (use {@link #bytes()}, which copies)
     * @param packet            the expected packet, or {@code null} for an error case
     * @param error             the expected error's reason code, or {@code null} for a packet case
     * @param canonical         whether encoding {@code packet} reproduces {@code bytes}
     */
    public record Case(String name, Role role, ProtocolVersion version, int maximumPacketSize,
                       byte[] bytes, MqttPacket packet, ReasonCode error, boolean canonical) {
        public Case {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(bytes, "bytes");
            if ((packet == null) == (error == null)) {
                throw new IllegalArgumentException(name + ": exactly one of packet and error");
            }
            if (role == CLIENT && version == null) {
                throw new IllegalArgumentException(name + ": a client decoder always has a version");
            }
            bytes = bytes.clone();
        }

        /** A copy of the wire bytes. */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The number of wire bytes. */
        public int length() {
            return bytes.length;
        }

        /** True when the decoder must report an error. */
        public boolean isError() {
            return error != null;
        }

        /** The version to encode {@link #packet()} in: the case's, or the CONNECT's own. */
        public ProtocolVersion encodingVersion() {
            if (version != null) {
                return version;
            }
            return packet instanceof Connect connect ? connect.protocolVersion() : null;
        }

        /** A fresh heap buffer holding the bytes, position 0. */
        public ByteBuffer buffer() {
            return ByteBuffer.wrap(bytes());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Case other && name.equals(other.name);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // ------------------------------------------------------------------ access

    /** The case with this name; IllegalArgumentException if there is none. */
    public static Case named(String name) {
        for (Case c : CASES) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no catalogue case named " + name);
    }

    /** The cases that decode to a packet. */
    public static List<Case> packets() {
        return CASES.stream().filter(c -> !c.isError()).toList();
    }

    /** The cases that decode to an error. */
    public static List<Case> errors() {
        return CASES.stream().filter(Case::isError).toList();
    }

    /** A decoder in the state the case expects. */
    public static MqttDecoder decoderFor(Case c) {
        return decoder(c.role(), c.version(), c.maximumPacketSize());
    }

    /**
     * A decoder for one end of a connection. A server decoder with a version has already
     * accepted {@link #connectFor(ProtocolVersion)}; with {@code null} it waits for CONNECT.
     */
    public static MqttDecoder decoder(Role role, ProtocolVersion version, int maximumPacketSize) {
        if (role == CLIENT) {
            return MqttDecoder.forClient(Objects.requireNonNull(version, "version"), maximumPacketSize);
        }
        MqttDecoder decoder = MqttDecoder.forServer(DEFAULT_MAXIMUM_PACKET_SIZE);
        if (version != null) {
            DecodeResult result = decoder.decode(ByteBuffer.wrap(connectFor(version)));
            if (!(result instanceof DecodeResult.Decoded)) {
                throw new IllegalStateException("the minimal " + version + " CONNECT failed: " + result);
            }
        }
        decoder.maximumPacketSize(maximumPacketSize);
        return decoder;
    }

    /** A decoder with the default maximum packet size. */
    public static MqttDecoder decoder(Role role, ProtocolVersion version) {
        return decoder(role, version, DEFAULT_MAXIMUM_PACKET_SIZE);
    }

    /** A minimal CONNECT of a version: empty client id, clean start, keep alive 60. */
    public static byte[] connectFor(ProtocolVersion version) {
        return switch (version) {
            case MQTT_3_1 -> Hex.parse("10 0E 00 06 \"MQIsdp\" 03 02 00 3C 00 00");
            case MQTT_3_1_1 -> Hex.parse("10 0C 00 04 \"MQTT\" 04 02 00 3C 00 00");
            case MQTT_5 -> Hex.parse("10 0D 00 04 \"MQTT\" 05 02 00 3C 00 00 00");
        };
    }

    /** The packet {@link #connectFor} decodes to. */
    public static Connect connectPacketFor(ProtocolVersion version) {
        return new Connect(version, "", true, 60, null, null, null, Properties.EMPTY);
    }

    /**
     * A two-byte packet every decoder of that role accepts once connected, whatever the
     * version: PINGREQ for a server, PINGRESP for a client. Handy to pack around a case.
     */
    public static byte[] keepAliveFor(Role role) {
        return role == SERVER ? new byte[] {(byte) 0xC0, 0} : new byte[] {(byte) 0xD0, 0};
    }

    /** The packet {@link #keepAliveFor} decodes to. */
    public static MqttPacket keepAlivePacketFor(Role role) {
        return role == SERVER ? PingReq.INSTANCE : PingResp.INSTANCE;
    }

    // ------------------------------------------------------------------ construction helpers

    private static void ok(String name, Role role, ProtocolVersion version, MqttPacket packet, String hex) {
        BUILDING.add(new Case(name, role, version, DEFAULT_MAXIMUM_PACKET_SIZE, Hex.parse(hex), packet, null, true));
    }

    /** Decodes to the packet, but the encoder writes the packet differently. */
    private static void lenient(String name, Role role, ProtocolVersion version, MqttPacket packet, String hex) {
        BUILDING.add(new Case(name, role, version, DEFAULT_MAXIMUM_PACKET_SIZE, Hex.parse(hex), packet, null, false));
    }

    private static void okWithLimit(String name, Role role, ProtocolVersion version, int maximumPacketSize,
                                    MqttPacket packet, String hex) {
        BUILDING.add(new Case(name, role, version, maximumPacketSize, Hex.parse(hex), packet, null, true));
    }

    private static void bad(String name, Role role, ProtocolVersion version, ReasonCode error, String hex) {
        BUILDING.add(new Case(name, role, version, DEFAULT_MAXIMUM_PACKET_SIZE, Hex.parse(hex), null, error, false));
    }

    private static void tooLarge(String name, Role role, ProtocolVersion version, int maximumPacketSize, String hex) {
        BUILDING.add(new Case(name, role, version, maximumPacketSize, Hex.parse(hex), null, PACKET_TOO_LARGE, false));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] repeat(int value, int count) {
        byte[] bytes = new byte[count];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static Properties.Builder props() {
        return Properties.builder();
    }

    private static Publish publish(String topic, QoS qos, int packetId, byte[] payload, Properties properties) {
        return new Publish(topic, qos, false, false, packetId, payload, properties);
    }

    private static Publish publish(String topic, QoS qos, int packetId, String payload) {
        return publish(topic, qos, packetId, utf8(payload), Properties.EMPTY);
    }

    // ------------------------------------------------------------------ CONNECT

    private static void connect() {
        ok("CONNECT 3.1.1 minimal, empty client id", SERVER, BEFORE_CONNECT,
                new Connect(V311, "", true, 60, null, null, null, Properties.EMPTY), """
                10 0C               # CONNECT, remaining length 12
                00 04 "MQTT" 04     # protocol name, level 4
                02                  # flags: clean session
                00 3C               # keep alive 60
                00 00               # client id ""
                """);
        ok("spec 3.1.1 CONNECT flags 0xCE keep alive 10, will, user name and password", SERVER, BEFORE_CONNECT,
                new Connect(V311, "c1", true, 10, "u", utf8("p"),
                        new Will("w/t", utf8("bye"), AT_LEAST_ONCE, false, Properties.EMPTY), Properties.EMPTY), """
                10 1E
                00 04 "MQTT" 04     # 3.1.2.10 example variable header
                CE                  # user name, password, will QoS 1, will, clean session
                00 0A               # keep alive 10
                00 02 "c1"          # client id
                00 03 "w/t"         # will topic
                00 03 "bye"         # will payload
                00 01 "u"           # user name
                00 01 "p"           # password
                """);
        ok("CONNECT 3.1 (MQIsdp, level 3)", SERVER, BEFORE_CONNECT,
                new Connect(V31, "abc", true, 60, null, null, null, Properties.EMPTY), """
                10 11
                00 06 "MQIsdp" 03
                02 00 3C
                00 03 "abc"
                """);
        ok("spec 5.0 CONNECT flags 0xCE keep alive 10 session expiry 10", SERVER, BEFORE_CONNECT,
                new Connect(V5, "c1", true, 10, "u", utf8("p"),
                        new Will("w/t", utf8("bye"), AT_LEAST_ONCE, false, Properties.EMPTY),
                        props().put(SESSION_EXPIRY_INTERVAL, 10L).build()), """
                10 25
                00 04 "MQTT" 05     # 3.1.2.11 example variable header
                CE 00 0A
                05 11 00 00 00 0A   # properties: Session Expiry Interval 10
                00 02 "c1"
                00                  # will properties: none
                00 03 "w/t"
                00 03 "bye"
                00 01 "u"
                00 01 "p"
                """);
        ok("CONNECT 5.0 with every CONNECT property", SERVER, BEFORE_CONNECT,
                new Connect(V5, "all", true, 60, null, null, null, props()
                        .put(SESSION_EXPIRY_INTERVAL, 3600L)
                        .put(RECEIVE_MAXIMUM, 20)
                        .put(MAXIMUM_PACKET_SIZE, 65536L)
                        .put(TOPIC_ALIAS_MAXIMUM, 10)
                        .put(REQUEST_RESPONSE_INFORMATION, 1)
                        .put(REQUEST_PROBLEM_INFORMATION, 0)
                        .put(AUTHENTICATION_METHOD, "SCRAM")
                        .put(AUTHENTICATION_DATA, new byte[] {1, 2, 3})
                        .userProperty("a", "1")
                        .userProperty("a", "2")
                        .build()), """
                10 40
                00 04 "MQTT" 05 02 00 3C
                30                      # property length 48
                11 00 00 0E 10          # Session Expiry Interval 3600
                21 00 14                # Receive Maximum 20
                27 00 01 00 00          # Maximum Packet Size 65536
                22 00 0A                # Topic Alias Maximum 10
                19 01                   # Request Response Information 1
                17 00                   # Request Problem Information 0
                15 00 05 "SCRAM"        # Authentication Method
                16 00 03 01 02 03       # Authentication Data
                26 00 01 "a" 00 01 "1"  # User Property a=1
                26 00 01 "a" 00 01 "2"  # User Property a=2: names may repeat
                00 03 "all"             # client id
                """);
        ok("CONNECT 5.0 will with every will property", SERVER, BEFORE_CONNECT,
                new Connect(V5, "w", true, 0, null, null,
                        new Will("w/t", utf8("gone"), AT_MOST_ONCE, false, props()
                                .put(PAYLOAD_FORMAT_INDICATOR, 1)
                                .put(MESSAGE_EXPIRY_INTERVAL, 60L)
                                .put(CONTENT_TYPE, "text/plain")
                                .put(RESPONSE_TOPIC, "reply")
                                .put(CORRELATION_DATA, new byte[] {(byte) 0xCA, (byte) 0xFE})
                                .put(WILL_DELAY_INTERVAL, 5L)
                                .userProperty("k", "v")
                                .build()),
                        Properties.EMPTY), """
                10 47
                00 04 "MQTT" 05
                06                      # will, clean start
                00 00                   # keep alive 0
                00                      # no CONNECT properties
                00 01 "w"               # client id
                2D                      # will property length 45
                01 01                   # Payload Format Indicator 1
                02 00 00 00 3C          # Message Expiry Interval 60
                03 00 0A "text/plain"   # Content Type
                08 00 05 "reply"        # Response Topic
                09 00 02 CA FE          # Correlation Data
                18 00 00 00 05          # Will Delay Interval 5
                26 00 01 "k" 00 01 "v"  # User Property
                00 03 "w/t"             # will topic
                00 04 "gone"            # will payload
                """);
        ok("CONNECT 5.0 password without user name", SERVER, BEFORE_CONNECT,
                new Connect(V5, "p", true, 60, null, utf8("pw"), null, Properties.EMPTY), """
                10 12
                00 04 "MQTT" 05
                42                      # password (no user name: allowed since 5.0), clean start
                00 3C 00
                00 01 "p"
                00 02 "pw"
                """);
        ok("CONNECT 5.0 will QoS 2 retained, empty will payload", SERVER, BEFORE_CONNECT,
                new Connect(V5, "", true, 60, null, null,
                        new Will("t", new byte[0], EXACTLY_ONCE, true, Properties.EMPTY), Properties.EMPTY), """
                10 13
                00 04 "MQTT" 05
                36                      # will retain, will QoS 2, will, clean start
                00 3C 00
                00 00                   # client id ""
                00                      # will properties
                00 01 "t"
                00 00                   # empty will payload
                """);
        ok("CONNECT 3.1.1 will QoS 2 retained, user name only", SERVER, BEFORE_CONNECT,
                new Connect(V311, "id", false, 0, "me", null,
                        new Will("a/b", utf8("x"), EXACTLY_ONCE, true, Properties.EMPTY), Properties.EMPTY), """
                10 1A
                00 04 "MQTT" 04
                B4                      # user name, will retain, will QoS 2, will; no clean session
                00 00
                00 02 "id"
                00 03 "a/b"
                00 01 "x"
                00 02 "me"
                """);
        ok("spec CONNECT 3.1.1 client id with the 4-byte UTF-8 example A U+2A6D4", SERVER, BEFORE_CONNECT,
                new Connect(V311, "A" + new String(Character.toChars(0x2A6D4)), false, 0, null, null, null,
                        Properties.EMPTY), """
                10 11
                00 04 "MQTT" 04 00 00 00
                00 05 41 F0 AA 9B 94    # 1.5.4 example: 'A' then U+2A6D4
                """);
        lenient("CONNECT 3.1.1 non-minimal remaining length (3.1.1 does not forbid it)", SERVER, BEFORE_CONNECT,
                new Connect(V311, "", true, 60, null, null, null, Properties.EMPTY), """
                10 8C 00                # 12 in two bytes
                00 04 "MQTT" 04 02 00 3C 00 00
                """);
        ok("CONNECT 5.0 keep alive 65535, user name and empty password", SERVER, BEFORE_CONNECT,
                new Connect(V5, "x", false, 65535, "u", new byte[0], null, Properties.EMPTY), """
                10 13
                00 04 "MQTT" 05
                C0                      # user name, password, no clean start
                FF FF                   # keep alive 65535
                00
                00 01 "x"
                00 01 "u"
                00 00                   # empty password
                """);
        ok("CONNECT 5.0 Topic Alias Maximum 0 and Maximum Packet Size 1 are allowed", SERVER, BEFORE_CONNECT,
                new Connect(V5, "", true, 60, null, null, null, props()
                        .put(TOPIC_ALIAS_MAXIMUM, 0).put(MAXIMUM_PACKET_SIZE, 1L).build()), """
                10 15
                00 04 "MQTT" 05 02 00 3C
                08 22 00 00 27 00 00 00 01
                00 00
                """);
    }

    private static void connectErrors() {
        bad("CONNECT unknown protocol name MQTX", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0C 00 04 "MQTX" 04 02 00 3C 00 00
                """);
        bad("CONNECT protocol name in lower case", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0C 00 04 "mqtt" 04 02 00 3C 00 00
                """);
        bad("CONNECT protocol name of seven bytes", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0F 00 07 "MQTTMQT" 04 02 00 3C 00 00
                """);
        bad("CONNECT protocol name length past the end", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 04 00 04 "MQ"
                """);
        bad("CONNECT MQTT level 6", SERVER, BEFORE_CONNECT, UNSUPPORTED_PROTOCOL_VERSION, """
                10 0C 00 04 "MQTT" 06 02 00 3C 00 00
                """);
        bad("CONNECT MQTT level 3 (that level belongs to MQIsdp)", SERVER, BEFORE_CONNECT,
                UNSUPPORTED_PROTOCOL_VERSION, """
                10 0C 00 04 "MQTT" 03 02 00 3C 00 00
                """);
        bad("CONNECT MQIsdp level 4", SERVER, BEFORE_CONNECT, UNSUPPORTED_PROTOCOL_VERSION, """
                10 0E 00 06 "MQIsdp" 04 02 00 3C 00 00
                """);
        bad("CONNECT 3.1.1 reserved connect flag bit 0", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0C 00 04 "MQTT" 04 03 00 3C 00 00
                """);
        bad("CONNECT 5.0 reserved connect flag bit 0", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0D 00 04 "MQTT" 05 01 00 3C 00 00 00
                """);
        bad("CONNECT will QoS 3", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 11 00 04 "MQTT" 04
                1E                      # will QoS 3, will, clean session
                00 3C 00 00 00 01 "t" 00 00
                """);
        bad("CONNECT will QoS 1 without the will flag", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0C 00 04 "MQTT" 04 0A 00 3C 00 00
                """);
        bad("CONNECT will retain without the will flag", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0C 00 04 "MQTT" 04 22 00 3C 00 00
                """);
        bad("CONNECT 3.1.1 password without user name", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0F 00 04 "MQTT" 04 42 00 3C 00 00 00 01 "p"
                """);
        bad("CONNECT 3.1 password without user name", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 11 00 06 "MQIsdp" 03 42 00 3C 00 00 00 01 "p"
                """);
        bad("CONNECT fixed header flags 0x1", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                11 0C 00 04 "MQTT" 04 02 00 3C 00 00
                """);
        bad("CONNECT client id containing U+0000", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0D 00 04 "MQTT" 04 02 00 3C
                00 01 00
                """);
        bad("CONNECT user name with an encoded UTF-16 surrogate", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 11 00 04 "MQTT" 04 82 00 3C 00 00
                00 03 ED A0 80          # U+D800
                """);
        bad("CONNECT will topic with an overlong encoding of '/'", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 12 00 04 "MQTT" 04 06 00 3C 00 00
                00 02 C0 AF             # '/' in two bytes
                00 00
                """);
        bad("CONNECT client id with a code point above U+10FFFF", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 10 00 04 "MQTT" 04 02 00 3C
                00 04 F4 90 80 80
                """);
        bad("CONNECT will topic with a wildcard", SERVER, BEFORE_CONNECT, TOPIC_NAME_INVALID, """
                10 13 00 04 "MQTT" 04 06 00 3C 00 00
                00 03 "a/#"
                00 00
                """);
        bad("CONNECT empty will topic", SERVER, BEFORE_CONNECT, TOPIC_NAME_INVALID, """
                10 10 00 04 "MQTT" 04 06 00 3C 00 00
                00 00
                00 00
                """);
        bad("CONNECT will payload missing", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0F 00 04 "MQTT" 04 06 00 3C 00 00
                00 01 "t"
                """);
        bad("CONNECT client id length past the end", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0C 00 04 "MQTT" 04 02 00 3C 00 05
                """);
        bad("CONNECT user name missing though flagged", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0C 00 04 "MQTT" 04 82 00 3C 00 00
                """);
        bad("CONNECT trailing byte after the payload", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0D 00 04 "MQTT" 04 02 00 3C 00 00 FF
                """);
        bad("CONNECT 5.0 non-minimal remaining length", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 8D 00                # 13 in two bytes: forbidden in 5.0 (1.5.5)
                00 04 "MQTT" 05 02 00 3C 00 00 00
                """);
        // CONNECT 5.0 properties: 10 LL, 10 bytes of variable header, property length, properties, client id ""
        bad("CONNECT 5.0 Topic Alias is not a CONNECT property", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 10 00 04 "MQTT" 05 02 00 3C
                03 23 00 01
                00 00
                """);
        bad("CONNECT 5.0 unknown property identifier 0x05", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0F 00 04 "MQTT" 05 02 00 3C
                02 05 00
                00 00
                """);
        bad("CONNECT 5.0 Session Expiry Interval twice", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                10 17 00 04 "MQTT" 05 02 00 3C
                0A 11 00 00 00 01 11 00 00 00 02
                00 00
                """);
        bad("CONNECT 5.0 Receive Maximum 0", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                10 10 00 04 "MQTT" 05 02 00 3C
                03 21 00 00
                00 00
                """);
        bad("CONNECT 5.0 Maximum Packet Size 0", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                10 12 00 04 "MQTT" 05 02 00 3C
                05 27 00 00 00 00
                00 00
                """);
        bad("CONNECT 5.0 Request Problem Information 2", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                10 0F 00 04 "MQTT" 05 02 00 3C
                02 17 02
                00 00
                """);
        bad("CONNECT 5.0 Request Response Information 2", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                10 0F 00 04 "MQTT" 05 02 00 3C
                02 19 02
                00 00
                """);
        bad("CONNECT 5.0 Authentication Data without Authentication Method", SERVER, BEFORE_CONNECT,
                PROTOCOL_ERROR, """
                10 11 00 04 "MQTT" 05 02 00 3C
                04 16 00 01 FF
                00 00
                """);
        bad("CONNECT 5.0 Authentication Method twice", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                10 15 00 04 "MQTT" 05 02 00 3C
                08 15 00 01 "a" 15 00 01 "b"
                00 00
                """);
        bad("CONNECT 5.0 property length past the end of the packet", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 12 00 04 "MQTT" 05 02 00 3C
                20                      # 32, but only 7 bytes follow
                11 00 00 00 0A
                00 00
                """);
        bad("CONNECT 5.0 non-minimal property length", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 0E 00 04 "MQTT" 05 02 00 3C
                80 00                   # 0 in two bytes
                00 00
                """);
        bad("CONNECT 5.0 non-minimal property identifier", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 13 00 04 "MQTT" 05 02 00 3C
                06 91 00 00 00 00 0A    # 0x11 in two bytes
                00 00
                """);
        bad("CONNECT 5.0 property value runs past the property length", SERVER, BEFORE_CONNECT,
                MALFORMED_PACKET, """
                10 10 00 04 "MQTT" 05 02 00 3C
                03 11 00 00             # Session Expiry Interval cut after two of four bytes
                00 00
                """);
        bad("CONNECT 5.0 user property name containing U+0000", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 13 00 04 "MQTT" 05 02 00 3C
                06 26 00 01 00 00 00
                00 00
                """);
        // will properties: 10 LL, 11 bytes of variable header, client id "", will properties, topic "t", empty payload
        bad("CONNECT 5.0 Session Expiry Interval is not a will property", SERVER, BEFORE_CONNECT,
                MALFORMED_PACKET, """
                10 18 00 04 "MQTT" 05 06 00 3C 00 00 00
                05 11 00 00 00 01
                00 01 "t" 00 00
                """);
        bad("CONNECT 5.0 Subscription Identifier is not a will property", SERVER, BEFORE_CONNECT,
                MALFORMED_PACKET, """
                10 15 00 04 "MQTT" 05 06 00 3C 00 00 00
                02 0B 01
                00 01 "t" 00 00
                """);
        bad("CONNECT 5.0 Will Delay Interval twice", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                10 1D 00 04 "MQTT" 05 06 00 3C 00 00 00
                0A 18 00 00 00 01 18 00 00 00 02
                00 01 "t" 00 00
                """);
        bad("CONNECT 5.0 will Response Topic with a wildcard", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                10 19 00 04 "MQTT" 05 06 00 3C 00 00 00
                06 08 00 03 "a/+"
                00 01 "t" 00 00
                """);
        bad("CONNECT 5.0 will Payload Format Indicator 2", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                10 15 00 04 "MQTT" 05 06 00 3C 00 00 00
                02 01 02
                00 01 "t" 00 00
                """);
        tooLarge("CONNECT larger than the maximum packet size", SERVER, BEFORE_CONNECT, 20, """
                10 1E 00 04 "MQTT" 04 CE 00 0A 00 02 "c1" 00 03 "w/t" 00 03 "bye" 00 01 "u" 00 01 "p"
                """);
        bad("CONNECT remaining length of five bytes", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, """
                10 FF FF FF FF 7F
                """);
        bad("second CONNECT on a 3.1.1 connection", SERVER, V311, PROTOCOL_ERROR, """
                10 0C 00 04 "MQTT" 04 02 00 3C 00 00
                """);
        bad("second CONNECT on a 5.0 connection", SERVER, V5, PROTOCOL_ERROR, """
                10 0D 00 04 "MQTT" 05 02 00 3C 00 00 00
                """);
        bad("CONNECT sent to a client", CLIENT, V311, PROTOCOL_ERROR, """
                10 0C 00 04 "MQTT" 04 02 00 3C 00 00
                """);
    }

    private static void beforeConnect() {
        bad("PINGREQ before CONNECT", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, "C0 00");
        bad("PUBLISH before CONNECT", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                30 05 00 03 "a/b"
                """);
        bad("SUBSCRIBE before CONNECT", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, """
                82 08 00 01 00 03 "a/b" 00
                """);
        bad("DISCONNECT before CONNECT", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, "E0 00");
        bad("AUTH before CONNECT", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, "F0 00");
        bad("CONNACK sent to a server before CONNECT", SERVER, BEFORE_CONNECT, PROTOCOL_ERROR, "20 02 00 00");
        bad("reserved packet type 0 before CONNECT", SERVER, BEFORE_CONNECT, MALFORMED_PACKET, "00 00");
    }

    // ------------------------------------------------------------------ CONNACK

    private static void connAck() {
        ok("CONNACK 3.1.1 accepted", CLIENT, V311, new ConnAck(false, SUCCESS, Properties.EMPTY), "20 02 00 00");
        ok("CONNACK 3.1.1 session present", CLIENT, V311, new ConnAck(true, SUCCESS, Properties.EMPTY),
                "20 02 01 00");
        ok("CONNACK 3.1.1 return code 1, unacceptable protocol version", CLIENT, V311,
                new ConnAck(false, UNSUPPORTED_PROTOCOL_VERSION, Properties.EMPTY), "20 02 00 01");
        ok("CONNACK 3.1.1 return code 2, identifier rejected", CLIENT, V311,
                new ConnAck(false, CLIENT_IDENTIFIER_NOT_VALID, Properties.EMPTY), "20 02 00 02");
        ok("CONNACK 3.1.1 return code 3, server unavailable", CLIENT, V311,
                new ConnAck(false, SERVER_UNAVAILABLE, Properties.EMPTY), "20 02 00 03");
        ok("CONNACK 3.1.1 return code 4, bad user name or password", CLIENT, V311,
                new ConnAck(false, BAD_USER_NAME_OR_PASSWORD, Properties.EMPTY), "20 02 00 04");
        ok("CONNACK 3.1.1 return code 5, not authorized", CLIENT, V311,
                new ConnAck(false, NOT_AUTHORIZED, Properties.EMPTY), "20 02 00 05");
        ok("CONNACK 3.1 accepted", CLIENT, V31, new ConnAck(false, SUCCESS, Properties.EMPTY), "20 02 00 00");
        bad("CONNACK 3.1.1 return code 6", CLIENT, V311, MALFORMED_PACKET, "20 02 00 06");
        bad("CONNACK 3.1.1 reserved acknowledge flag", CLIENT, V311, MALFORMED_PACKET, "20 02 02 00");
        bad("CONNACK 3.1.1 session present on a refusal", CLIENT, V311, PROTOCOL_ERROR, "20 02 01 05");
        bad("CONNACK 3.1.1 trailing byte", CLIENT, V311, MALFORMED_PACKET, "20 03 00 00 00");
        bad("CONNACK truncated", CLIENT, V311, MALFORMED_PACKET, "20 01 00");
        bad("CONNACK fixed header flags 0x1", CLIENT, V311, MALFORMED_PACKET, "21 02 00 00");

        ok("CONNACK 5.0 success", CLIENT, V5, new ConnAck(false, SUCCESS, Properties.EMPTY), "20 03 00 00 00");
        ok("CONNACK 5.0 with every CONNACK property", CLIENT, V5, new ConnAck(true, SUCCESS, props()
                .put(SESSION_EXPIRY_INTERVAL, 60L)
                .put(ASSIGNED_CLIENT_IDENTIFIER, "auto")
                .put(SERVER_KEEP_ALIVE, 30)
                .put(AUTHENTICATION_METHOD, "SCRAM")
                .put(AUTHENTICATION_DATA, new byte[] {0x0A, 0x0B})
                .put(RESPONSE_INFORMATION, "resp")
                .put(SERVER_REFERENCE, "srv2")
                .put(REASON_STRING, "ok")
                .put(RECEIVE_MAXIMUM, 10)
                .put(TOPIC_ALIAS_MAXIMUM, 5)
                .put(MAXIMUM_QOS, 1)
                .put(RETAIN_AVAILABLE, 0)
                .put(MAXIMUM_PACKET_SIZE, 4096L)
                .put(WILDCARD_SUBSCRIPTION_AVAILABLE, 1)
                .put(SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0)
                .put(SHARED_SUBSCRIPTION_AVAILABLE, 1)
                .userProperty("x", "y")
                .build()), """
                20 4E
                01 00                   # session present, success
                4B                      # property length 75
                11 00 00 00 3C          # Session Expiry Interval 60
                12 00 04 "auto"         # Assigned Client Identifier
                13 00 1E                # Server Keep Alive 30
                15 00 05 "SCRAM"        # Authentication Method
                16 00 02 0A 0B          # Authentication Data
                1A 00 04 "resp"         # Response Information
                1C 00 04 "srv2"         # Server Reference
                1F 00 02 "ok"           # Reason String
                21 00 0A                # Receive Maximum 10
                22 00 05                # Topic Alias Maximum 5
                24 01                   # Maximum QoS 1
                25 00                   # Retain Available 0
                27 00 00 10 00          # Maximum Packet Size 4096
                28 01                   # Wildcard Subscription Available
                29 00                   # Subscription Identifiers Available
                2A 01                   # Shared Subscription Available
                26 00 01 "x" 00 01 "y"  # User Property
                """);
        ok("CONNACK 5.0 not authorized with a reason string", CLIENT, V5,
                new ConnAck(false, NOT_AUTHORIZED, props().put(REASON_STRING, "bad").build()), """
                20 09 00 87 06 1F 00 03 "bad"
                """);
        ok("CONNACK 5.0 Topic Alias Maximum 0 is allowed", CLIENT, V5,
                new ConnAck(false, SUCCESS, props().put(TOPIC_ALIAS_MAXIMUM, 0).build()), """
                20 06 00 00 03 22 00 00
                """);
        bad("CONNACK 5.0 without a property length", CLIENT, V5, MALFORMED_PACKET, "20 02 00 00");
        bad("CONNACK 5.0 reason code 0x04 is not a CONNACK code", CLIENT, V5, MALFORMED_PACKET, "20 03 00 04 00");
        bad("CONNACK 5.0 Maximum QoS 2", CLIENT, V5, PROTOCOL_ERROR, "20 05 00 00 02 24 02");
        bad("CONNACK 5.0 Retain Available 2", CLIENT, V5, PROTOCOL_ERROR, "20 05 00 00 02 25 02");
        bad("CONNACK 5.0 Wildcard Subscription Available 2", CLIENT, V5, PROTOCOL_ERROR, "20 05 00 00 02 28 02");
        bad("CONNACK 5.0 Subscription Identifiers Available 2", CLIENT, V5, PROTOCOL_ERROR,
                "20 05 00 00 02 29 02");
        bad("CONNACK 5.0 Shared Subscription Available 2", CLIENT, V5, PROTOCOL_ERROR, "20 05 00 00 02 2A 02");
        bad("CONNACK 5.0 Will Delay Interval is not a CONNACK property", CLIENT, V5, MALFORMED_PACKET, """
                20 08 00 00 05 18 00 00 00 01
                """);
        bad("CONNACK 5.0 Assigned Client Identifier twice", CLIENT, V5, PROTOCOL_ERROR, """
                20 0B 00 00 08 12 00 01 "a" 12 00 01 "b"
                """);
        bad("CONNACK 5.0 Receive Maximum 0", CLIENT, V5, PROTOCOL_ERROR, "20 06 00 00 03 21 00 00");
        bad("CONNACK 5.0 Maximum Packet Size 0", CLIENT, V5, PROTOCOL_ERROR, "20 08 00 00 05 27 00 00 00 00");
        bad("CONNACK 5.0 Authentication Data without Authentication Method", CLIENT, V5, PROTOCOL_ERROR, """
                20 07 00 00 04 16 00 01 AA
                """);
        bad("CONNACK 5.0 session present on a refusal", CLIENT, V5, PROTOCOL_ERROR, "20 03 01 80 00");
        bad("CONNACK sent to a server", SERVER, V5, PROTOCOL_ERROR, "20 03 00 00 00");
    }

    // ------------------------------------------------------------------ PUBLISH

    private static void publish() {
        ok("PUBLISH 3.1.1 QoS 0", SERVER, V311, publish("a/b", AT_MOST_ONCE, 0, "hi"), """
                30 07 00 03 "a/b" "hi"
                """);
        ok("spec 3.1.1 PUBLISH QoS 1 topic a/b packet id 10", SERVER, V311,
                publish("a/b", AT_LEAST_ONCE, 10, "hello"), """
                32 0C
                00 03 "a/b" 00 0A       # 3.3.2.3 example variable header
                "hello"
                """);
        ok("PUBLISH 3.1.1 QoS 2 with DUP and RETAIN", SERVER, V311,
                new Publish("a/b", EXACTLY_ONCE, true, true, 0x1234, utf8("xy"), Properties.EMPTY), """
                3D 09 00 03 "a/b" 12 34 "xy"
                """);
        ok("PUBLISH 3.1.1 retained with an empty payload", SERVER, V311,
                new Publish("a/b", AT_MOST_ONCE, true, false, 0, new byte[0], Properties.EMPTY), """
                31 05 00 03 "a/b"
                """);
        ok("PUBLISH 3.1 QoS 1", SERVER, V31, publish("a/b", AT_LEAST_ONCE, 1, ""), """
                32 07 00 03 "a/b" 00 01
                """);
        ok("PUBLISH 3.1.1 QoS 1 sent to a client", CLIENT, V311, publish("a/b", AT_LEAST_ONCE, 2, "!"), """
                32 08 00 03 "a/b" 00 02 "!"
                """);
        ok("PUBLISH 3.1.1 topic with two-byte UTF-8", SERVER, V311, publish("é/ü", AT_MOST_ONCE, 0, ""), """
                30 07 00 05 C3 A9 2F C3 BC
                """);
        ok("PUBLISH 3.1.1 topic starting with $", SERVER, V311, publish("$SYS/x", AT_MOST_ONCE, 0, ""), """
                30 08 00 06 "$SYS/x"
                """);
        ok("PUBLISH 3.1.1 remaining length 127, the largest in one byte", SERVER, V311,
                publish("a/b", AT_MOST_ONCE, 0, repeat('A', 122), Properties.EMPTY), """
                30 7F 00 03 "a/b" 41*122
                """);
        ok("PUBLISH 3.1.1 remaining length 128, the smallest in two bytes", SERVER, V311,
                publish("a/b", AT_MOST_ONCE, 0, repeat('A', 123), Properties.EMPTY), """
                30 80 01 00 03 "a/b" 41*123
                """);
        ok("PUBLISH 3.1.1 remaining length 16383, the largest in two bytes", SERVER, V311,
                publish("a/b", AT_MOST_ONCE, 0, repeat('A', 16378), Properties.EMPTY), """
                30 FF 7F 00 03 "a/b" 41*16378
                """);
        ok("PUBLISH 3.1.1 remaining length 16384, the smallest in three bytes", SERVER, V311,
                publish("a/b", AT_MOST_ONCE, 0, repeat('A', 16379), Properties.EMPTY), """
                30 80 80 01 00 03 "a/b" 41*16379
                """);
        okWithLimit("PUBLISH exactly at the maximum packet size", SERVER, V311, 129,
                publish("a/b", AT_MOST_ONCE, 0, repeat('A', 122), Properties.EMPTY), """
                30 7F 00 03 "a/b" 41*122
                """);
        lenient("PUBLISH 3.1.1 non-minimal remaining length", SERVER, V311,
                publish("a/b", AT_MOST_ONCE, 0, "hi"), """
                30 87 00 00 03 "a/b" "hi"
                """);

        ok("spec 5.0 PUBLISH QoS 1 topic a/b packet id 10", SERVER, V5,
                publish("a/b", AT_LEAST_ONCE, 10, "hello"), """
                32 0D
                00 03 "a/b" 00 0A 00    # 3.3.2.4 example: no properties
                "hello"
                """);
        ok("PUBLISH 5.0 with every property a client may send", SERVER, V5,
                publish("a/b", AT_LEAST_ONCE, 1, utf8("{}"), props()
                        .put(PAYLOAD_FORMAT_INDICATOR, 1)
                        .put(MESSAGE_EXPIRY_INTERVAL, 60L)
                        .put(CONTENT_TYPE, "json")
                        .put(RESPONSE_TOPIC, "reply")
                        .put(CORRELATION_DATA, new byte[] {1, 2})
                        .put(TOPIC_ALIAS, 7)
                        .userProperty("a", "b")
                        .userProperty("a", "c")
                        .build()), """
                32 36
                00 03 "a/b" 00 01
                2C                      # property length 44
                01 01                   # Payload Format Indicator 1
                02 00 00 00 3C          # Message Expiry Interval 60
                03 00 04 "json"         # Content Type
                08 00 05 "reply"        # Response Topic
                09 00 02 01 02          # Correlation Data
                23 00 07                # Topic Alias 7
                26 00 01 "a" 00 01 "b"  # User Property
                26 00 01 "a" 00 01 "c"  # User Property, same name again
                "{}"
                """);
        ok("PUBLISH 5.0 to a client with two subscription identifiers", CLIENT, V5,
                publish("a/b", AT_MOST_ONCE, 0, utf8("x"),
                        props().subscriptionIdentifier(1).subscriptionIdentifier(128).build()), """
                30 0C 00 03 "a/b"
                05 0B 01 0B 80 01       # Subscription Identifier 1 and 128
                "x"
                """);
        ok("PUBLISH 5.0 empty topic with a Topic Alias", SERVER, V5,
                publish("", AT_MOST_ONCE, 0, new byte[0], props().put(TOPIC_ALIAS, 1).build()), """
                30 06 00 00 03 23 00 01
                """);
        ok("PUBLISH 5.0 to a client, empty topic with a Topic Alias", CLIENT, V5,
                publish("", AT_MOST_ONCE, 0, utf8("p"), props().put(TOPIC_ALIAS, 1).build()), """
                30 07 00 00 03 23 00 01 "p"
                """);
        ok("PUBLISH 5.0 Topic Alias 65535 with Payload Format Indicator 0", CLIENT, V5,
                publish("t", AT_MOST_ONCE, 0, new byte[0],
                        props().put(TOPIC_ALIAS, 65535).put(PAYLOAD_FORMAT_INDICATOR, 0).build()), """
                30 09 00 01 "t" 05 23 FF FF 01 00
                """);
        ok("PUBLISH 5.0 largest Message Expiry Interval", SERVER, V5,
                publish("t", AT_MOST_ONCE, 0, new byte[0],
                        props().put(MESSAGE_EXPIRY_INTERVAL, 0xFFFF_FFFFL).build()), """
                30 09 00 01 "t" 05 02 FF FF FF FF
                """);
        ok("PUBLISH 5.0 remaining length 127", SERVER, V5,
                publish("a/b", AT_MOST_ONCE, 0, repeat('A', 121), Properties.EMPTY), """
                30 7F 00 03 "a/b" 00 41*121
                """);
        ok("PUBLISH 5.0 remaining length 128", SERVER, V5,
                publish("a/b", AT_MOST_ONCE, 0, repeat('A', 122), Properties.EMPTY), """
                30 80 01 00 03 "a/b" 00 41*122
                """);
        ok("PUBLISH 5.0 property length 127, the largest in one byte", SERVER, V5,
                publish("a/b", AT_MOST_ONCE, 0, new byte[0],
                        props().userProperty("k", "v".repeat(121)).build()), """
                30 85 01 00 03 "a/b"
                7F 26 00 01 "k" 00 79 76*121
                """);
        ok("PUBLISH 5.0 property length 128, the smallest in two bytes", SERVER, V5,
                publish("a/b", AT_MOST_ONCE, 0, new byte[0],
                        props().userProperty("k", "v".repeat(122)).build()), """
                30 87 01 00 03 "a/b"
                80 01 26 00 01 "k" 00 7A 76*122
                """);
    }

    private static void publishErrors() {
        bad("PUBLISH 3.1.1 QoS 3", SERVER, V311, MALFORMED_PACKET, """
                36 07 00 03 "a/b" 00 01
                """);
        bad("PUBLISH 5.0 QoS 3", SERVER, V5, MALFORMED_PACKET, """
                36 08 00 03 "a/b" 00 01 00
                """);
        bad("PUBLISH QoS 0 with DUP", SERVER, V311, MALFORMED_PACKET, """
                38 05 00 03 "a/b"
                """);
        bad("PUBLISH 3.1.1 topic with +", SERVER, V311, TOPIC_NAME_INVALID, """
                30 05 00 03 "a/+"
                """);
        bad("PUBLISH 5.0 topic with #", SERVER, V5, TOPIC_NAME_INVALID, """
                30 06 00 03 "a/#" 00
                """);
        bad("PUBLISH 3.1.1 to a client, topic with +", CLIENT, V311, TOPIC_NAME_INVALID, """
                30 05 00 03 "+/b"
                """);
        bad("PUBLISH 3.1.1 empty topic", SERVER, V311, MALFORMED_PACKET, """
                30 02 00 00
                """);
        bad("PUBLISH 3.1 empty topic", SERVER, V31, MALFORMED_PACKET, """
                30 04 00 00 "hi"
                """);
        bad("PUBLISH 5.0 empty topic without a Topic Alias", SERVER, V5, PROTOCOL_ERROR, """
                30 03 00 00 00
                """);
        bad("PUBLISH 3.1.1 QoS 1 packet id 0", SERVER, V311, MALFORMED_PACKET, """
                32 07 00 03 "a/b" 00 00
                """);
        bad("PUBLISH 5.0 QoS 2 packet id 0", SERVER, V5, MALFORMED_PACKET, """
                34 08 00 03 "a/b" 00 00 00
                """);
        bad("PUBLISH QoS 1 packet id missing", SERVER, V311, MALFORMED_PACKET, """
                32 05 00 03 "a/b"
                """);
        bad("PUBLISH topic containing U+0000", SERVER, V311, MALFORMED_PACKET, """
                30 05 00 03 61 00 62
                """);
        bad("PUBLISH topic with an encoded UTF-16 surrogate", SERVER, V311, MALFORMED_PACKET, """
                30 05 00 03 ED B0 80    # U+DC00
                """);
        bad("PUBLISH topic with a truncated UTF-8 sequence", SERVER, V5, MALFORMED_PACKET, """
                30 05 00 02 61 E2 00    # E2 needs two continuation bytes
                """);
        bad("PUBLISH topic with a stray continuation byte", SERVER, V311, MALFORMED_PACKET, """
                30 05 00 03 61 80 62
                """);
        bad("PUBLISH topic with an overlong three-byte encoding", SERVER, V311, MALFORMED_PACKET, """
                30 05 00 03 E0 80 AF    # '/' in three bytes
                """);
        bad("PUBLISH topic with an overlong four-byte encoding", SERVER, V311, MALFORMED_PACKET, """
                30 06 00 04 F0 82 82 AC # U+20AC in four bytes
                """);
        bad("PUBLISH topic with invalid lead byte 0xFF", SERVER, V311, MALFORMED_PACKET, """
                30 03 00 01 FF
                """);
        bad("PUBLISH topic length past the end", SERVER, V311, MALFORMED_PACKET, """
                30 04 00 05 "ab"
                """);
        bad("PUBLISH 5.0 non-minimal remaining length", SERVER, V5, MALFORMED_PACKET, """
                30 87 00 00 03 "a/b" 00 "h"
                """);
        bad("PUBLISH 5.0 Topic Alias 0", SERVER, V5, TOPIC_ALIAS_INVALID, """
                30 09 00 03 "a/b" 03 23 00 00
                """);
        bad("PUBLISH 5.0 to a client, Topic Alias 0", CLIENT, V5, TOPIC_ALIAS_INVALID, """
                30 06 00 00 03 23 00 00
                """);
        bad("PUBLISH 5.0 Response Topic with a wildcard", SERVER, V5, PROTOCOL_ERROR, """
                30 0C 00 03 "a/b" 06 08 00 03 "r/+"
                """);
        bad("PUBLISH 5.0 empty Response Topic", SERVER, V5, PROTOCOL_ERROR, """
                30 09 00 03 "a/b" 03 08 00 00
                """);
        bad("PUBLISH 5.0 from a client with a Subscription Identifier", SERVER, V5, PROTOCOL_ERROR, """
                30 08 00 03 "a/b" 02 0B 01
                """);
        bad("PUBLISH 5.0 to a client, Subscription Identifier 0", CLIENT, V5, PROTOCOL_ERROR, """
                30 08 00 03 "a/b" 02 0B 00
                """);
        bad("PUBLISH 5.0 to a client, non-minimal Subscription Identifier", CLIENT, V5, MALFORMED_PACKET, """
                30 09 00 03 "a/b" 03 0B 81 00
                """);
        bad("PUBLISH 5.0 Message Expiry Interval twice", SERVER, V5, PROTOCOL_ERROR, """
                30 10 00 03 "a/b" 0A 02 00 00 00 01 02 00 00 00 02
                """);
        bad("PUBLISH 5.0 Topic Alias twice", SERVER, V5, PROTOCOL_ERROR, """
                30 0C 00 03 "a/b" 06 23 00 01 23 00 02
                """);
        bad("PUBLISH 5.0 Content Type twice", SERVER, V5, PROTOCOL_ERROR, """
                30 10 00 03 "a/b" 0A 03 00 02 "ab" 03 00 02 "cd"
                """);
        bad("PUBLISH 5.0 Session Expiry Interval is not a PUBLISH property", SERVER, V5, MALFORMED_PACKET, """
                30 0B 00 03 "a/b" 05 11 00 00 00 01
                """);
        bad("PUBLISH 5.0 Payload Format Indicator 2", SERVER, V5, PROTOCOL_ERROR, """
                30 08 00 03 "a/b" 02 01 02
                """);
        bad("PUBLISH 5.0 Correlation Data runs past the property length", SERVER, V5, MALFORMED_PACKET, """
                30 0B 00 03 "a/b" 05 09 00 05 01 02
                """);
        bad("PUBLISH 5.0 property length past the end", SERVER, V5, MALFORMED_PACKET, """
                30 07 00 03 "a/b" 05 01
                """);
        tooLarge("PUBLISH one byte over the maximum packet size", SERVER, V311, 128, """
                30 7F 00 03 "a/b" 41*122
                """);
        tooLarge("PUBLISH fixed header claiming 64 KiB against a 64 KiB limit, nothing else arrived",
                SERVER, V311, 65536, """
                30 80 80 04             # 65536 + 4 header bytes > 65536
                """);
        tooLarge("PUBLISH fixed header claiming 1 MiB against a 64 KiB limit", SERVER, V5, 65536, """
                30 80 80 40
                """);
        tooLarge("PUBLISH to a client over its maximum packet size", CLIENT, V5, 100, """
                30 FF 7F
                """);
    }

    // ------------------------------------------------------------------ PUBACK, PUBREC, PUBREL, PUBCOMP

    private static void publishFlow() {
        ok("PUBACK 3.1.1", SERVER, V311, new PubAck(10), "40 02 00 0A");
        ok("PUBREC 3.1.1", SERVER, V311, new PubRec(11), "50 02 00 0B");
        ok("PUBREL 3.1.1", SERVER, V311, new PubRel(12), "62 02 00 0C");
        ok("PUBCOMP 3.1.1", SERVER, V311, new PubComp(13), "70 02 00 0D");
        ok("PUBACK 3.1 to a client, packet id 65535", CLIENT, V31, new PubAck(65535), "40 02 FF FF");
        ok("PUBREC 3.1.1 to a client", CLIENT, V311, new PubRec(1), "50 02 00 01");
        ok("PUBREL 3.1.1 to a client", CLIENT, V311, new PubRel(1), "62 02 00 01");
        ok("PUBCOMP 3.1 to a client", CLIENT, V31, new PubComp(2), "70 02 00 02");
        ok("PUBREC 3.1", SERVER, V31, new PubRec(3), "50 02 00 03");
        ok("PUBREL 3.1", SERVER, V31, new PubRel(4), "62 02 00 04");

        ok("PUBACK 5.0 short form", SERVER, V5, new PubAck(10), "40 02 00 0A");
        ok("PUBACK 5.0 no matching subscribers", CLIENT, V5,
                new PubAck(10, NO_MATCHING_SUBSCRIBERS, Properties.EMPTY), "40 03 00 0A 10");
        ok("PUBACK 5.0 payload format invalid", SERVER, V5,
                new PubAck(10, PAYLOAD_FORMAT_INVALID, Properties.EMPTY), "40 03 00 0A 99");
        lenient("PUBACK 5.0 success with an explicit zero property length", SERVER, V5, new PubAck(10), """
                40 04 00 0A 00 00
                """);
        lenient("PUBACK 5.0 success reason code without property length", SERVER, V5, new PubAck(10), """
                40 03 00 0A 00
                """);
        ok("PUBACK 5.0 with reason string and user property", SERVER, V5,
                new PubAck(10, UNSPECIFIED_ERROR, props().put(REASON_STRING, "oops").userProperty("k", "v").build()),
                """
                40 12 00 0A 80
                0E 1F 00 04 "oops" 26 00 01 "k" 00 01 "v"
                """);
        ok("PUBREC 5.0 quota exceeded", SERVER, V5, new PubRec(11, QUOTA_EXCEEDED, Properties.EMPTY),
                "50 03 00 0B 97");
        ok("PUBREC 5.0 packet identifier in use", CLIENT, V5,
                new PubRec(11, PACKET_IDENTIFIER_IN_USE, Properties.EMPTY), "50 03 00 0B 91");
        ok("PUBREC 5.0 success with a reason string", SERVER, V5,
                new PubRec(11, SUCCESS, props().put(REASON_STRING, "ok").build()), """
                50 09 00 0B 00 05 1F 00 02 "ok"
                """);
        ok("PUBREL 5.0 packet identifier not found", SERVER, V5,
                new PubRel(12, PACKET_IDENTIFIER_NOT_FOUND, Properties.EMPTY), "62 03 00 0C 92");
        ok("PUBREL 5.0 with a user property", CLIENT, V5,
                new PubRel(12, SUCCESS, props().userProperty("a", "b").build()), """
                62 0B 00 0C 00 07 26 00 01 "a" 00 01 "b"
                """);
        ok("PUBCOMP 5.0 packet identifier not found", SERVER, V5,
                new PubComp(13, PACKET_IDENTIFIER_NOT_FOUND, Properties.EMPTY), "70 03 00 0D 92");
        ok("PUBCOMP 5.0 with a reason string", CLIENT, V5,
                new PubComp(13, PACKET_IDENTIFIER_NOT_FOUND, props().put(REASON_STRING, "no").build()), """
                70 09 00 0D 92 05 1F 00 02 "no"
                """);

        bad("PUBACK packet id 0", SERVER, V311, MALFORMED_PACKET, "40 02 00 00");
        bad("PUBREC 5.0 packet id 0", SERVER, V5, MALFORMED_PACKET, "50 02 00 00");
        bad("PUBREL 3.1.1 to a client, packet id 0", CLIENT, V311, MALFORMED_PACKET, "62 02 00 00");
        bad("PUBCOMP 5.0 to a client, packet id 0", CLIENT, V5, MALFORMED_PACKET, "70 02 00 00");
        bad("PUBREL with flags 0", SERVER, V311, MALFORMED_PACKET, "60 02 00 0C");
        bad("PUBREL 5.0 with flags 0", SERVER, V5, MALFORMED_PACKET, "60 02 00 0C");
        bad("PUBACK with flags 2", SERVER, V311, MALFORMED_PACKET, "42 02 00 0A");
        bad("PUBREC with flags 2", SERVER, V5, MALFORMED_PACKET, "52 02 00 0B");
        bad("PUBCOMP with flags 1", CLIENT, V311, MALFORMED_PACKET, "71 02 00 0D");
        bad("PUBACK 3.1.1 trailing byte", SERVER, V311, MALFORMED_PACKET, "40 03 00 0A 00");
        bad("PUBACK truncated", SERVER, V311, MALFORMED_PACKET, "40 01 00");
        bad("PUBACK 5.0 reason code 0x92 is not a PUBACK code", SERVER, V5, MALFORMED_PACKET, "40 03 00 0A 92");
        bad("PUBREL 5.0 reason code 0x10 is not a PUBREL code", SERVER, V5, MALFORMED_PACKET, "62 03 00 0C 10");
        bad("PUBCOMP 5.0 reason code 0x80 is not a PUBCOMP code", SERVER, V5, MALFORMED_PACKET, "70 03 00 0D 80");
        bad("PUBACK 5.0 Topic Alias is not a PUBACK property", SERVER, V5, MALFORMED_PACKET, """
                40 07 00 0A 00 03 23 00 01
                """);
        bad("PUBACK 5.0 Reason String twice", SERVER, V5, PROTOCOL_ERROR, """
                40 0E 00 0A 00 0A 1F 00 02 "ab" 1F 00 02 "cd"
                """);
        bad("PUBREC 5.0 trailing byte after the properties", SERVER, V5, MALFORMED_PACKET, """
                50 05 00 0B 00 00 FF
                """);
    }

    // ------------------------------------------------------------------ SUBSCRIBE, SUBACK

    private static void subscribe() {
        ok("spec 3.1.1 SUBSCRIBE a/b QoS 1 and c/d QoS 2", SERVER, V311,
                new Subscribe(10, List.of(new Subscription("a/b", AT_LEAST_ONCE), new Subscription("c/d", EXACTLY_ONCE)),
                        Properties.EMPTY), """
                82 0E
                00 0A                   # 3.8.2 example: packet id 10
                00 03 "a/b" 01          # 3.8.3 example payload
                00 03 "c/d" 02
                """);
        ok("SUBSCRIBE 3.1 one filter", SERVER, V31,
                new Subscribe(1, List.of(new Subscription("a/#", AT_MOST_ONCE)), Properties.EMPTY), """
                82 08 00 01 00 03 "a/#" 00
                """);
        ok("SUBSCRIBE 3.1.1 wildcard filters", SERVER, V311,
                new Subscribe(2, List.of(new Subscription("#", AT_MOST_ONCE), new Subscription("+/b/#", AT_LEAST_ONCE)),
                        Properties.EMPTY), """
                82 0E 00 02 00 01 "#" 00 00 05 "+/b/#" 01
                """);
        ok("spec 5.0 SUBSCRIBE a/b QoS 1 and c/d QoS 2", SERVER, V5,
                new Subscribe(10, List.of(new Subscription("a/b", AT_LEAST_ONCE), new Subscription("c/d", EXACTLY_ONCE)),
                        Properties.EMPTY), """
                82 0F 00 0A 00 00 03 "a/b" 01 00 03 "c/d" 02
                """);
        ok("SUBSCRIBE 5.0 every subscription option", SERVER, V5,
                new Subscribe(11, List.of(
                        new Subscription("a/b", EXACTLY_ONCE, true, true, RetainHandling.DO_NOT_SEND),
                        new Subscription("c", AT_LEAST_ONCE, false, false, RetainHandling.SEND_IF_NEW_SUBSCRIPTION)),
                        Properties.EMPTY), """
                82 0D 00 0B 00
                00 03 "a/b" 2E          # retain handling 2, retain as published, no local, QoS 2
                00 01 "c" 11            # retain handling 1, QoS 1
                """);
        ok("SUBSCRIBE 5.0 with a subscription identifier and a user property", SERVER, V5,
                new Subscribe(12, List.of(new Subscription("a/b", AT_MOST_ONCE)),
                        props().subscriptionIdentifier(5).userProperty("u", "v").build()), """
                82 12 00 0C
                09 0B 05 26 00 01 "u" 00 01 "v"
                00 03 "a/b" 00
                """);
        ok("SUBSCRIBE 5.0 largest subscription identifier", SERVER, V5,
                new Subscribe(12, List.of(new Subscription("a/b", AT_MOST_ONCE)),
                        props().subscriptionIdentifier(268_435_455).build()), """
                82 0E 00 0C
                05 0B FF FF FF 7F
                00 03 "a/b" 00
                """);
        ok("SUBSCRIBE 5.0 shared subscription", SERVER, V5,
                new Subscribe(13, List.of(new Subscription("$share/g/sensor", AT_LEAST_ONCE)), Properties.EMPTY), """
                82 15 00 0D 00 00 0F "$share/g/sensor" 01
                """);

        bad("SUBSCRIBE with flags 0", SERVER, V311, MALFORMED_PACKET, """
                80 08 00 01 00 03 "a/b" 00
                """);
        bad("SUBSCRIBE 5.0 with flags 3", SERVER, V5, MALFORMED_PACKET, """
                83 09 00 01 00 00 03 "a/b" 00
                """);
        bad("SUBSCRIBE 3.1.1 without a topic filter", SERVER, V311, PROTOCOL_ERROR, "82 02 00 0A");
        bad("SUBSCRIBE 5.0 without a topic filter", SERVER, V5, PROTOCOL_ERROR, "82 03 00 0A 00");
        bad("SUBSCRIBE packet id 0", SERVER, V311, MALFORMED_PACKET, """
                82 08 00 00 00 03 "a/b" 00
                """);
        bad("SUBSCRIBE 3.1.1 QoS 3", SERVER, V311, MALFORMED_PACKET, """
                82 08 00 01 00 03 "a/b" 03
                """);
        bad("SUBSCRIBE 5.0 QoS 3", SERVER, V5, PROTOCOL_ERROR, """
                82 09 00 01 00 00 03 "a/b" 03
                """);
        bad("SUBSCRIBE 3.1.1 reserved option bit 2", SERVER, V311, MALFORMED_PACKET, """
                82 08 00 01 00 03 "a/b" 04
                """);
        bad("SUBSCRIBE 5.0 reserved option bit 6", SERVER, V5, MALFORMED_PACKET, """
                82 09 00 01 00 00 03 "a/b" 40
                """);
        bad("SUBSCRIBE 5.0 reserved option bit 7", SERVER, V5, MALFORMED_PACKET, """
                82 09 00 01 00 00 03 "a/b" 80
                """);
        bad("SUBSCRIBE 5.0 retain handling 3", SERVER, V5, PROTOCOL_ERROR, """
                82 09 00 01 00 00 03 "a/b" 30
                """);
        bad("SUBSCRIBE 5.0 Subscription Identifier 0", SERVER, V5, PROTOCOL_ERROR, """
                82 0B 00 01 02 0B 00 00 03 "a/b" 00
                """);
        bad("SUBSCRIBE 5.0 Subscription Identifier twice", SERVER, V5, PROTOCOL_ERROR, """
                82 0D 00 01 04 0B 01 0B 02 00 03 "a/b" 00
                """);
        bad("SUBSCRIBE 5.0 Subscription Identifier longer than four bytes", SERVER, V5, MALFORMED_PACKET, """
                82 0F 00 01 06 0B FF FF FF FF 01 00 03 "a/b" 00
                """);
        bad("SUBSCRIBE 5.0 Topic Alias is not a SUBSCRIBE property", SERVER, V5, MALFORMED_PACKET, """
                82 0C 00 01 03 23 00 01 00 03 "a/b" 00
                """);
        bad("SUBSCRIBE topic filter with an invalid UTF-8 byte", SERVER, V311, MALFORMED_PACKET, """
                82 08 00 01 00 03 61 FF 62 00
                """);
        bad("SUBSCRIBE topic filter without its options byte", SERVER, V311, MALFORMED_PACKET, """
                82 07 00 01 00 03 "a/b"
                """);
        bad("SUBSCRIBE second topic filter truncated", SERVER, V5, MALFORMED_PACKET, """
                82 0B 00 01 00 00 03 "a/b" 00 00 05
                """);
        bad("SUBSCRIBE sent to a client", CLIENT, V311, PROTOCOL_ERROR, """
                82 08 00 01 00 03 "a/b" 00
                """);
    }

    private static void subAck() {
        ok("spec 3.1.1 SUBACK granted QoS 0, granted QoS 2, failure", CLIENT, V311,
                new SubAck(10, List.of(GRANTED_QOS_0, GRANTED_QOS_2, UNSPECIFIED_ERROR), Properties.EMPTY), """
                90 05 00 0A
                00 02 80                # 3.9.3 example payload
                """);
        ok("SUBACK 3.1 granted QoS 1", CLIENT, V31, new SubAck(1, List.of(GRANTED_QOS_1), Properties.EMPTY),
                "90 03 00 01 01");
        ok("SUBACK 5.0 with a reason string", CLIENT, V5,
                new SubAck(10, List.of(GRANTED_QOS_1, TOPIC_FILTER_INVALID, SHARED_SUBSCRIPTIONS_NOT_SUPPORTED,
                        WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED), props().put(REASON_STRING, "ok").build()), """
                90 0C 00 0A 05 1F 00 02 "ok"
                01 8F 9E A2
                """);
        ok("SUBACK 5.0 every SUBACK reason code", CLIENT, V5,
                new SubAck(11, List.of(GRANTED_QOS_0, GRANTED_QOS_1, GRANTED_QOS_2, UNSPECIFIED_ERROR,
                        IMPLEMENTATION_SPECIFIC_ERROR, NOT_AUTHORIZED, TOPIC_FILTER_INVALID,
                        PACKET_IDENTIFIER_IN_USE, QUOTA_EXCEEDED, SHARED_SUBSCRIPTIONS_NOT_SUPPORTED,
                        SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED, WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED),
                        Properties.EMPTY), """
                90 0F 00 0B 00
                00 01 02 80 83 87 8F 91 97 9E A1 A2
                """);
        ok("SUBACK 5.0 with a user property", CLIENT, V5,
                new SubAck(12, List.of(GRANTED_QOS_2), props().userProperty("k", "v").build()), """
                90 0B 00 0C 07 26 00 01 "k" 00 01 "v" 02
                """);
        bad("SUBACK 3.1.1 return code 3", CLIENT, V311, MALFORMED_PACKET, "90 03 00 0A 03");
        bad("SUBACK 3.1.1 return code 0x8F exists only in 5.0", CLIENT, V311, MALFORMED_PACKET, "90 03 00 0A 8F");
        bad("SUBACK 5.0 reason code 0x03", CLIENT, V5, MALFORMED_PACKET, "90 04 00 0A 00 03");
        bad("SUBACK 3.1.1 without return codes", CLIENT, V311, PROTOCOL_ERROR, "90 02 00 0A");
        bad("SUBACK 5.0 without reason codes", CLIENT, V5, PROTOCOL_ERROR, "90 03 00 0A 00");
        bad("SUBACK packet id 0", CLIENT, V311, MALFORMED_PACKET, "90 03 00 00 00");
        bad("SUBACK with flags 2", CLIENT, V311, MALFORMED_PACKET, "92 03 00 0A 00");
        bad("SUBACK sent to a server", SERVER, V311, PROTOCOL_ERROR, "90 03 00 0A 00");
        bad("SUBACK 5.0 Subscription Identifier is not a SUBACK property", CLIENT, V5, MALFORMED_PACKET, """
                90 06 00 0A 02 0B 01 00
                """);
    }

    // ------------------------------------------------------------------ UNSUBSCRIBE, UNSUBACK

    private static void unsubscribe() {
        ok("spec 3.1.1 UNSUBSCRIBE a/b and c/d", SERVER, V311,
                new Unsubscribe(10, List.of("a/b", "c/d"), Properties.EMPTY), """
                A2 0C 00 0A
                00 03 "a/b"             # 3.10.3 example payload
                00 03 "c/d"
                """);
        ok("UNSUBSCRIBE 3.1", SERVER, V31, new Unsubscribe(1, List.of("#"), Properties.EMPTY), """
                A2 05 00 01 00 01 "#"
                """);
        ok("UNSUBSCRIBE 5.0 without properties", SERVER, V5, new Unsubscribe(10, List.of("a/b"), Properties.EMPTY), """
                A2 08 00 0A 00 00 03 "a/b"
                """);
        ok("UNSUBSCRIBE 5.0 with a user property", SERVER, V5,
                new Unsubscribe(10, List.of("a/b"), props().userProperty("k", "v").build()), """
                A2 0F 00 0A 07 26 00 01 "k" 00 01 "v" 00 03 "a/b"
                """);
        bad("UNSUBSCRIBE with flags 0", SERVER, V311, MALFORMED_PACKET, """
                A0 07 00 0A 00 03 "a/b"
                """);
        bad("UNSUBSCRIBE 3.1.1 without a topic filter", SERVER, V311, PROTOCOL_ERROR, "A2 02 00 0A");
        bad("UNSUBSCRIBE 5.0 without a topic filter", SERVER, V5, PROTOCOL_ERROR, "A2 03 00 0A 00");
        bad("UNSUBSCRIBE packet id 0", SERVER, V311, MALFORMED_PACKET, """
                A2 07 00 00 00 03 "a/b"
                """);
        bad("UNSUBSCRIBE topic filter containing U+0000", SERVER, V311, MALFORMED_PACKET, """
                A2 07 00 0A 00 03 61 00 62
                """);
        bad("UNSUBSCRIBE topic filter length past the end", SERVER, V5, MALFORMED_PACKET, """
                A2 06 00 0A 00 00 09 "a"
                """);
        bad("UNSUBSCRIBE 5.0 Reason String is not an UNSUBSCRIBE property", SERVER, V5, MALFORMED_PACKET, """
                A2 0B 00 0A 05 1F 00 02 "no" 00 01 "a"
                """);
        bad("UNSUBSCRIBE sent to a client", CLIENT, V5, PROTOCOL_ERROR, """
                A2 08 00 0A 00 00 03 "a/b"
                """);
    }

    private static void unsubAck() {
        ok("UNSUBACK 3.1.1", CLIENT, V311, new UnsubAck(10, List.of(), Properties.EMPTY), "B0 02 00 0A");
        ok("UNSUBACK 3.1", CLIENT, V31, new UnsubAck(1, List.of(), Properties.EMPTY), "B0 02 00 01");
        ok("UNSUBACK 5.0 every UNSUBACK reason code", CLIENT, V5,
                new UnsubAck(10, List.of(SUCCESS, NO_SUBSCRIPTION_EXISTED, UNSPECIFIED_ERROR,
                        IMPLEMENTATION_SPECIFIC_ERROR, NOT_AUTHORIZED, TOPIC_FILTER_INVALID, PACKET_IDENTIFIER_IN_USE),
                        Properties.EMPTY), """
                B0 0A 00 0A 00
                00 11 80 83 87 8F 91
                """);
        ok("UNSUBACK 5.0 with a reason string", CLIENT, V5,
                new UnsubAck(10, List.of(SUCCESS), props().put(REASON_STRING, "x").build()), """
                B0 08 00 0A 04 1F 00 01 "x" 00
                """);
        bad("UNSUBACK 3.1.1 with a reason code (5.0 only)", CLIENT, V311, MALFORMED_PACKET, "B0 03 00 0A 00");
        bad("UNSUBACK 5.0 without reason codes", CLIENT, V5, PROTOCOL_ERROR, "B0 03 00 0A 00");
        bad("UNSUBACK 5.0 reason code 0x10 is not an UNSUBACK code", CLIENT, V5, MALFORMED_PACKET,
                "B0 04 00 0A 00 10");
        bad("UNSUBACK packet id 0", CLIENT, V311, MALFORMED_PACKET, "B0 02 00 00");
        bad("UNSUBACK with flags 2", CLIENT, V311, MALFORMED_PACKET, "B2 02 00 0A");
        bad("UNSUBACK sent to a server", SERVER, V5, PROTOCOL_ERROR, "B0 04 00 0A 00 00");
    }

    // ------------------------------------------------------------------ PINGREQ, PINGRESP

    private static void ping() {
        ok("PINGREQ 3.1.1", SERVER, V311, PingReq.INSTANCE, "C0 00");
        ok("PINGREQ 5.0", SERVER, V5, PingReq.INSTANCE, "C0 00");
        ok("PINGREQ 3.1", SERVER, V31, PingReq.INSTANCE, "C0 00");
        ok("PINGRESP 3.1.1", CLIENT, V311, PingResp.INSTANCE, "D0 00");
        ok("PINGRESP 5.0", CLIENT, V5, PingResp.INSTANCE, "D0 00");
        ok("PINGRESP 3.1", CLIENT, V31, PingResp.INSTANCE, "D0 00");
        lenient("PINGREQ 3.1.1 non-minimal remaining length", SERVER, V311, PingReq.INSTANCE, "C0 80 00");
        bad("PINGREQ with a body", SERVER, V311, MALFORMED_PACKET, "C0 01 00");
        bad("PINGREQ with flags 2", SERVER, V5, MALFORMED_PACKET, "C2 00");
        bad("PINGREQ 5.0 non-minimal remaining length", SERVER, V5, MALFORMED_PACKET, "C0 80 00");
        bad("PINGRESP with a body", CLIENT, V5, MALFORMED_PACKET, "D0 01 00");
        bad("PINGRESP with flags 1", CLIENT, V311, MALFORMED_PACKET, "D1 00");
        bad("PINGREQ sent to a client", CLIENT, V5, PROTOCOL_ERROR, "C0 00");
        bad("PINGRESP sent to a server", SERVER, V311, PROTOCOL_ERROR, "D0 00");
    }

    // ------------------------------------------------------------------ DISCONNECT

    private static void disconnect() {
        ok("DISCONNECT 3.1.1", SERVER, V311, Disconnect.NORMAL, "E0 00");
        ok("DISCONNECT 3.1", SERVER, V31, Disconnect.NORMAL, "E0 00");
        ok("DISCONNECT 5.0 short form", SERVER, V5, Disconnect.NORMAL, "E0 00");
        ok("DISCONNECT 5.0 to a client, short form", CLIENT, V5, Disconnect.NORMAL, "E0 00");
        ok("DISCONNECT 5.0 with will message", SERVER, V5, new Disconnect(DISCONNECT_WITH_WILL_MESSAGE), "E0 01 04");
        lenient("DISCONNECT 5.0 normal with an explicit zero property length", SERVER, V5, Disconnect.NORMAL,
                "E0 02 00 00");
        lenient("DISCONNECT 5.0 normal reason code without property length", SERVER, V5, Disconnect.NORMAL,
                "E0 01 00");
        ok("DISCONNECT 5.0 from a client with session expiry, reason string and user property", SERVER, V5,
                new Disconnect(NORMAL_DISCONNECTION, props()
                        .put(SESSION_EXPIRY_INTERVAL, 0L)
                        .put(REASON_STRING, "bye")
                        .userProperty("k", "v")
                        .build()), """
                E0 14 00
                12                      # property length 18
                11 00 00 00 00          # Session Expiry Interval 0
                1F 00 03 "bye"          # Reason String
                26 00 01 "k" 00 01 "v"  # User Property
                """);
        ok("DISCONNECT 5.0 from a server, use another server with a server reference", CLIENT, V5,
                new Disconnect(USE_ANOTHER_SERVER, props().put(SERVER_REFERENCE, "host2").build()), """
                E0 0A 9C 08 1C 00 05 "host2"
                """);
        ok("DISCONNECT 5.0 from a server, session taken over", CLIENT, V5, new Disconnect(SESSION_TAKEN_OVER),
                "E0 01 8E");
        bad("DISCONNECT 3.1.1 with a body", SERVER, V311, MALFORMED_PACKET, "E0 01 00");
        bad("DISCONNECT with flags 2", SERVER, V5, MALFORMED_PACKET, "E2 00");
        bad("DISCONNECT 5.0 reason code 0x01 is not a DISCONNECT code", SERVER, V5, MALFORMED_PACKET, "E0 01 01");
        bad("DISCONNECT 5.0 from a server with a Session Expiry Interval", CLIENT, V5, PROTOCOL_ERROR, """
                E0 07 00 05 11 00 00 00 0A
                """);
        bad("DISCONNECT 5.0 Topic Alias is not a DISCONNECT property", SERVER, V5, MALFORMED_PACKET, """
                E0 05 00 03 23 00 01
                """);
        bad("DISCONNECT 5.0 Session Expiry Interval twice", SERVER, V5, PROTOCOL_ERROR, """
                E0 0C 00 0A 11 00 00 00 01 11 00 00 00 02
                """);
        bad("DISCONNECT 5.0 property length past the end", SERVER, V5, MALFORMED_PACKET, "E0 03 00 05 11");
        bad("DISCONNECT 3.1.1 sent to a client (only clients send it before 5.0)", CLIENT, V311, PROTOCOL_ERROR,
                "E0 00");
    }

    // ------------------------------------------------------------------ AUTH

    private static void auth() {
        ok("AUTH 5.0 success, short form", SERVER, V5, new Auth(SUCCESS, Properties.EMPTY), "F0 00");
        ok("AUTH 5.0 continue authentication with method and data", SERVER, V5,
                new Auth(CONTINUE_AUTHENTICATION, props()
                        .put(AUTHENTICATION_METHOD, "SCRAM").put(AUTHENTICATION_DATA, new byte[] {1, 2, 3}).build()), """
                F0 10 18
                0E 15 00 05 "SCRAM" 16 00 03 01 02 03
                """);
        ok("AUTH 5.0 re-authenticate with reason string and user property", SERVER, V5,
                new Auth(RE_AUTHENTICATE, props()
                        .put(AUTHENTICATION_METHOD, "X").put(REASON_STRING, "re").userProperty("a", "b").build()), """
                F0 12 19
                10 15 00 01 "X" 1F 00 02 "re" 26 00 01 "a" 00 01 "b"
                """);
        ok("AUTH 5.0 from a server, success with a method", CLIENT, V5,
                new Auth(SUCCESS, props().put(AUTHENTICATION_METHOD, "X").build()), """
                F0 06 00 04 15 00 01 "X"
                """);
        lenient("AUTH 5.0 success reason code without property length", CLIENT, V5,
                new Auth(SUCCESS, Properties.EMPTY), "F0 01 00");
        bad("AUTH in 3.1.1 sent to a server", SERVER, V311, MALFORMED_PACKET, "F0 00");
        bad("AUTH in 3.1.1 sent to a client", CLIENT, V311, MALFORMED_PACKET, "F0 00");
        bad("AUTH in 3.1 sent to a server", SERVER, V31, MALFORMED_PACKET, "F0 00");
        bad("AUTH 5.0 Authentication Data without Authentication Method", SERVER, V5, PROTOCOL_ERROR, """
                F0 08 18 06 16 00 03 01 02 03
                """);
        bad("AUTH 5.0 properties without Authentication Method", CLIENT, V5, PROTOCOL_ERROR, """
                F0 07 18 05 1F 00 02 "no"
                """);
        bad("AUTH 5.0 continue authentication without property length", SERVER, V5, MALFORMED_PACKET, "F0 01 18");
        bad("AUTH 5.0 reason code 0x87 is not an AUTH code", SERVER, V5, MALFORMED_PACKET, "F0 01 87");
        bad("AUTH with flags 1", SERVER, V5, MALFORMED_PACKET, "F1 00");
        bad("AUTH 5.0 Session Expiry Interval is not an AUTH property", SERVER, V5, MALFORMED_PACKET, """
                F0 07 18 05 11 00 00 00 01
                """);
        bad("AUTH 5.0 Authentication Method twice", SERVER, V5, PROTOCOL_ERROR, """
                F0 0A 18 08 15 00 01 "a" 15 00 01 "b"
                """);
    }

    // ------------------------------------------------------------------ fixed header in general

    private static void fixedHeader() {
        bad("reserved packet type 0 on a 5.0 connection", SERVER, V5, MALFORMED_PACKET, "00 00");
        bad("reserved packet type 0 sent to a 3.1.1 client", CLIENT, V311, MALFORMED_PACKET, "00 00");
        bad("remaining length of five bytes on a 3.1.1 connection", SERVER, V311, MALFORMED_PACKET, """
                C0 80 80 80 80 01
                """);
        bad("remaining length with a continuation bit in its fourth byte", CLIENT, V5, MALFORMED_PACKET, """
                30 FF FF FF FF
                """);
    }
}
