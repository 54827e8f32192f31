package io.corvid.broker.cli.security;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An access control list in the format of Mosquitto's {@code acl_file}, parsed. Lines:
 * <pre>
 * topic [read|write|readwrite|deny] &lt;topic&gt;
 * user &lt;name&gt;
 * pattern [read|write|readwrite|deny] &lt;topic&gt;
 * </pre>
 * <ul>
 *   <li>{@code topic} lines before the first {@code user} line are the rules of anonymous
 *       clients (no user name); after a {@code user} line they belong to that user. Several
 *       {@code user} lines with one name add up.</li>
 *   <li>{@code pattern} lines apply to every client wherever they stand; {@code %c} is replaced
 *       by the client identifier and {@code %u} by the user name when checking.</li>
 *   <li>Without an access word the access is {@code readwrite}. The topic is the rest of the line,
 *       blanks inside it included; so a topic with a blank needs the access word. As in
 *       Mosquitto, a line with a single word after {@code topic} names that topic with
 *       {@code readwrite} access, even when the word is {@code read} or {@code deny} (logged as
 *       a warning).</li>
 *   <li>Keywords are lower case, as in Mosquitto. Blank lines and lines starting with {@code #}
 *       are ignored; blanks at the end of a line are dropped.</li>
 * </ul>
 * A line that is none of these, an unknown access word, a missing user name or a topic that is
 * not a valid filter ({@code +} and {@code #} only as whole levels, {@code #} last) makes the
 * whole file invalid, as it does for Mosquitto; the error names the file and the line.
 *
 * <p>A little more lenient than Mosquitto: tabs separate words like spaces (Mosquitto only
 * splits at spaces and refuses such a line), a comment may be indented (Mosquitto refuses
 * {@code " # ..."}), and a UTF-8 byte order mark is skipped. Files Mosquitto accepts read the
 * same here.
 */
public final class AclFile {
    private static final Logger LOG = LoggerFactory.getLogger(AclFile.class);

    /** What a rule grants, or {@link #DENY} to refuse what other rules would grant. */
    public enum Access {
        /** Receive: subscribe. */
        READ,
        /** Send: publish (and the will message). */
        WRITE,
        /** Both. */
        READWRITE,
        /** Neither, whatever other rules grant. */
        DENY;

        /** Whether this grants publishing ({@code write}) or receiving (not {@code write}). */
        public boolean grants(boolean write) {
            return this == READWRITE || this == (write ? WRITE : READ);
        }

        static Access parse(String word) {
            return switch (word) {
                case "read" -> READ;
                case "write" -> WRITE;
                case "readwrite" -> READWRITE;
                case "deny" -> DENY;
                default -> null;
            };
        }
    }

    /**
     * One {@code topic} or {@code pattern} line.
     *
     * @param access     what it grants or denies
     * @param topic      the topic filter; for a pattern, with {@code %c} and {@code %u} unreplaced
     * @param lineNumber where it stands in the file, counted from 1
     */
    public record Rule(Access access, String topic, int lineNumber) {
        public Rule {
            Objects.requireNonNull(access, "access");
            Objects.requireNonNull(topic, "topic");
        }
    }

    private final List<Rule> anonymousRules;
    private final Map<String, List<Rule>> userRules;
    private final List<Rule> patterns;

    private AclFile(List<Rule> anonymousRules, Map<String, List<Rule>> userRules, List<Rule> patterns) {
        this.anonymousRules = List.copyOf(anonymousRules);
        Map<String, List<Rule>> copy = new LinkedHashMap<>();
        userRules.forEach((user, rules) -> copy.put(user, List.copyOf(rules)));
        this.userRules = Collections.unmodifiableMap(copy);
        this.patterns = List.copyOf(patterns);
    }

    /**
     * Reads an ACL file (UTF-8).
     *
     * @throws SecurityFileException when a line is invalid: the message names file, line and fault
     * @throws IOException           when the file cannot be read
     */
    public static AclFile read(Path file) throws IOException {
        return parse(file, TextFiles.readUtf8Lines(file));
    }

    /**
     * Reads the lines of an ACL file.
     *
     * @param source names the file in error messages
     * @throws SecurityFileException when a line is invalid
     */
    public static AclFile parse(Path source, List<String> lines) throws SecurityFileException {
        List<Rule> anonymous = new ArrayList<>();
        Map<String, List<Rule>> users = new LinkedHashMap<>();
        List<Rule> patterns = new ArrayList<>();
        List<Rule> current = anonymous;
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i);
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("[ \t]+", 2);
            String keyword = words[0];
            String rest = words.length > 1 ? words[1] : "";
            switch (keyword) {
                case "user" -> {
                    if (rest.isEmpty()) {
                        throw new SecurityFileException(source, lineNumber, "'user' without a user name");
                    }
                    current = users.computeIfAbsent(rest, user -> new ArrayList<>());
                }
                case "topic" -> current.add(rule(source, lineNumber, keyword, rest));
                case "pattern" -> {
                    Rule rule = rule(source, lineNumber, keyword, rest);
                    if (!rule.topic().contains("%c") && !rule.topic().contains("%u")) {
                        LOG.warn("{}, line {}: pattern '{}' contains neither %c nor %u", source, lineNumber, rule.topic());
                    }
                    patterns.add(rule);
                }
                default -> throw new SecurityFileException(source, lineNumber,
                        "unknown keyword '" + keyword + "' (expected topic, user or pattern)");
            }
        }
        return new AclFile(anonymous, users, patterns);
    }

    private static Rule rule(Path source, int lineNumber, String keyword, String rest) throws SecurityFileException {
        if (rest.isEmpty()) {
            throw new SecurityFileException(source, lineNumber, "'" + keyword + "' without a topic");
        }
        String[] words = rest.split("[ \t]+", 2);
        Access access;
        String topic;
        if (words.length == 1) {
            access = Access.READWRITE;
            topic = words[0];
            if (Access.parse(topic) != null) {
                LOG.warn("{}, line {}: '{} {}' grants readwrite on the topic '{}' (as Mosquitto reads it); "
                        + "a topic was probably forgotten", source, lineNumber, keyword, topic, topic);
            }
        } else {
            access = Access.parse(words[0]);
            if (access == null) {
                throw new SecurityFileException(source, lineNumber, "unknown access '" + words[0]
                        + "' (expected read, write, readwrite or deny; a topic with blanks needs the access word first)");
            }
            topic = words[1];
        }
        if (!TopicPatterns.isValidFilter(topic)) {
            throw new SecurityFileException(source, lineNumber, "invalid topic '" + topic
                    + "' ('+' and '#' must be whole levels, '#' the last)");
        }
        return new Rule(access, topic, lineNumber);
    }

    /** The rules of clients without a user name: the {@code topic} lines before any {@code user} line. */
    public List<Rule> anonymousRules() {
        return anonymousRules;
    }

    /** The {@code topic} rules of each named user, in file order; unmodifiable. */
    public Map<String, List<Rule>> userRules() {
        return userRules;
    }

    /** The {@code pattern} rules, which apply to every client. */
    public List<Rule> patterns() {
        return patterns;
    }
}
