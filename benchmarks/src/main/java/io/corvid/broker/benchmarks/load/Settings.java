package io.corvid.broker.benchmarks.load;

import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.QoS;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Everything a run needs to know, resolved from the command line (scenario defaults applied).
 *
 * @param rate            messages per second over all publishers; 0 for as fast as possible
 * @param window          most QoS 1/2 messages in flight per publisher, before the broker's Receive Maximum
 * @param e2eWindow       most messages outstanding end to end per subscriber (split over its
 *                        publishers); 0 for no limit
 * @param brokerPid       the broker's process id for memory figures, or 0
 * @param threads         client threads; 0 for one per core
 * @param verbose         print which messages never arrived
 * @param pressure        the stuck, late-readers and slow-subscriber scenarios' own settings
 * @param persistentSubscribers subscribers keep persistent sessions (Clean Session 0; MQTT 5.0: Clean
 *                        Start 0 and Session Expiry Interval 3600 s), so that a broker with a store
 *                        stores their QoS 1/2 messages; publishers stay clean
 * @param recovery        the recovery scenario's own settings
 */
public record Settings(Scenario scenario, String host, int port, ProtocolVersion protocol, String client,
                       QoS qos, int payload, int publishers, int subscribers, double rate,
                       double warmupSeconds, double durationSeconds, double drainSeconds,
                       int window, int e2eWindow, int keepAlive, int threads,
                       int connections, List<InetAddress> sourceAddresses, int connectConcurrency,
                       int retainedCount, long brokerPid, boolean verbose, PressureSettings pressure,
                       boolean persistentSubscribers, RecoverySettings recovery) {

    public Settings {
        sourceAddresses = List.copyOf(sourceAddresses);
        if (payload < Payload.HEADER_SIZE) {
            throw new IllegalArgumentException("--payload must be at least " + Payload.HEADER_SIZE
                    + " bytes (sequence number and timestamp)");
        }
    }

    /** The broker's address. */
    public InetSocketAddress broker() {
        return new InetSocketAddress(host, port);
    }

    /** "3.1.1" or "5". */
    public String protocolLabel() {
        return protocol.isV5() ? "5" : protocol == ProtocolVersion.MQTT_3_1 ? "3.1" : "3.1.1";
    }
}
