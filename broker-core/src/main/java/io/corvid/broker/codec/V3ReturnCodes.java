package io.corvid.broker.codec;

import io.corvid.broker.packet.ReasonCode;

/**
 * Maps the MQTT 3.1 / 3.1.1 CONNACK return codes and SUBACK return codes onto the MQTT 5.0
 * reason codes the rest of the broker uses, and back.
 */
final class V3ReturnCodes {
    private V3ReturnCodes() {
    }

    /** CONNACK return code 0..5 to a reason code; {@code null} for anything else. */
    static ReasonCode fromConnectReturnCode(int value) {
        return switch (value) {
            case 0 -> ReasonCode.SUCCESS;
            case 1 -> ReasonCode.UNSUPPORTED_PROTOCOL_VERSION;
            case 2 -> ReasonCode.CLIENT_IDENTIFIER_NOT_VALID;
            case 3 -> ReasonCode.SERVER_UNAVAILABLE;
            case 4 -> ReasonCode.BAD_USER_NAME_OR_PASSWORD;
            case 5 -> ReasonCode.NOT_AUTHORIZED;
            default -> null;
        };
    }

    /**
     * A CONNACK reason code to the nearest MQTT 3.1.1 return code. Codes MQTT 3.1.1 lacks become
     * 3 (server unavailable), except the authentication and authorization failures, which keep
     * their meaning as 4 and 5.
     */
    static int toConnectReturnCode(ReasonCode code) {
        return switch (code) {
            case SUCCESS -> 0;
            case UNSUPPORTED_PROTOCOL_VERSION -> 1;
            case CLIENT_IDENTIFIER_NOT_VALID -> 2;
            case BAD_USER_NAME_OR_PASSWORD, BAD_AUTHENTICATION_METHOD -> 4;
            case NOT_AUTHORIZED, BANNED -> 5;
            default -> 3;
        };
    }

    /** SUBACK return code 0, 1, 2 or 0x80 to a reason code; {@code null} for anything else. */
    static ReasonCode fromSubscribeReturnCode(int value) {
        return switch (value) {
            case 0x00 -> ReasonCode.GRANTED_QOS_0;
            case 0x01 -> ReasonCode.GRANTED_QOS_1;
            case 0x02 -> ReasonCode.GRANTED_QOS_2;
            case 0x80 -> ReasonCode.UNSPECIFIED_ERROR;
            default -> null;
        };
    }

    /** A SUBACK reason code to MQTT 3.1.1: granted QoS stays, every failure becomes 0x80. */
    static int toSubscribeReturnCode(ReasonCode code) {
        return code.isError() ? 0x80 : code.value();
    }
}
