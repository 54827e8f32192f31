package io.corvid.broker.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;

/**
 * Makes plain sockets for a client library and remembers them, so that a test can cut a
 * client's network connection without the library sending DISCONNECT: the broker sees the
 * connection end abnormally, as when a device loses power.
 */
final class KillableSocketFactory extends SocketFactory {
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    @Override
    public Socket createSocket() {
        return remember(new Socket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return remember(new Socket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return remember(new Socket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return remember(new Socket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return remember(new Socket(address, port, localAddress, localPort));
    }

    private Socket remember(Socket socket) {
        sockets.add(socket);
        return socket;
    }

    /** The most recently created socket. */
    Socket last() {
        if (sockets.isEmpty()) {
            throw new IllegalStateException("no socket created yet");
        }
        return sockets.get(sockets.size() - 1);
    }

    /** Aborts every socket made so far (TCP reset, no DISCONNECT). */
    void killAll() {
        for (Socket socket : sockets) {
            try {
                if (!socket.isClosed()) {
                    socket.setSoLinger(true, 0);
                    socket.close();
                }
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
