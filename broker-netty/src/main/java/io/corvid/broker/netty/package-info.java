/**
 * The Netty transport of Corvid: binds TCP, TLS, WebSocket, secure WebSocket and Unix domain
 * socket listeners, turns bytes into the core's packets with the core's own
 * {@link io.corvid.broker.codec.MqttDecoder}, and writes the engine's packets with
 * {@link io.corvid.broker.codec.MqttEncoder} straight into Netty buffers. See
 * {@code docs/transports.md} for configuration.
 *
 * <p>The broker finds it through {@link io.corvid.broker.netty.NettyTransportProvider}; an
 * application that wants other settings passes a {@link io.corvid.broker.netty.NettyTransport}
 * to {@code Broker.Builder.transport(...)}.
 */
package io.corvid.broker.netty;
