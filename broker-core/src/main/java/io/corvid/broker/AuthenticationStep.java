package io.corvid.broker;

import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.ReasonCode;
import java.util.Objects;

/** One step of an enhanced authentication exchange, as decided by an {@link AuthenticationExchange}. */
public final class AuthenticationStep {

    /** What the step does. */
    public enum Kind {
        /** Send the client a challenge (AUTH 0x18 Continue authentication) and wait for its answer. */
        CHALLENGE,
        /** The client is authenticated (CONNACK 0x00, or AUTH 0x00 after re-authentication). */
        SUCCESS,
        /** The client is refused (CONNACK, or DISCONNECT after re-authentication, with the reason code). */
        FAILURE
    }

    private final Kind kind;
    private final byte[] data;
    private final ReasonCode reasonCode;
    private final String reasonString;

    private AuthenticationStep(Kind kind, byte[] data, ReasonCode reasonCode, String reasonString) {
        this.kind = kind;
        this.data = data;
        this.reasonCode = reasonCode;
        this.reasonString = reasonString;
    }

    /** Challenges the client with {@code serverData}. */
    public static AuthenticationStep challenge(byte[] serverData) {
        return new AuthenticationStep(Kind.CHALLENGE, Objects.requireNonNull(serverData, "serverData"),
                ReasonCode.CONTINUE_AUTHENTICATION, null);
    }

    /** Authenticates the client, with final server data for it ({@code null} for none). */
    public static AuthenticationStep success(byte[] serverData) {
        return new AuthenticationStep(Kind.SUCCESS, serverData, ReasonCode.SUCCESS, null);
    }

    /**
     * Refuses the client.
     *
     * @param reasonCode a failure code allowed in both CONNACK and DISCONNECT, such as 0x87 Not
     *                   authorized, 0x8C Bad authentication method or 0x80 Unspecified error
     */
    public static AuthenticationStep failure(ReasonCode reasonCode, String reasonString) {
        Objects.requireNonNull(reasonCode, "reasonCode");
        if (!reasonCode.isError() || !reasonCode.isAllowedIn(PacketType.CONNACK)) {
            throw new IllegalArgumentException(reasonCode + " is not a CONNACK failure code");
        }
        return new AuthenticationStep(Kind.FAILURE, null, reasonCode, reasonString);
    }

    public Kind kind() {
        return kind;
    }

    /** The server's Authentication Data for the client, or {@code null}. Do not modify. */
    public byte[] data() {
        return data;
    }

    public ReasonCode reasonCode() {
        return reasonCode;
    }

    public String reasonString() {
        return reasonString;
    }

    @Override
    public String toString() {
        return kind + (kind == Kind.FAILURE ? "(" + reasonCode + ")" : "");
    }
}
