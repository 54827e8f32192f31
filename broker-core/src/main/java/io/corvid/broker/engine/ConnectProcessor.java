package io.corvid.broker.engine;

import io.corvid.broker.AuthenticationRequest;
import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.BrokerConfig;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.Cluster;
import io.corvid.broker.DisconnectReason;
import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.packet.ConnAck;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.ReasonCode;
import io.corvid.broker.packet.Will;
import io.corvid.broker.session.Session;
import io.corvid.broker.topic.Topics;
import io.corvid.broker.transport.TransportInfo;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CONNECT to CONNACK: client identifier rules, negotiated limits, interceptors,
 * authentication, will authorization, then attaching the session (which takes over an
 * existing connection with the same client identifier). Runs on the connection's thread.
 */
final class ConnectProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectProcessor.class);
    /** The fallback of a cluster claim that failed or timed out: the CONNECT is refused. */
    private static final Long CLAIM_FAILED = -1L;

    private final ProtocolHandler handler;
    private Connect connect;
    private String assignedClientId;
    /** Whether the broker made the client identifier up (an empty one was sent): unique, nobody else can claim it. */
    private boolean identifierAssigned;
    private io.corvid.broker.EnhancedAuthenticationProvider enhancedProvider;
    /** Set while waiting for the client's AUTH answer to a challenge during CONNECT. */
    private boolean awaitingAuth;
    private byte[] authenticationSuccessData;

    ConnectProcessor(ProtocolHandler handler) {
        this.handler = handler;
    }

    /** A CONNECT that could not be decoded: answer with a CONNACK where the version allows one, then close. */
    void onConnectDecodeError(DecodeResult.Error error, ProtocolVersion decoderVersion) {
        LOG.info("Bad CONNECT from {}: {}", handler.connection.remoteAddress(), error.message());
        DisconnectReason reason = new DisconnectReason(DisconnectReason.Initiator.SERVER, error.reasonCode(), error.message());
        if (error.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
            // The client's level is unknown to us, so answer in the 3.1.1 form every level understands.
            handler.version = ProtocolVersion.MQTT_3_1_1;
            handler.write(new ConnAck(false, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, Properties.EMPTY));
        } else if (decoderVersion == ProtocolVersion.MQTT_5 && error.packetType() == PacketType.CONNECT
                && error.reasonCode().isAllowedIn(PacketType.CONNACK)) {
            handler.version = decoderVersion;
            handler.write(new ConnAck(false, error.reasonCode(), ProtocolHandler.reasonString(error.message())));
        }
        handler.closeQuietly(reason);
    }

    void onConnect(Connect packet) {
        this.connect = packet;
        handler.state = ProtocolHandler.State.CONNECTING;
        handler.version = packet.protocolVersion();
        // Packets that follow CONNECT wait in the handler until CONNACK; reading stops only if
        // a plug-in takes its time (see ProtocolHandler.await).
        BrokerConfig config = handler.engine.config();
        ProtocolVersion version = packet.protocolVersion();
        boolean v5 = version.isV5();

        String clientId = packet.clientId();
        if (clientId.isEmpty()) {
            if (version == ProtocolVersion.MQTT_3_1 || (version == ProtocolVersion.MQTT_3_1_1 && !packet.cleanStart())) {
                refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "an empty client identifier needs clean session");
                return;
            }
            clientId = handler.engine.assignClientId();
            assignedClientId = v5 ? clientId : null;
            identifierAssigned = true;
        }
        TransportInfo transport = handler.connection.transportInfo();
        if (transport.identityAsUsername() != null) {
            // The listener vouches for the client by its certificate: that subject is the user name.
            packet = new Connect(version, packet.clientId(), packet.cleanStart(), packet.keepAlive(),
                    transport.identityAsUsername(), packet.password(), packet.will(), packet.properties());
            this.connect = packet;
        }
        handler.client = new ClientInfo(clientId, packet.username(), handler.connection.remoteAddress(), version,
                transport.listenerName());

        Properties properties = packet.properties();
        if (v5) {
            handler.clientReceiveMaximum = properties.getInt(Property.RECEIVE_MAXIMUM, 0xFFFF);
            handler.clientMaximumPacketSize = properties.getLong(Property.MAXIMUM_PACKET_SIZE, Long.MAX_VALUE);
            handler.problemInformation = properties.getInt(Property.REQUEST_PROBLEM_INFORMATION, 1) == 1;
            handler.connectSessionExpiryInterval = properties.getLong(Property.SESSION_EXPIRY_INTERVAL, 0);
            handler.sessionExpiryInterval = Math.min(handler.connectSessionExpiryInterval, config.maxSessionExpiryInterval());
            int clientAliasMaximum = properties.getInt(Property.TOPIC_ALIAS_MAXIMUM, 0);
            if (clientAliasMaximum > 0 && config.outboundTopicAliases()) {
                handler.outboundTopicAliases = new OutboundTopicAliases(clientAliasMaximum);
            }
            String method = properties.getString(Property.AUTHENTICATION_METHOD);
            if (method != null) {
                enhancedProvider = handler.engine.enhancedAuthentication(method);
                if (enhancedProvider == null) {
                    handler.engine.metrics().authenticationFailed();
                    refuse(ReasonCode.BAD_AUTHENTICATION_METHOD, "authentication method " + method + " is not supported");
                    return;
                }
            }
        } else {
            handler.sessionExpiryInterval = packet.cleanStart() ? 0 : config.maxSessionExpiryInterval();
            handler.connectSessionExpiryInterval = handler.sessionExpiryInterval;
        }
        handler.keepAliveSeconds = negotiatedKeepAlive(packet.keepAlive(), v5, config.maxKeepAlive());

        Will will = packet.will();
        if (will != null && v5) {
            if (will.qos().value() > config.maximumQos().value()) {
                refuse(ReasonCode.QOS_NOT_SUPPORTED, "will QoS above the broker's maximum");
                return;
            }
            if (will.retain() && !config.retainAvailable()) {
                refuse(ReasonCode.RETAIN_NOT_SUPPORTED, "retained wills are not supported");
                return;
            }
        }
        String willOverLimit = will == null ? null : handler.engine.topicLimits().violation(will.topic());
        if (willOverLimit != null) {
            // As a PUBLISH to it would be refused (MQTT 3.1.1 has no code for it: its CONNACK says 3, unavailable).
            handler.engine.metrics().topicLimitRefusals.increment();
            refuse(ReasonCode.TOPIC_NAME_INVALID, "will topic is a " + willOverLimit);
            return;
        }
        if (handler.engine.isShuttingDown()) {
            refuse(ReasonCode.SERVER_UNAVAILABLE, "broker shutting down");
            return;
        }
        if (!handler.engine.tryAcquireConnectionSlot()) {
            refuse(ReasonCode.SERVER_BUSY, "connection limit of " + config.maxConnections() + " reached");
            return;
        }
        handler.holdsConnectionSlot = true;
        if (!handler.interceptorsAcceptConnect(packet)) {
            refuse(ReasonCode.NOT_AUTHORIZED, "rejected by an interceptor");
            return;
        }

        AuthenticationRequest request = new AuthenticationRequest(packet, handler.connection.remoteAddress(),
                transport.listenerName(), transport.peerCertificates());
        if (enhancedProvider != null) {
            handler.enhancedAuthenticator = new EnhancedAuthenticator(handler, enhancedProvider, request);
            handler.enhancedAuthenticator.begin(properties.getBinary(Property.AUTHENTICATION_DATA),
                    handler.connection.executor(), this::onEnhancedStep);
            return;
        }
        handler.await(AsyncDecisions.call(() -> handler.engine.authentication().authenticateAsync(request)),
                AuthenticationResult.deny(ReasonCode.SERVER_UNAVAILABLE, "authentication unavailable"),
                "authentication", handler.connection.executor(), this::onAuthenticated);
    }

    private void onEnhancedStep(io.corvid.broker.AuthenticationStep step) {
        if (handler.state != ProtocolHandler.State.CONNECTING) {
            return;
        }
        switch (step.kind()) {
            case CHALLENGE -> {
                handler.write(handler.enhancedAuthenticator.challenge(step));
                handler.flush();
                awaitingAuth = true;
                handler.setReading(true);
            }
            case SUCCESS -> {
                authenticationSuccessData = step.data();
                onAuthenticated(AuthenticationResult.allow());
            }
            case FAILURE -> {
                handler.engine.metrics().authenticationFailed();
                refuse(step.reasonCode(), step.reasonString() == null ? "authentication failed" : step.reasonString());
            }
        }
    }

    /**
     * A packet arrived while CONNECT is being processed. An AUTH answering a challenge goes on
     * with the exchange; anything else waits for CONNACK. Returns whether the packet was taken.
     */
    boolean onPacketWhileConnecting(io.corvid.broker.packet.MqttPacket packet) {
        if (packet.type() != PacketType.AUTH) {
            return false;
        }
        io.corvid.broker.packet.Auth auth = (io.corvid.broker.packet.Auth) packet;
        if (!awaitingAuth || auth.reasonCode() != ReasonCode.CONTINUE_AUTHENTICATION
                || !handler.enhancedAuthenticator.method().equals(auth.properties().getString(Property.AUTHENTICATION_METHOD))) {
            handler.engine.metrics().protocolErrors.increment();
            refuse(ReasonCode.PROTOCOL_ERROR, "unexpected AUTH during CONNECT");
            return true;
        }
        awaitingAuth = false;
        handler.setReading(false);
        handler.enhancedAuthenticator.step(auth.properties().getBinary(Property.AUTHENTICATION_DATA),
                handler.connection.executor(), this::onEnhancedStep);
        return true;
    }

    private void onAuthenticated(AuthenticationResult result) {
        if (handler.state != ProtocolHandler.State.CONNECTING) {
            return;
        }
        if (!result.isAllowed()) {
            handler.engine.metrics().authenticationFailed();
            refuse(result.reasonCode(), result.reasonString() == null ? "authentication failed" : result.reasonString(),
                    result.serverReference());
            return;
        }
        Will will = connect.will();
        if (will == null) {
            claimThenAttach();
            return;
        }
        if (Topics.isReservedForBroker(will.topic())) {
            refuse(ReasonCode.NOT_AUTHORIZED, "a will may not be published to " + will.topic() + ": $SYS topics are the broker's");
            return;
        }
        handler.await(AsyncDecisions.call(() -> handler.engine.authorization().canPublishAsync(handler.client,
                        will.topic(), will.qos(), will.retain())),
                Boolean.FALSE, "will authorization", handler.connection.executor(), allowed -> {
                    if (handler.state != ProtocolHandler.State.CONNECTING) {
                        return;
                    }
                    if (allowed) {
                        claimThenAttach();
                    } else {
                        refuse(ReasonCode.NOT_AUTHORIZED, "not authorized to publish the will to " + will.topic());
                    }
                });
    }

    /**
     * In a cluster, makes this node the owner of the client identifier first, and only then
     * attaches the session: CONNACK waits for the claim, the connection's thread does not (reading
     * pauses as for an asynchronous plug-in). Claiming comes after authentication, so that a
     * client that cannot log in cannot take anybody's connection away. Without a cluster this is
     * one null check.
     */
    private void claimThenAttach() {
        Cluster cluster = handler.engine.cluster();
        if (cluster == null || identifierAssigned) {
            attachSession(Cluster.NO_CLAIM);
            return;
        }
        String clientId = handler.client.clientId();
        CompletionStage<Long> claim = AsyncDecisions.call(() -> cluster.claimClient(clientId));
        handler.await(claim, CLAIM_FAILED, "cluster claim", handler.connection.executor(), epoch -> {
            if (handler.state != ProtocolHandler.State.CONNECTING) {
                handler.engine.claimUnused(clientId, epoch);
            } else if (epoch < 0) {
                refuse(ReasonCode.SERVER_UNAVAILABLE, "the cluster could not make this node the client's owner");
                releaseIfLate(claim, clientId);
            } else {
                attachSession(epoch);
            }
        }, epoch -> {
            handler.engine.claimUnused(clientId, epoch);
            if (epoch < 0) {
                releaseIfLate(claim, clientId);
            }
        });
    }

    /** A claim answered after the plug-in timeout gave up on it must not leave this node the owner of nothing. */
    private void releaseIfLate(CompletionStage<Long> claim, String clientId) {
        claim.thenAccept(epoch -> {
            if (epoch != null) {
                handler.engine.claimUnused(clientId, epoch);
            }
        });
    }

    private void attachSession(long claimEpoch) {
        handler.will = connect.will();
        Session session = handler.engine.sessionFor(handler.client.clientId(), handler.connection.executor());
        handler.session = session;
        long expiry = handler.sessionExpiryInterval;
        boolean cleanStart = connect.cleanStart();
        int requestedKeepAlive = connect.keepAlive();
        boolean responseInformationRequested =
                connect.properties().getInt(Property.REQUEST_RESPONSE_INFORMATION, 0) == 1;
        session.executor().execute(() -> {
            if (session.isEnded()) {
                // The session ended between lookup and attachment: start over with a new one.
                handler.connection.executor().execute(() -> {
                    if (handler.state == ProtocolHandler.State.CONNECTING) {
                        attachSession(claimEpoch);
                    } else {
                        handler.engine.claimUnused(handler.client.clientId(), claimEpoch);
                    }
                });
                return;
            }
            if (claimEpoch != Cluster.NO_CLAIM && !claimStillCurrent(session, claimEpoch)) {
                // A newer claim (another node's, or another connection's here) overtook this one
                // while it was answered: the client is served under that one, not twice.
                session.endIfNeverUsed();
                // CONNACK has no "taken over"; a refusal the client sees at once beats a silent close,
                // on which some clients wait out their whole connect timeout.
                handler.connection.executor().execute(() -> {
                    if (handler.state == ProtocolHandler.State.CONNECTING) {
                        refuse(ReasonCode.SERVER_UNAVAILABLE,
                                "a newer connection of this client took over while this one connected");
                    }
                });
                return;
            }
            boolean present = session.attach(handler, handler.connection.executor(), cleanStart, expiry,
                    handler.version.level(), handler.will);
            // The CONNECT (its password included) is not needed once attached: an idle connection keeps nothing of it.
            connect = null;
            session.executor().execute(() -> handler.onSessionAttached(present,
                    connAck(present, requestedKeepAlive, responseInformationRequested)));
        });
    }

    /**
     * Whether claim {@code epoch} may attach: no newer one is known, to the cluster (another
     * node's notice) or to the session (a newer local connection). Records it on the session then;
     * the check and the record run in the session's executor, where takeover notices are applied
     * too, so a notice that comes after them finds the epoch and ends what it overtook.
     */
    private boolean claimStillCurrent(Session session, long epoch) {
        if (session.claimEpoch() > epoch || !handler.engine.cluster().isClaimCurrent(session.clientId(), epoch)) {
            return false;
        }
        session.claimEpoch(epoch);
        return true;
    }

    private ConnAck connAck(boolean sessionPresent, int requestedKeepAlive, boolean responseInformationRequested) {
        if (!handler.version.isV5()) {
            return new ConnAck(sessionPresent, ReasonCode.SUCCESS, Properties.EMPTY);
        }
        BrokerConfig config = handler.engine.config();
        Properties.Builder properties = Properties.builder();
        long requestedExpiry = handler.connectSessionExpiryInterval;
        if (requestedExpiry != handler.sessionExpiryInterval) {
            properties.put(Property.SESSION_EXPIRY_INTERVAL, handler.sessionExpiryInterval);
        }
        if (assignedClientId != null) {
            properties.put(Property.ASSIGNED_CLIENT_IDENTIFIER, assignedClientId);
        }
        if (handler.keepAliveSeconds != requestedKeepAlive) {
            properties.put(Property.SERVER_KEEP_ALIVE, handler.keepAliveSeconds);
        }
        if (handler.enhancedAuthenticator != null) {
            properties.put(Property.AUTHENTICATION_METHOD, handler.enhancedAuthenticator.method());
            if (authenticationSuccessData != null) {
                properties.put(Property.AUTHENTICATION_DATA, authenticationSuccessData);
            }
        }
        if (config.receiveMaximum() != 0xFFFF) {
            properties.put(Property.RECEIVE_MAXIMUM, config.receiveMaximum());
        }
        properties.put(Property.MAXIMUM_PACKET_SIZE, (long) config.maxPacketSize());
        if (config.topicAliasMaximum() > 0) {
            properties.put(Property.TOPIC_ALIAS_MAXIMUM, config.topicAliasMaximum());
        }
        if (config.maximumQos() != QoS.EXACTLY_ONCE) {
            properties.put(Property.MAXIMUM_QOS, config.maximumQos().value());
        }
        if (!config.retainAvailable()) {
            properties.put(Property.RETAIN_AVAILABLE, 0);
        }
        if (!config.wildcardSubscriptionsAvailable()) {
            properties.put(Property.WILDCARD_SUBSCRIPTION_AVAILABLE, 0);
        }
        if (!config.subscriptionIdentifiersAvailable()) {
            properties.put(Property.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0);
        }
        if (!config.sharedSubscriptionsAvailable()) {
            properties.put(Property.SHARED_SUBSCRIPTION_AVAILABLE, 0);
        }
        if (responseInformationRequested && config.responseInformation() != null) {
            String information = config.responseInformation().apply(handler.client);
            if (information != null) {
                properties.put(Property.RESPONSE_INFORMATION, information);
            }
        }
        return new ConnAck(sessionPresent, ReasonCode.SUCCESS, properties.build());
    }

    /**
     * MQTT 5.0 clients asking for more than the broker's maximum, or for none at all while a
     * maximum is set, are told the maximum (Server Keep Alive). MQTT 3.1.1 has no way to tell
     * a client, so its own value stands.
     */
    private static int negotiatedKeepAlive(int requested, boolean v5, int maximum) {
        if (v5 && maximum < 0xFFFF && (requested == 0 || requested > maximum)) {
            return maximum;
        }
        return requested;
    }

    private void refuse(ReasonCode reasonCode, String description) {
        refuse(reasonCode, description, null);
    }

    private void refuse(ReasonCode reasonCode, String description, String serverReference) {
        handler.engine.metrics().refused(reasonCode);
        LOG.info("Refused CONNECT from {}: {} ({})", handler.describe(), description, reasonCode);
        if (handler.version.isV5()) {
            Properties reference = serverReference == null ? Properties.EMPTY
                    : Properties.builder().put(Property.SERVER_REFERENCE, serverReference).build();
            handler.writeWithinClientLimit(
                    new ConnAck(false, reasonCode, reference.with(Property.REASON_STRING, description)),
                    new ConnAck(false, reasonCode, reference));
        } else {
            handler.write(new ConnAck(false, reasonCode, Properties.EMPTY));
        }
        if (handler.client != null) {
            handler.engine.events().connectionRefused(handler.client, reasonCode);
        }
        handler.closeQuietly(new DisconnectReason(DisconnectReason.Initiator.SERVER, reasonCode, description));
    }
}
