package io.corvid.broker.transport;

import io.corvid.broker.Listener;
import java.net.InetSocketAddress;

/**
 * A listener after binding.
 *
 * @param listener the configuration it was bound from
 * @param address  the local address it listens on, with the actual port; {@code null} for a Unix
 *                 domain socket, whose path is {@code listener.socketPath()}
 */
public record BoundListener(Listener listener, InetSocketAddress address) {
}
