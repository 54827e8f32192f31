package io.corvid.broker.cli;

import io.corvid.broker.packet.QoS;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The launcher's options as they took effect (flag, config file, environment or default), by
 * config key, for the admin API's {@code /api/v1/config}. Secrets are replaced by a mask: the
 * passwords of key material and the admin token.
 */
final class EffectiveOptions {
    /** What a secret reads as. */
    static final String MASK = "********";
    /** Options that only make sense on the command line, and so are no configuration. */
    private static final Set<String> COMMAND_LINE_ONLY = Set.of("config", "help", "version");
    private static final Set<String> SECRETS = Set.of("key-store-psw", "key-psw", "trust-store-psw", "admin-token");

    private EffectiveOptions() {
    }

    /** Every option of {@code spec} with its value; {@code null} where unset. */
    static Map<String, Object> of(CommandSpec spec) {
        Map<String, Object> options = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            String key = option.longestName().substring(2);
            if (COMMAND_LINE_ONLY.contains(key)) {
                continue;
            }
            Object value = option.getValue();
            options.put(key, SECRETS.contains(key) && value != null ? MASK : plain(value));
        }
        return options;
    }

    /** A value JSON can show: numbers and booleans as they are, lists as lists, the rest as text. */
    private static Object plain(Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(EffectiveOptions::plain).toList();
        }
        if (value instanceof Path path) {
            return path.toString();
        }
        if (value instanceof QoS qos) {
            return qos.value();
        }
        if (value instanceof Enum<?> constant) {
            return constant.name();
        }
        return value.toString();
    }
}
