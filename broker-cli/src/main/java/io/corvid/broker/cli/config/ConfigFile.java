package io.corvid.broker.cli.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A YAML config file read as what the launcher needs from it: a flat mapping from option names
 * (the long flags without their dashes, e.g. {@code max-inflight: 256}) to values, each with its
 * line for error messages. A list value ({@code tls-versions: [TLSv1.3, TLSv1.2]}) becomes the
 * comma-separated form the flag takes. Nothing here knows which keys exist: {@link ConfigOptions}
 * checks the entries against the command's options.
 */
public final class ConfigFile {
    /** One {@code key: value} line of the file. */
    public record Entry(String key, String value, int line) {
    }

    private final Path file;
    private final Map<String, Entry> entries;

    private ConfigFile(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /**
     * Reads {@code file}.
     *
     * @throws ConfigException if the file cannot be read, is not YAML, or is not a flat mapping
     *                         of names to scalars or lists of scalars
     */
    public static ConfigFile load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": no such file");
        }
        LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
        Optional<Node> root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Compose(settings).composeReader(reader);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
        } catch (YamlEngineException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage().strip(), e);
        } catch (RuntimeException e) {
            // The parser does not always report bad input as a YamlEngineException: snakeyaml-engine
            // 3.2 throws NumberFormatException for an escape such as "\U cut short by the end of the
            // file (found by fuzzing). Whatever the parser throws, the file could not be read as YAML.
            throw new ConfigException(file + ": not valid YAML: " + e, e);
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        if (root.isEmpty()) {
            return new ConfigFile(file, entries); // an empty file (or only comments) sets nothing
        }
        if (!(root.get() instanceof MappingNode mapping)) {
            throw new ConfigException(file + " line " + line(root.get())
                    + ": expected 'name: value' lines (a YAML mapping) at the top level");
        }
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode keyScalar)) {
                throw new ConfigException(file + " line " + line(keyNode) + ": a key must be a plain name");
            }
            String key = keyScalar.getValue();
            int line = line(keyNode);
            Entry previous = entries.get(key);
            if (previous != null) {
                throw new ConfigException(file + " line " + line + ": '" + key + "' is set twice (first on line "
                        + previous.line() + ")");
            }
            entries.put(key, new Entry(key, value(file, key, tuple.getValueNode()), line));
        }
        return new ConfigFile(file, entries);
    }

    private static String value(Path file, String key, Node node) {
        if (node instanceof ScalarNode scalar) {
            if (scalar.getValue().isEmpty() && scalar.getTag().getValue().endsWith(":null")) {
                throw new ConfigException(file + " line " + line(node) + ": '" + key + "' has no value");
            }
            return scalar.getValue();
        }
        if (node instanceof SequenceNode sequence) {
            List<String> items = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                if (!(item instanceof ScalarNode scalar)) {
                    throw new ConfigException(file + " line " + line(item) + ": '" + key
                            + "' must be a list of plain values");
                }
                items.add(scalar.getValue());
            }
            return String.join(",", items);
        }
        throw new ConfigException(file + " line " + line(node) + ": '" + key
                + "' must be a single value or a list, not a nested mapping (keys are flat, as the flags are)");
    }

    private static int line(Node node) {
        return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /** The entries, in the file's order. */
    public Map<String, Entry> entries() {
        return entries;
    }
}
