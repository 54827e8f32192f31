package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.BrokerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/configuration.md stays true to the launcher: its example loads, its table lists every option. */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final Set<String> COMMAND_LINE_ONLY = Set.of("--config", "--help", "--version");
    private static final Pattern ROW = Pattern.compile(
            "(?m)^\\| `(--[a-z0-9-]+)`(?:, `-[a-zA-Z]`)? \\| (?:`([a-z0-9-]+)`|\\(command line only\\)) \\|");

    @TempDir
    Path temp;

    private static String yamlExample() throws IOException {
        String doc = Files.readString(DOC);
        int start = doc.indexOf("```yaml\n");
        assertTrue(start >= 0, "no yaml example in " + DOC);
        int end = doc.indexOf("\n```", start + 8);
        return doc.substring(start + 8, end + 1);
    }

    private static List<OptionSpec> options() {
        return new CommandLine(new CorvidCommand()).getCommandSpec().options();
    }

    @Test
    void theExampleLoadsAndDescribesABroker() throws IOException {
        Path file = temp.resolve("example.yaml");
        Files.writeString(file, yamlExample());
        String[] args = {"--config", file.toString()};
        CommandLine commandLine = CorvidCommand.commandLine(args);
        commandLine.parseArgs(args);
        CorvidCommand command = commandLine.getCommand();
        BrokerConfig config = command.builder().buildConfig();
        assertEquals(1883, config.listeners().get(0).port());
        assertEquals(BrokerConfig.DEFAULT_MAX_INFLIGHT, config.maxInflight(), "the example shows the defaults");
    }

    @Test
    void theExampleShowsEveryKey() throws IOException {
        String yaml = yamlExample();
        List<String> missing = new ArrayList<>();
        for (OptionSpec option : options()) {
            String key = option.longestName().substring(2);
            if (!COMMAND_LINE_ONLY.contains(option.longestName())
                    && !Pattern.compile("(?m)^(# )?" + Pattern.quote(key) + ":").matcher(yaml).find()) {
                missing.add(key);
            }
        }
        assertEquals(List.of(), missing, "keys missing from the example in " + DOC);
    }

    @Test
    void theTableListsEveryFlagWithItsKeyAndNothingElse() throws IOException {
        Map<String, String> documented = new TreeMap<>();
        Matcher row = ROW.matcher(Files.readString(DOC));
        while (row.find()) {
            documented.put(row.group(1), row.group(2) == null ? "" : row.group(2));
        }
        Map<String, String> actual = new TreeMap<>();
        for (OptionSpec option : options()) {
            String flag = option.longestName();
            actual.put(flag, COMMAND_LINE_ONLY.contains(flag) ? "" : flag.substring(2));
        }
        assertEquals(actual, documented, "flag -> config key in the table of " + DOC);
    }
}
