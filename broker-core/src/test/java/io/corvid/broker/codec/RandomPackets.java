package io.corvid.broker.codec;

import io.corvid.broker.codec.MqttDecoder.Role;
import io.corvid.broker.packet.Auth;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Disconnect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.PingReq;
import io.corvid.broker.packet.PingResp;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random packets that are valid in a given version and direction, so that decoding their
 * encoding must give them back. Everything comes from the {@link Random} passed in: same seed,
 * same packets.
 */
public final class RandomPackets {

    /** Packet types a server decoder accepts (after CONNECT, which is generated apart). */
    public static final List<PacketType> FROM_CLIENT = List.of(PacketType.PUBLISH, PacketType.PUBACK,
            PacketType.PUBREC, PacketType.PUBREL, PacketType.PUBCOMP, PacketType.SUBSCRIBE,
            PacketType.UNSUBSCRIBE, PacketType.PINGREQ, PacketType.DISCONNECT, PacketType.AUTH);
    /** Packet types a client decoder accepts. */
    public static final List<PacketType> FROM_SERVER = List.of(PacketType.CONNACK, PacketType.PUBLISH,
            PacketType.PUBACK, PacketType.PUBREC, PacketType.PUBREL, PacketType.PUBCOMP, PacketType.SUBACK,
            PacketType.UNSUBACK, PacketType.PINGRESP, PacketType.DISCONNECT, PacketType.AUTH);

    private final Random random;

    public RandomPackets(Random random) {
        this.random = random;
    }

    /**
     * A random packet of a random type that a decoder of {@code role} accepts on a {@code version}
     * connection (CONNECT excluded: it changes the decoder's state).
     */
    public MqttPacket any(Role role, ProtocolVersion version) {
        List<PacketType> types = role == Role.SERVER ? FROM_CLIENT : FROM_SERVER;
        PacketType type;
        do {
            type = types.get(random.nextInt(types.size()));
        } while (type == PacketType.AUTH && !version.isV5()
                || type == PacketType.DISCONNECT && role == Role.CLIENT && !version.isV5());
        return of(type, role, version);
    }

    /** A random packet of the given type, valid for a decoder of {@code role} in {@code version}. */
    public MqttPacket of(PacketType type, Role role, ProtocolVersion version) {
        boolean v5 = version.isV5();
        return switch (type) {
            case CONNECT -> connect(version);
            case CONNACK -> connAck(version);
            case PUBLISH -> publish(role, v5);
            case PUBACK -> new PubAck(packetId(), flowCode(PacketType.PUBACK, v5), flowProperties(PacketType.PUBACK, v5));
            case PUBREC -> new PubRec(packetId(), flowCode(PacketType.PUBREC, v5), flowProperties(PacketType.PUBREC, v5));
            case PUBREL -> new PubRel(packetId(), flowCode(PacketType.PUBREL, v5), flowProperties(PacketType.PUBREL, v5));
            case PUBCOMP -> new PubComp(packetId(), flowCode(PacketType.PUBCOMP, v5),
                    flowProperties(PacketType.PUBCOMP, v5));
            case SUBSCRIBE -> subscribe(v5);
            case SUBACK -> subAck(v5);
            case UNSUBSCRIBE -> unsubscribe(v5);
            case UNSUBACK -> unsubAck(v5);
            case PINGREQ -> PingReq.INSTANCE;
            case PINGRESP -> PingResp.INSTANCE;
            case DISCONNECT -> disconnect(role, v5);
            case AUTH -> auth();
        };
    }

    public Connect connect(ProtocolVersion version) {
        boolean v5 = version.isV5();
        String username = chance(2) ? text(12) : null;
        // Before 5.0 a password needs a user name.
        byte[] password = (v5 || username != null) && chance(2) ? bytes(20) : null;
        Will will = null;
        if (chance(3)) {
            will = new Will(topicName(), bytes(chance(10) ? 300 : 20), qos(), random.nextBoolean(),
                    v5 ? properties(PacketType.CONNECT, true, Role.SERVER) : Properties.EMPTY);
        }
        return new Connect(version, text(23), random.nextBoolean(), random.nextInt(65536), username, password,
                will, v5 ? properties(PacketType.CONNECT, false, Role.SERVER) : Properties.EMPTY);
    }

    private ConnAck connAck(ProtocolVersion version) {
        boolean v5 = version.isV5();
        ReasonCode code;
        if (v5) {
            code = chance(2) ? ReasonCode.SUCCESS : codeFor(PacketType.CONNACK);
        } else {
            // The six codes 3.1.1 can express (others map onto these when encoded).
            List<ReasonCode> v3 = List.of(ReasonCode.SUCCESS, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION,
                    ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, ReasonCode.SERVER_UNAVAILABLE,
                    ReasonCode.BAD_USER_NAME_OR_PASSWORD, ReasonCode.NOT_AUTHORIZED);
            code = v3.get(random.nextInt(v3.size()));
        }
        // MQTT 3.1 has no session present flag.
        boolean sessionPresent = code == ReasonCode.SUCCESS && version != ProtocolVersion.MQTT_3_1 && random.nextBoolean();
        return new ConnAck(sessionPresent, code, v5 ? properties(PacketType.CONNACK, false, Role.CLIENT) : Properties.EMPTY);
    }

