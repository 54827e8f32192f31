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
 * @param maxConnectionRate       new connections accepted per second by each listener; 0 for no pacing
 * @param connectionRateBurst     connections each listener accepts at once after a quiet time,
 *                                within {@code maxConnectionRate}; at least 1 when it is on
 */
public record TransportSettings(int maximumPacketSize, int maxConnections, int ioThreads,
                                NativeTransport nativeTransport, int writeBufferLowWaterMark,
                                int writeBufferHighWaterMark, double maxConnectionRate, int connectionRateBurst) {

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
        if (!(maxConnectionRate >= 0) || Double.isInfinite(maxConnectionRate)) {
            throw new IllegalArgumentException("maxConnectionRate must be 0 (off) or a positive number: "
                    + maxConnectionRate);
        }
        if (maxConnectionRate > 0 && connectionRateBurst < 1) {
            throw new IllegalArgumentException("connectionRateBurst must be at least 1: " + connectionRateBurst);
        }
    }

    /** Settings without connection-rate pacing. */
    public TransportSettings(int maximumPacketSize, int maxConnections, int ioThreads, NativeTransport nativeTransport,
                             int writeBufferLowWaterMark, int writeBufferHighWaterMark) {
        this(maximumPacketSize, maxConnections, ioThreads, nativeTransport, writeBufferLowWaterMark,
                writeBufferHighWaterMark, 0, 0);
    }

    /** Whether listeners pace the connections they accept. */
    public boolean pacesConnections() {
        return maxConnectionRate > 0;
    }

    /** Defaults around a maximum packet size: no connection limit, one I/O thread per core, 32/64 KiB water marks. */
    public static TransportSettings defaults(int maximumPacketSize) {
        return new TransportSettings(maximumPacketSize, Integer.MAX_VALUE, 0, NativeTransport.AUTO, 32 * 1024, 64 * 1024);
    }
}
