package io.corvid.broker.cli.config;

/**
 * A config file that cannot be used: unreadable, not YAML, an unknown key or a bad value. The
 * message names the file, the line, the key and the value, and what is allowed instead.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
