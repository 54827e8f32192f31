package io.corvid.broker;

import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.ReasonCode;
import java.util.Objects;

/**
 * The answer of an {@link Authentication}: let the client in, or refuse it with a CONNACK
 * reason code (MQTT 3.1.1 clients receive the nearest return code).
 */
public final class AuthenticationResult {
    private static final AuthenticationResult ALLOW = new AuthenticationResult(ReasonCode.SUCCESS, null, null);

    private final ReasonCode reasonCode;
    private final String reasonString;
    private final String serverReference;

    private AuthenticationResult(ReasonCode reasonCode, String reasonString, String serverReference) {
        this.reasonCode = reasonCode;
        this.reasonString = reasonString;
        this.serverReference = serverReference;
    }

    /** Let the client in. */
    public static AuthenticationResult allow() {
        return ALLOW;
    }

    /** Refuse with 0x86 Bad User Name or Password (3.1.1: return code 4). */
    public static AuthenticationResult badCredentials() {
        return deny(ReasonCode.BAD_USER_NAME_OR_PASSWORD, null);
    }

    /** Refuse with 0x87 Not Authorized (3.1.1: return code 5). */
    public static AuthenticationResult notAuthorized() {
        return deny(ReasonCode.NOT_AUTHORIZED, null);
    }

    /**
     * Refuse with the given CONNACK reason code and an optional reason string for MQTT 5.0
     * clients that asked for problem information.
     */
    public static AuthenticationResult deny(ReasonCode reasonCode, String reasonString) {
        Objects.requireNonNull(reasonCode, "reasonCode");
        if (!reasonCode.isError() || !reasonCode.isAllowedIn(PacketType.CONNACK)) {
            throw new IllegalArgumentException(reasonCode + " is not a CONNACK failure code");
        }
        return new AuthenticationResult(reasonCode, reasonString, null);
    }

    /**
     * Sends the client elsewhere for now: CONNACK 0x9C Use Another Server with a Server
     * Reference (MQTT 5.0; 3.1.1 clients get return code 3, Server unavailable).
     *
     * @param serverReference where to connect instead, such as "mqtt2.example.com:1883"
     */
    public static AuthenticationResult useAnotherServer(String serverReference) {
        return new AuthenticationResult(ReasonCode.USE_ANOTHER_SERVER, null,
                Objects.requireNonNull(serverReference, "serverReference"));
    }

    /** Sends the client elsewhere for good: CONNACK 0x9D Server Moved with a Server Reference. */
    public static AuthenticationResult serverMoved(String serverReference) {
        return new AuthenticationResult(ReasonCode.SERVER_MOVED, null,
                Objects.requireNonNull(serverReference, "serverReference"));
    }

    /** Whether the client may connect. */
    public boolean isAllowed() {
        return reasonCode == ReasonCode.SUCCESS;
    }

    /** SUCCESS, or the refusal's CONNACK reason code. */
    public ReasonCode reasonCode() {
        return reasonCode;
    }

    /** The reason string for MQTT 5.0 clients, or {@code null}. */
    public String reasonString() {
        return reasonString;
    }

    /** Where the client should connect instead (MQTT 5.0 Server Reference), or {@code null}. */
    public String serverReference() {
        return serverReference;
    }

    @Override
    public String toString() {
        return isAllowed() ? "allow" : "deny(" + reasonCode + (reasonString == null ? "" : ", " + reasonString) + ")";
    }
}