    private Publish publish(Role decoderRole, boolean v5) {
        QoS qos = qos();
        Properties properties = v5 ? properties(PacketType.PUBLISH, false, decoderRole) : Properties.EMPTY;
        String topic = topicName();
        if (v5 && chance(8)) {
            // An alias stands for the topic.
            topic = "";
            properties = properties.with(Property.TOPIC_ALIAS, 1 + random.nextInt(65535));
        }
        int payloadSize = switch (random.nextInt(20)) {
            case 0 -> 0;
            case 1 -> 100 + random.nextInt(20_000); // crosses the one- and two-byte length boundaries
            default -> random.nextInt(40);
        };
        return new Publish(topic, qos, random.nextBoolean(), qos != QoS.AT_MOST_ONCE && random.nextBoolean(),
                qos == QoS.AT_MOST_ONCE ? 0 : packetId(), bytes(payloadSize, payloadSize), properties);
    }

    private ReasonCode flowCode(PacketType type, boolean v5) {
        return v5 && chance(2) ? codeFor(type) : ReasonCode.SUCCESS;
    }

    private Properties flowProperties(PacketType type, boolean v5) {
        return v5 ? properties(type, false, Role.SERVER) : Properties.EMPTY;
    }

    private Subscribe subscribe(boolean v5) {
        List<Subscription> subscriptions = new ArrayList<>();
        int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            if (v5) {
                subscriptions.add(new Subscription(topicFilter(), qos(), random.nextBoolean(), random.nextBoolean(),
                        RetainHandling.values()[random.nextInt(3)]));
            } else {
                subscriptions.add(new Subscription(topicFilter(), qos()));
            }
        }
        return new Subscribe(packetId(), subscriptions,
                v5 ? properties(PacketType.SUBSCRIBE, false, Role.SERVER) : Properties.EMPTY);
    }

    private SubAck subAck(boolean v5) {
        List<ReasonCode> codes = new ArrayList<>();
        int count = 1 + random.nextInt(5);
        List<ReasonCode> v3 = List.of(ReasonCode.GRANTED_QOS_0, ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_2,
                ReasonCode.UNSPECIFIED_ERROR);
        for (int i = 0; i < count; i++) {
            codes.add(v5 ? codeFor(PacketType.SUBACK) : v3.get(random.nextInt(v3.size())));
        }
        return new SubAck(packetId(), codes, v5 ? properties(PacketType.SUBACK, false, Role.CLIENT) : Properties.EMPTY);
    }

    private Unsubscribe unsubscribe(boolean v5) {
        List<String> filters = new ArrayList<>();
        int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            filters.add(topicFilter());
        }
        return new Unsubscribe(packetId(), filters,
                v5 ? properties(PacketType.UNSUBSCRIBE, false, Role.SERVER) : Properties.EMPTY);
    }

    private UnsubAck unsubAck(boolean v5) {
        if (!v5) {
            return new UnsubAck(packetId(), List.of(), Properties.EMPTY);
        }
        List<ReasonCode> codes = new ArrayList<>();
        int count = 1 + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            codes.add(codeFor(PacketType.UNSUBACK));
        }
        return new UnsubAck(packetId(), codes, properties(PacketType.UNSUBACK, false, Role.CLIENT));
    }

    private Disconnect disconnect(Role decoderRole, boolean v5) {
        if (!v5) {
            return Disconnect.NORMAL;
        }
        ReasonCode code = chance(3) ? ReasonCode.NORMAL_DISCONNECTION : codeFor(PacketType.DISCONNECT);
        return new Disconnect(code, properties(PacketType.DISCONNECT, false, decoderRole));
    }

    private Auth auth() {
        ReasonCode code = codeFor(PacketType.AUTH);
        if (code == ReasonCode.SUCCESS && chance(3)) {
            return new Auth(code, Properties.EMPTY);
        }
        // Every AUTH but the short Success form names its method.
        Properties properties = properties(PacketType.AUTH, false, Role.SERVER);
        if (!properties.contains(Property.AUTHENTICATION_METHOD)) {
            properties = properties.with(Property.AUTHENTICATION_METHOD, text(10));
        }
        return new Auth(code, properties);
    }

    /**
     * Random properties allowed in the packet (or in the will), each present with probability
     * one third, with values that obey the value rules the decoder checks.
     *
     * @param decoderRole the role of the decoder that will read the packet: a client's PUBLISH
     *                    carries no subscription identifier, a server's DISCONNECT no session
     *                    expiry interval
     */
    public Properties properties(PacketType type, boolean will, Role decoderRole) {
        Properties.Builder builder = Properties.builder();
        boolean method = false;
        for (Property property : Property.values()) {
            boolean allowed = will ? property.isAllowedInWill() : property.isAllowedIn(type);
            if (!allowed || !chance(3)) {
                continue;
            }
            if (property == Property.SUBSCRIPTION_IDENTIFIER && type == PacketType.PUBLISH && decoderRole == Role.SERVER
                    || property == Property.SESSION_EXPIRY_INTERVAL && type == PacketType.DISCONNECT
                    && decoderRole == Role.CLIENT
                    || property == Property.AUTHENTICATION_DATA && !method) {
                continue;
            }
            switch (property) {
                case USER_PROPERTY -> {
                    int count = 1 + random.nextInt(3);
                    for (int i = 0; i < count; i++) {
                        builder.userProperty(text(8), text(8));
                    }
                }
                case SUBSCRIPTION_IDENTIFIER -> {
                    int count = type == PacketType.PUBLISH ? 1 + random.nextInt(3) : 1;
                    for (int i = 0; i < count; i++) {
                        builder.subscriptionIdentifier(variableByteInteger());
                    }
                }
                case RESPONSE_TOPIC -> builder.put(property, topicName());
                case AUTHENTICATION_METHOD -> {
                    method = true;
                    builder.put(property, text(10));
                }
                default -> builder.put(property, value(property));
            }
        }
        return builder.build();
    }

    private Object value(Property property) {
        return switch (property.type()) {
            case BYTE -> random.nextInt(2);
            case TWO_BYTE_INTEGER -> {
                boolean zeroAllowed = property != Property.RECEIVE_MAXIMUM && property != Property.TOPIC_ALIAS;
                yield zeroAllowed && chance(10) ? 0 : 1 + random.nextInt(65535);
            }
            case FOUR_BYTE_INTEGER -> {
                long value = random.nextLong() & 0xFFFF_FFFFL;
                yield property == Property.MAXIMUM_PACKET_SIZE && value == 0 ? 1L : value;
            }
            case UTF8_STRING -> text(16);
            case BINARY_DATA -> bytes(16);
            default -> throw new IllegalArgumentException("no random value for " + property);
        };
    }

    /** 1 to 268,435,455, spread over the one- to four-byte encodings. */
    private int variableByteInteger() {
        int[] limits = {127, 16_383, 2_097_151, 268_435_455};
        int limit = limits[random.nextInt(limits.length)];
        return 1 + random.nextInt(limit);
    }

    private ReasonCode codeFor(PacketType type) {
        List<ReasonCode> codes = new ArrayList<>();
        for (ReasonCode code : ReasonCode.values()) {
            if (code.isAllowedIn(type)) {
                codes.add(code);
            }
        }
        return codes.get(random.nextInt(codes.size()));
    }

    private int packetId() {
        return chance(10) ? (chance(2) ? 1 : 65535) : 1 + random.nextInt(65535);
    }

    private QoS qos() {
        return QoS.values()[random.nextInt(3)];
    }

    private boolean chance(int oneIn) {
        return random.nextInt(oneIn) == 0;
    }

    private byte[] bytes(int maxLength) {
        return bytes(0, maxLength);
    }

    private byte[] bytes(int minLength, int maxLength) {
        byte[] bytes = new byte[minLength + random.nextInt(maxLength - minLength + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A topic name: at least one character, no wildcard. */
    public String topicName() {
        String topic;
        do {
            topic = text(1 + random.nextInt(3), 12).replace('+', 'p').replace('#', 'h');
        } while (topic.isEmpty());
        return topic;
    }

    /** A topic filter, often with wildcards, sometimes shared. */
    public String topicFilter() {
        StringBuilder filter = new StringBuilder();
        if (chance(10)) {
            filter.append("$share/").append(topicName().replace('/', '_')).append('/');
        }
        int levels = 1 + random.nextInt(4);
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                filter.append('/');
            }
            int kind = random.nextInt(6);
            if (kind == 0) {
                filter.append('+');
            } else if (kind == 1 && i == levels - 1) {
                filter.append('#');
            } else {
                filter.append(topicName().replace('/', '_'));
            }
        }
        return filter.toString();
    }

    /** Random text of up to {@code maxCodePoints} code points, occasionally much longer. */
    public String text(int maxCodePoints) {
        int count = chance(50) ? 200 + random.nextInt(400) : random.nextInt(maxCodePoints + 1);
        return text(count, count);
    }

    private String text(int minCodePoints, int maxCodePoints) {
        int count = minCodePoints + random.nextInt(maxCodePoints - minCodePoints + 1);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.appendCodePoint(codePoint());
        }
        return text.toString();
    }

    /** Any code point MQTT strings may carry: no U+0000, no surrogates; all UTF-8 lengths. */
    private int codePoint() {
        return switch (random.nextInt(10)) {
            case 0 -> 1 + random.nextInt(0x7F);                 // any ASCII but U+0000
            case 1 -> 0x80 + random.nextInt(0x800 - 0x80);      // two bytes
            case 2 -> {                                          // three bytes, skipping surrogates
                int c = 0x800 + random.nextInt(0x10000 - 0x800 - 0x800);
                yield c >= 0xD800 ? c + 0x800 : c;
            }
            case 3 -> 0x10000 + random.nextInt(0x110000 - 0x10000); // four bytes
            default -> 0x20 + random.nextInt(0x5F);             // printable ASCII
        };
    }
}
