package io.corvid.broker.benchmarks.jmh;

import io.corvid.broker.codec.DecodeResult;
import io.corvid.broker.codec.MqttDecoder;
import io.corvid.broker.codec.MqttEncoder;
import io.corvid.broker.packet.Connect;
import io.corvid.broker.packet.MqttPacket;
import io.corvid.broker.packet.Properties;
import io.corvid.broker.packet.Property;
import io.corvid.broker.packet.ProtocolVersion;
import io.corvid.broker.packet.Publish;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.packet.Will;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode and encode of the packets on the hot path: PUBLISH with a 64 B and a 4 KiB payload,
 * and CONNECT, in MQTT 3.1.1 and 5.0. Encoding writes into a reused direct buffer, as the
 * transport does into its pooled buffers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    /** Which packet. */
    @Param({"PUBLISH_64", "PUBLISH_4096", "CONNECT"})
    public String packet;

    /** Which protocol version. */
    @Param({"MQTT_3_1_1", "MQTT_5"})
    public String version;

    private ProtocolVersion protocolVersion;
    private MqttPacket value;
    private ByteBuffer encoded;
    private ByteBuffer output;
    private MqttDecoder clientDecoder;

    @Setup
    public void setUp() {
        protocolVersion = ProtocolVersion.valueOf(version);
        value = switch (packet) {
            case "PUBLISH_64" -> publish(64);
            case "PUBLISH_4096" -> publish(4096);
            case "CONNECT" -> connect();
            default -> throw new IllegalArgumentException(packet);
        };
        byte[] bytes = MqttEncoder.encode(value, protocolVersion);
        encoded = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        output = ByteBuffer.allocateDirect(bytes.length);
        clientDecoder = MqttDecoder.forClient(protocolVersion, 1 << 20);
    }

    private Publish publish(int payloadSize) {
        Properties properties = protocolVersion.isV5()
                ? Properties.builder().put(Property.CONTENT_TYPE, "application/octet-stream")
                .userProperty("trace", "abc123").build()
                : Properties.EMPTY;
        return new Publish("sensors/building-7/floor-3/room-12/temperature", QoS.AT_LEAST_ONCE, false, false, 4242,
                new byte[payloadSize], properties);
    }

    private Connect connect() {
        Properties properties = protocolVersion.isV5()
                ? Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 3600L)
                .put(Property.RECEIVE_MAXIMUM, 100).put(Property.TOPIC_ALIAS_MAXIMUM, 10).build()
                : Properties.EMPTY;
        Will will = new Will("devices/sensor-0042/status", "offline".getBytes(StandardCharsets.UTF_8),
                QoS.AT_LEAST_ONCE, true, Properties.EMPTY);
        return new Connect(protocolVersion, "sensor-0042", false, 60, "device",
                "s3cr3t-password".getBytes(StandardCharsets.UTF_8), will, properties);
    }

    /**
     * PUBLISH goes through one long-lived decoder, as on a connection; CONNECT needs a fresh
     * server decoder each time (a second CONNECT is a protocol error), as a new connection does.
     */
    @Benchmark
    public MqttPacket decode() {
        MqttDecoder decoder = value instanceof Connect ? MqttDecoder.forServer(1 << 20) : clientDecoder;
        encoded.rewind();
        return ((DecodeResult.Decoded) decoder.decode(encoded)).packet();
    }

    /** Size first, then write, as the transport does. */
    @Benchmark
    public ByteBuffer encode() {
        output.clear();
        output.limit(MqttEncoder.encodedSize(value, protocolVersion));
        MqttEncoder.encode(value, protocolVersion, output);
        return output;
    }
}
