package io.corvid.broker.cli.security;

import io.corvid.broker.Authorization;
import io.corvid.broker.ClientInfo;
import io.corvid.broker.packet.QoS;
import io.corvid.broker.topic.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publish and subscribe checks from a Mosquitto {@code acl_file} ({@link AclFile}), following
 * Mosquitto 2.0's {@code security_default.c}:
 *
 * <ul>
 *   <li>Once a file is given, whatever it does not grant is refused; an empty file refuses all.</li>
 *   <li>A client's own rules are those of its user name ({@code user} section), or the anonymous
 *       rules (the {@code topic} lines before any {@code user} line) when it has none; a user with
 *       no section has none. {@code pattern} rules apply to every client.</li>
 *   <li>Order of evaluation: the client's own {@code deny} rules, its own grants, then the
 *       {@code deny} patterns, then the granting patterns. The first that decides wins: so a
 *       {@code deny} beats any grant of the same kind, and a user's own grant is decided before a
 *       {@code deny} pattern is looked at, exactly as in Mosquitto.</li>
 *   <li>Publishing (and a will message) needs {@code write} or {@code readwrite}; receiving needs
 *       {@code read} or {@code readwrite}.</li>
 *   <li>In patterns {@code %c} becomes the client identifier and {@code %u} the user name,
 *       wherever they stand in the topic; a pattern with {@code %u} does not apply to an
 *       anonymous client, neither to grant nor to deny.</li>
 *   <li>Matching follows MQTT: a rule starting with {@code +} or {@code #} does not match a
 *       topic starting with {@code $}; {@code $SYS/#} must be named to be granted.</li>
 *   <li>Publishing to {@code $SYS/...} is refused whatever the rules say, except
 *       {@code $SYS/broker/connection/+/state} (bridge status), and publishing to
 *       {@code $share/...} is refused, as Mosquitto's {@code acl__check_dollar} does.</li>
 * </ul>
 *
 * <p>Where this differs from Mosquitto 2.0, and why:
 * <ul>
 *   <li><b>Subscriptions are checked when subscribing.</b> Mosquitto's ACL file never refuses a
 *       SUBSCRIBE (its subscribe check returns success; its source notes subscription rules as
 *       never written); it checks {@code read} on every message it delivers, retained and queued ones
 *       included, and silently drops the rest. Corvid's {@link Authorization} decides once, at
 *       SUBSCRIBE, so a filter is allowed only when every topic it can match would be readable:
 *       one grant covers the whole filter ({@code read a/#} covers {@code a/+/b}, {@code +/x}
 *       does not cover {@code #}), and no {@code deny} rule overlaps it. So with
 *       {@code read a/#} and {@code deny a/secret}, a subscription to {@code a/#} is refused
 *       (Mosquitto would accept it and withhold {@code a/secret}), while {@code a/public/#} is
 *       allowed; and a filter that only two grants together cover is refused. A shared
 *       subscription is checked on its inner filter.</li>
 *   <li><b>Substitution is refused per rule, for {@code +}, {@code #} and {@code /}.</b>
 *       Mosquitto refuses every pattern check of a client whose identifier or user name holds
 *       {@code +} or {@code #}, and does not look at {@code /}. Here a value that holds
 *       {@code +}, {@code #} or {@code /}, or that would make a rule start with {@code $}, is never
 *       substituted: a granting pattern that needs it does not apply, and a {@code deny} pattern
 *       that needs it refuses (fail closed). Otherwise user {@code a/b} would get
 *       {@code users/a/b/#} from {@code pattern readwrite users/%u/#}: a part of user {@code a}'s
 *       space. Patterns that substitute nothing still apply to such a client.</li>
 *   <li>The {@code $share} publish check only applies when an ACL file is in use; Mosquitto
 *       applies it to every client. (The {@code $SYS} check applies to every client: the engine
 *       refuses their publishes there, file or not; this class keeps its own check so that it
 *       is right on its own.)</li>
 * </ul>
 *
 * <p>The rules in force are an immutable snapshot swapped by {@link #reload()}; checks take no
 * lock and run on network threads.
 */
public final class AclAuthorization implements Authorization {
    private static final Logger LOG = LoggerFactory.getLogger(AclAuthorization.class);
    private static final String[] BRIDGE_STATE = TopicPatterns.levels("$SYS/broker/connection/+/state");

    /** One rule with its topic split into levels. */
    private record Grant(AclFile.Access access, String[] levels) {
    }

    /** The rules of one user (or of the anonymous clients), deny rules apart. */
    private record OwnRules(List<String[]> denied, List<Grant> granted) {
    }

    /** A {@code pattern} rule, kept as text: it is split after substitution. */
    private record Pattern(AclFile.Access access, String template) {
    }

    /** Everything a check needs, immutable. */
    private record RuleSet(OwnRules anonymous, Map<String, OwnRules> users, List<Pattern> deniedPatterns,
                           List<Pattern> grantingPatterns, int size) {
    }

    /** How a rule must relate to the topic or filter being checked for the rule to apply. */
    @FunctionalInterface
    private interface Relation {
        boolean test(String[] rule, String[] target);
    }

    private final Path file;
    private volatile RuleSet rules;

    /**
     * Reads the ACL file.
     *
     * @throws SecurityFileException when a line is invalid
     * @throws IOException           when the file cannot be read
     */
    public AclAuthorization(Path file) throws IOException {
        this.file = Objects.requireNonNull(file, "file");
        this.rules = load();
    }

    /**
     * Reads the file again. When it cannot be read or is invalid, the rules read before stay in
     * force and the exception says why, for the caller to log.
     *
     * @return how many {@code topic} and {@code pattern} rules are now in force
     * @throws SecurityFileException when a line is invalid (the previous rules stay)
     * @throws IOException           when the file cannot be read (the previous rules stay)
     */
    public int reload() throws IOException {
        RuleSet loaded = load();
        rules = loaded;
        return loaded.size();
    }

    /** The ACL file. */
    public Path file() {
        return file;
    }

    /** How many {@code topic} and {@code pattern} rules are in force. */
    public int ruleCount() {
        return rules.size();
    }

    /** Allowed when a {@code write} or {@code readwrite} rule matches the topic and no {@code deny} rule decides first. */
    @Override
    public boolean canPublish(ClientInfo client, String topic, QoS qos, boolean retain) {
        if (topic.startsWith("$SYS") && !TopicPatterns.matches(BRIDGE_STATE, TopicPatterns.levels(topic))
                || topic.startsWith(Topics.SHARED_PREFIX)) {
            return false;
        }
        return decide(client, TopicPatterns.levels(topic), true, TopicPatterns::matches, TopicPatterns::matches);
    }

    /**
     * Allowed when one {@code read} or {@code readwrite} rule covers every topic the filter can
     * match and no {@code deny} rule that could match one of them decides first (see the class
     * description for how this differs from Mosquitto).
     */
    @Override
    public boolean canSubscribe(ClientInfo client, String topicFilter, QoS qos) {
        Topics.SharedFilter shared = Topics.parseShared(topicFilter);
        String filter = shared != null ? shared.filter() : topicFilter;
        return decide(client, TopicPatterns.levels(filter), false, TopicPatterns::overlaps, TopicPatterns::covers);
    }

    private boolean decide(ClientInfo client, String[] target, boolean write, Relation denies, Relation grants) {
        RuleSet current = rules;
        OwnRules own = client.username() == null ? current.anonymous() : current.users().get(client.username());
        if (own != null) {
            for (String[] denied : own.denied()) {
                if (denies.test(denied, target)) {
                    return false;
                }
            }
            for (Grant grant : own.granted()) {
                if (grant.access().grants(write) && grants.test(grant.levels(), target)) {
                    return true;
                }
            }
        }
        for (Pattern pattern : current.deniedPatterns()) {
            Substitution substitution = substitute(pattern.template(), client);
            if (substitution.refused()) {
                return false;
            }
            if (substitution.applies() && denies.test(TopicPatterns.levels(substitution.topic()), target)) {
                return false;
            }
        }
        for (Pattern pattern : current.grantingPatterns()) {
            if (!pattern.access().grants(write)) {
                continue;
            }
            Substitution substitution = substitute(pattern.template(), client);
            if (substitution.applies() && grants.test(TopicPatterns.levels(substitution.topic()), target)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The outcome of putting a client's identity into a pattern.
     *
     * @param topic   the rule topic after substitution, or {@code null} when the rule cannot be used
     * @param refused whether a value was unsafe to substitute (as opposed to absent, like the user
     *                name of an anonymous client)
     */
    private record Substitution(String topic, boolean refused) {
        static final Substitution NOT_APPLICABLE = new Substitution(null, false);
        static final Substitution REFUSED = new Substitution(null, true);

        boolean applies() {
            return topic != null;
        }
    }

    private static Substitution substitute(String template, ClientInfo client) {
        // Mosquitto skips a %u pattern for an anonymous client before looking at anything else.
        if (client.username() == null && template.contains("%u")) {
            return Substitution.NOT_APPLICABLE;
        }
        StringBuilder topic = new StringBuilder(template.length() + 16);
        int length = template.length();
        for (int i = 0; i < length; i++) {
            char c = template.charAt(i);
            if (c == '%' && i + 1 < length && (template.charAt(i + 1) == 'c' || template.charAt(i + 1) == 'u')) {
                boolean clientId = template.charAt(i + 1) == 'c';
                String value = clientId ? client.clientId() : client.username();
                if (value == null) {
                    return Substitution.NOT_APPLICABLE;
                }
                if (!isSafeToSubstitute(value)) {
                    LOG.debug("ACL pattern '{}' not applied to {}: its {} '{}' holds '+', '#' or '/'",
                            template, client.clientId(), clientId ? "client identifier" : "user name", value);
                    return Substitution.REFUSED;
                }
                topic.append(value);
                i++;
            } else {
                topic.append(c);
            }
        }
        if (topic.length() > 0 && topic.charAt(0) == '$' && !template.startsWith("$")) {
            LOG.debug("ACL pattern '{}' not applied to {}: substitution would make it a $ topic", template, client.clientId());
            return Substitution.REFUSED;
        }
        return new Substitution(topic.toString(), false);
    }

    private static boolean isSafeToSubstitute(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+' || c == '#' || c == '/') {
                return false;
            }
        }
        return true;
    }

    private RuleSet load() throws IOException {
        AclFile acl = AclFile.read(file);
        int size = acl.anonymousRules().size() + acl.patterns().size();
        Map<String, OwnRules> users = new HashMap<>();
        for (Map.Entry<String, List<AclFile.Rule>> entry : acl.userRules().entrySet()) {
            users.put(entry.getKey(), ownRules(entry.getValue()));
            size += entry.getValue().size();
        }
        List<Pattern> denied = new ArrayList<>();
        List<Pattern> granting = new ArrayList<>();
        for (AclFile.Rule rule : acl.patterns()) {
            (rule.access() == AclFile.Access.DENY ? denied : granting).add(new Pattern(rule.access(), rule.topic()));
        }
        LOG.info("Read {} ACL rules for {} users and anonymous clients from {}", size, users.size(), file);
        return new RuleSet(ownRules(acl.anonymousRules()), Map.copyOf(users), List.copyOf(denied), List.copyOf(granting), size);
    }

    private static OwnRules ownRules(List<AclFile.Rule> rules) {
        List<String[]> denied = new ArrayList<>();
        List<Grant> granted = new ArrayList<>();
        for (AclFile.Rule rule : rules) {
            String[] levels = TopicPatterns.levels(rule.topic());
            if (rule.access() == AclFile.Access.DENY) {
                denied.add(levels);
            } else {
                granted.add(new Grant(rule.access(), levels));
            }
        }
        return new OwnRules(List.copyOf(denied), List.copyOf(granted));
    }
}
