package io.corvid.broker.netty;

import io.corvid.broker.transport.Transport;
import io.corvid.broker.transport.TransportProvider;

/**
 * Registers {@link NettyTransport} with {@link java.util.ServiceLoader}, so that a broker finds
 * it when broker-netty is on the class path.
 */
public final class NettyTransportProvider implements TransportProvider {

    @Override
    public String name() {
        return "netty";
    }

    @Override
    public Transport create() {
        return new NettyTransport();
    }
}
