package io.corvid.broker.cli.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration files the fuzzer (LauncherFilesFuzzTest.configFile) found mishandled. */
class ConfigFileRegressionTest {

    @TempDir
    Path directory;

    /**
     * A double-quoted value ending in a {@code \U} escape without its hex digits made
     * snakeyaml-engine throw NumberFormatException, which escaped the loader: the launcher died
     * with a stack trace instead of naming the file and the fault.
     */
    @Test
    void unicodeEscapeCutShortByTheEndOfTheFileIsAConfigError() throws IOException {
        Path file = Files.writeString(directory.resolve("corvid.yaml"), "a: \"\\U", StandardCharsets.UTF_8);

        ConfigException error = assertThrows(ConfigException.class, () -> ConfigFile.load(file));

        assertTrue(error.getMessage().startsWith(file + ": not valid YAML"), error.getMessage());
    }
}
