package io.corvid.broker.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.packet.PacketType;
import io.corvid.broker.packet.ReasonCode;
import org.junit.jupiter.api.Test;

/** MQTT 3.1.1 CONNACK return codes (3.2.2.3) and SUBACK return codes (3.9.3) against 5.0 reason codes. */
class V3ReturnCodesTest {

    @Test
    void connectReturnCodesMapBothWays() {
        ReasonCode[] byReturnCode = {ReasonCode.SUCCESS, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION,
            ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, ReasonCode.SERVER_UNAVAILABLE,
            ReasonCode.BAD_USER_NAME_OR_PASSWORD, ReasonCode.NOT_AUTHORIZED};
        for (int returnCode = 0; returnCode < byReturnCode.length; returnCode++) {
            assertEquals(byReturnCode[returnCode], V3ReturnCodes.fromConnectReturnCode(returnCode));
            assertEquals(returnCode, V3ReturnCodes.toConnectReturnCode(byReturnCode[returnCode]));
        }
        for (int reserved = 6; reserved < 256; reserved++) {
            assertNull(V3ReturnCodes.fromConnectReturnCode(reserved));
        }
    }

    /** Every CONNACK reason code has a 3.1.1 answer, and only refusals become refusals. */
    @Test
    void everyConnAckReasonCodeHasAnMqtt311ReturnCode() {
        for (ReasonCode code : ReasonCode.values()) {
            if (code.isAllowedIn(PacketType.CONNACK)) {
                int returnCode = V3ReturnCodes.toConnectReturnCode(code);
                assertTrue(returnCode >= 0 && returnCode <= 5, code + " -> " + returnCode);
                assertEquals(code == ReasonCode.SUCCESS, returnCode == 0, code.toString());
            }
        }
    }

    @Test
    void subscribeReturnCodesMapBothWays() {
        assertEquals(ReasonCode.GRANTED_QOS_0, V3ReturnCodes.fromSubscribeReturnCode(0));
        assertEquals(ReasonCode.GRANTED_QOS_1, V3ReturnCodes.fromSubscribeReturnCode(1));
        assertEquals(ReasonCode.GRANTED_QOS_2, V3ReturnCodes.fromSubscribeReturnCode(2));
        assertEquals(ReasonCode.UNSPECIFIED_ERROR, V3ReturnCodes.fromSubscribeReturnCode(0x80));
        for (int value = 0; value < 256; value++) {
            if (value > 2 && value != 0x80) {
                assertNull(V3ReturnCodes.fromSubscribeReturnCode(value), "0x" + Integer.toHexString(value));
            }
        }
        for (ReasonCode code : ReasonCode.values()) {
            if (code.isAllowedIn(PacketType.SUBACK)) {
                int returnCode = V3ReturnCodes.toSubscribeReturnCode(code);
                assertEquals(code.isError() ? 0x80 : code.value(), returnCode, code.toString());
            }
        }
    }
}
