package io.corvid.broker.cli.security;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.corvid.broker.AuthenticationRequest;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.ProtocolVersion;
import java.net.InetSocketAddress;
import java.util.List;

/** Connection requests and client descriptions for the tests. */
final class Requests {
    private Requests() {
    }

    /** A CONNECT from {@code username} (null: anonymous) with {@code password} (null: none). */
    static AuthenticationRequest connect(String username, String password) {
        Connect connect = new Connect(ProtocolVersion.MQTT_5, "client-1", true, 60, username,
                password == null ? null : password.getBytes(UTF_8), null, Properties.EMPTY);
        return new AuthenticationRequest(connect, new InetSocketAddress("127.0.0.1", 50000), "tcp", List.of());
    }

    /** A connected client. */
    static ClientInfo client(String clientId, String username) {
        return new ClientInfo(clientId, username, new InetSocketAddress("127.0.0.1", 50000), ProtocolVersion.MQTT_5, "tcp");
    }
}
