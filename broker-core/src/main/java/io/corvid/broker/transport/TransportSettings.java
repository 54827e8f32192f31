package io.corvid.broker.transport;

/**
 * Broker-wide settings a transport needs.
 *
 * @param maximumPacketSize       the largest packet, fixed header included, the decoder accepts
 * @param maxConnections          the most network connections held at once over all listeners
 * @param ioThreads               I/O threads; 0 means one per core
 * @param nativeTransport         which socket implementation to use
 * @param writeBufferLowWaterMark bytes queued for a connection below which it is writable again
 * @param writeBufferHighWaterMark bytes queued for a connection above which it stops being writable
 */
public record TransportSettings(int maximumPacketSize, int maxConnections, int ioThreads,
                                NativeTransport nativeTransport, int writeBufferLowWaterMark,
                                int writeBufferHighWaterMark) {

    /** Which socket implementation a transport uses. */
    public enum NativeTransport {
        /** io_uring if it works here, else epoll, else the JDK's NIO. */
        AUTO,
        /** Always the JDK's NIO. */
        NIO
    }

    public TransportSettings {
        if (writeBufferLowWaterMark < 0 || writeBufferHighWaterMark < writeBufferLowWaterMark) {
            throw new IllegalArgumentException("write buffer water marks must satisfy 0 <= low <= high");
        }
    }

    /** Defaults around a maximum packet size: no connection limit, one I/O thread per core, 32/64 KiB water marks. */
    public static TransportSettings defaults(int maximumPacketSize) {
        return new TransportSettings(maximumPacketSize, Integer.MAX_VALUE, 0, NativeTransport.AUTO, 32 * 1024, 64 * 1024);
    }
}
