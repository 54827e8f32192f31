package io.corvid.broker.benchmarks.load;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the recovery scenario adds to {@link Settings}. The scenario runs in two steps, usually
 * with a broker restart between them (benchmarks/recovery.sh), so both steps name the same
 * session: {@code fill} creates the persistent session {@code session}, subscribed to
 * {@link #topic()}, leaves it and publishes {@code messages} to it, which the broker must store;
 * {@code drain} resumes the session and times the delivery of them all. {@code both} runs the
 * two back to back, without a restart.
 *
 * @param phase          which step
 * @param session        the persistent session's client identifier
 * @param messages       messages published to the session (and expected back)
 * @param timeoutSeconds longest a step's waits may take
 * @param stallSeconds   drain: give up when nothing arrived for this long
 */
public record RecoverySettings(Phase phase, String session, int messages, double timeoutSeconds,
                               double stallSeconds) {

    /** The steps. */
    public enum Phase {
        /** Create the session, leave it, publish to it. */
        FILL,
        /** Resume the session and receive everything stored for it. */
        DRAIN,
        /** Fill, then drain, on the same broker. */
        BOTH;

        /** Parses "fill", "drain" or "both", case-insensitive. */
        public static Phase parse(String text) {
            for (Phase phase : values()) {
                if (phase.name().equalsIgnoreCase(text.trim())) {
                    return phase;
                }
            }
            throw new IllegalArgumentException("--phase must be fill, drain or both: " + text);
        }

        /** The name in results: "fill", "drain" or "both". */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    // Before NONE: its constructor checks against it.
    private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** The default number of messages. */
    public static final int DEFAULT_MESSAGES = 1_000_000;

    /** What the other scenarios carry: nothing they use. */
    public static final RecoverySettings NONE = new RecoverySettings(Phase.BOTH, "lg-recovery", 1, 600, 60);

    public RecoverySettings {
        if (messages < 1) {
            throw new IllegalArgumentException("--messages must be at least 1");
        }
        if (session == null || !SESSION.matcher(session).matches()) {
            throw new IllegalArgumentException("--session must be 1 to 64 letters, digits, '-' or '_': " + session);
        }
        if (!(timeoutSeconds > 0)) {
            throw new IllegalArgumentException("--timeout must be positive");
        }
        if (stallSeconds < 0) {
            throw new IllegalArgumentException("--stall must not be negative");
        }
    }

    /** The topic the session subscribes to and the filler publishes on. */
    public String topic() {
        return "bench/recovery/" + session;
    }
}
