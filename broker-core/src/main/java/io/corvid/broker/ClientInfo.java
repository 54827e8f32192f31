package io.corvid.broker;

import io.corvid.broker.packet.ProtocolVersion;
import java.net.SocketAddress;

/**
 * Who a client is, as plug-ins and events see it.
 *
 * @param clientId        the client identifier (the assigned one when the client sent none)
 * @param username        the user name from CONNECT, or {@code null}
 * @param remoteAddress   the client's network address, or {@code null} for messages published
 *                        from inside the application
 * @param protocolVersion the protocol version the client speaks
 * @param listenerName    the name of the listener the client came in through
 */
public record ClientInfo(String clientId, String username, SocketAddress remoteAddress,
                         ProtocolVersion protocolVersion, String listenerName) {
}
