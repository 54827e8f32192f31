package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.BrokerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The overload and per-client limits, as flags and as config-file keys. */
class LimitOptionsTest {
    @TempDir
    Path dir;

    private static CorvidCommand parse(String... args) {
        CommandLine commandLine = CorvidCommand.commandLine(args);
        commandLine.parseArgs(args);
        return commandLine.getCommand();
    }

    private BrokerConfig fromFile(String yaml) throws IOException {
        Path file = dir.resolve("corvid.yaml");
        Files.writeString(file, yaml);
        return parse("--config", file.toString()).builder().buildConfig();
    }

    @Test
    void defaultsAreTheLibrarys() {
        BrokerConfig config = parse().builder().buildConfig();
        assertEquals(BrokerConfig.UNLIMITED, config.maxSubscriptionsPerClient());
        assertEquals(BrokerConfig.DEFAULT_MAX_TOPIC_LEVELS, config.maxTopicLevels());
        assertEquals(BrokerConfig.DEFAULT_MAX_TOPIC_LENGTH, config.maxTopicLength());
    }

    @Test
    void subscriptionAndTopicLimitsAsFlags() {
        BrokerConfig config = parse("--max-subscriptions-per-client", "50", "--max-topic-levels", "8",
                "--max-topic-length", "256").builder().buildConfig();
        assertEquals(50, config.maxSubscriptionsPerClient());
        assertEquals(8, config.maxTopicLevels());
        assertEquals(256, config.maxTopicLength());
    }

    @Test
    void subscriptionAndTopicLimitsAsKeys() throws IOException {
        BrokerConfig config = fromFile("""
                max-subscriptions-per-client: 50
                max-topic-levels: 8
                max-topic-length: 256
                """);
        assertEquals(50, config.maxSubscriptionsPerClient());
        assertEquals(8, config.maxTopicLevels());
        assertEquals(256, config.maxTopicLength());
    }

    @Test
    void limitsBelowOneAreRefused() {
        for (String flag : new String[] {"--max-subscriptions-per-client", "--max-topic-levels", "--max-topic-length"}) {
            CommandLine.ParameterException refused = assertThrows(CommandLine.ParameterException.class,
                    () -> parse(flag, "0").builder());
            assertTrue(refused.getMessage().contains(flag), refused.getMessage());
        }
    }

    @Test
    void publishRatesAsFlagsAndKeys() throws IOException {
        BrokerConfig flags = parse("--max-publish-rate", "100", "--max-publish-bytes-rate", "65536",
                "--publish-rate-policy", "DISCONNECT").builder().buildConfig();
        BrokerConfig file = fromFile("""
                max-publish-rate: 100
                max-publish-bytes-rate: 65536
                publish-rate-policy: disconnect
                """);
        for (BrokerConfig config : new BrokerConfig[] {flags, file}) {
            assertEquals(100, config.maxPublishRate());
            assertEquals(65536, config.maxPublishBytesRate());
            assertEquals(io.corvid.broker.PublishRatePolicy.DISCONNECT, config.publishRatePolicy());
        }
        BrokerConfig defaults = parse().builder().buildConfig();
        assertEquals(0, defaults.maxPublishRate());
        assertEquals(0, defaults.maxPublishBytesRate());
        assertEquals(io.corvid.broker.PublishRatePolicy.THROTTLE, defaults.publishRatePolicy());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--max-publish-rate", "-1").builder());
    }

    @Test
    void connectionRateAsFlagsAndKeys() throws IOException {
        BrokerConfig flags = parse("--max-connection-rate", "200", "--connection-rate-burst", "50")
                .builder().buildConfig();
        BrokerConfig file = fromFile("""
                max-connection-rate: 200
                connection-rate-burst: 50
                """);
        for (BrokerConfig config : new BrokerConfig[] {flags, file}) {
            assertEquals(200, config.maxConnectionRate());
            assertEquals(50, config.connectionRateBurst());
            assertEquals(200.0, config.transportSettings().maxConnectionRate());
            assertEquals(50, config.transportSettings().connectionRateBurst());
        }
        assertEquals(200, parse("--max-connection-rate", "200").builder().buildConfig().connectionRateBurst(),
                "the burst defaults to one second's worth");
        BrokerConfig defaults = parse().builder().buildConfig();
        assertEquals(0, defaults.maxConnectionRate());
        assertEquals(false, defaults.transportSettings().pacesConnections());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--max-connection-rate", "-1").builder());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--connection-rate-burst", "0").builder());
    }
}
