package io.corvid.broker.packet;

/** Range checks for packet identifiers, shared by the packet records. */
final class PacketIds {
    private PacketIds() {
    }

    /** A packet id that must be present: 1 to 65,535. */
    static int requireValid(int packetId) {
        if (packetId < 1 || packetId > 0xFFFF) {
            throw new IllegalArgumentException("packet identifier must be 1..65535: " + packetId);
        }
        return packetId;
    }
}
