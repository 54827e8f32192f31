package io.corvid.broker.cli.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A config file applied to the launcher's options: every key is a long option's name without
 * its dashes, every value goes through the same converter as the flag, and the file's values
 * become the options' defaults, so that a flag given on the command line wins.
 */
public final class ConfigOptions implements CommandLine.IDefaultValueProvider {
    /** Options that only make sense on the command line. */
    private static final Set<String> COMMAND_LINE_ONLY = Set.of("config", "help", "version");

    private final ConfigFile config;

    private ConfigOptions(ConfigFile config) {
        this.config = config;
    }

    /**
     * Checks every entry of {@code config} against the options of {@code spec}: the key must
     * name an option that a file may set, and its value must be one the flag accepts, as
     * checked by parsing it with a fresh command from {@code freshCommand}.
     *
     * @throws ConfigException naming the file, line, key, value and what is allowed
     */
    public static ConfigOptions checked(ConfigFile config, CommandSpec spec, Supplier<Object> freshCommand) {
        for (ConfigFile.Entry entry : config.entries().values()) {
            OptionSpec option = settable(spec, entry.key());
            if (option == null) {
                throw new ConfigException(where(config, entry) + "unknown key '" + entry.key() + "'"
                        + suggestion(spec, entry.key()) + "; the keys are the long flags without '--' (see --help)");
            }
            List<String> args = new ArrayList<>();
            if (isFlag(option)) {
                String value = entry.value().toLowerCase(Locale.ROOT);
                if (!value.equals("true") && !value.equals("false")) {
                    throw new ConfigException(where(config, entry) + entry.key() + ": '" + entry.value()
                            + "' is not allowed: expected true or false");
                }
                if (value.equals("true")) {
                    args.add(option.longestName());
                }
            } else {
                args.add(option.longestName());
                args.add(entry.value());
            }
            try {
                new CommandLine(freshCommand.get()).setCaseInsensitiveEnumValuesAllowed(true)
                        .parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new ConfigException(where(config, entry) + entry.key() + ": '" + entry.value()
                        + "' is not allowed: " + e.getMessage(), e);
            }
        }
        return new ConfigOptions(config);
    }

    /** The option a file may set under {@code key}, or {@code null}. */
    private static OptionSpec settable(CommandSpec spec, String key) {
        if (key.startsWith("-") || COMMAND_LINE_ONLY.contains(key)) {
            return null;
        }
        OptionSpec option = spec.findOption("--" + key);
        return option != null && option.longestName().equals("--" + key) ? option : null;
    }

    /** A boolean option that takes no value on the command line ({@code --in-memory}). */
    private static boolean isFlag(OptionSpec option) {
        return option.arity().max() == 0;
    }

    private static String where(ConfigFile config, ConfigFile.Entry entry) {
        return config.file() + " line " + entry.line() + ": ";
    }

    /** The closest key, when one is close enough to be a typo of {@code key}. */
    private static String suggestion(CommandSpec spec, String key) {
        return spec.options().stream()
                .map(option -> option.longestName().substring(2))
                .filter(name -> !COMMAND_LINE_ONLY.contains(name))
                .min(Comparator.comparingInt(name -> editDistance(name, key)))
                .filter(name -> editDistance(name, key) <= Math.max(2, key.length() / 4))
                .map(name -> " (did you mean '" + name + "'?)")
                .orElse("");
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The file's value for an option, or {@code null} to keep the option's own default. */
    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (argSpec instanceof OptionSpec option) {
            ConfigFile.Entry entry = config.entries().get(option.longestName().substring(2));
            return entry == null ? null : entry.value();
        }
        return null;
    }

    /** The file applied. */
    public ConfigFile file() {
        return config;
    }
}
