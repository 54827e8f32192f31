package io.corvid.broker.cli;

import io.corvid.broker.cli.config.ConfigOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * What the server says once it is up, after the listeners it bound: what it is, where its
 * settings came from, who may connect and do what, where it keeps its state, the limits an
 * operator changed, where the admin API is (never with its token), and the cluster's members. One fact per line, so that a log search finds each.
 */
final class StartupBanner {
    private StartupBanner() {
    }

    static List<String> lines(String version, ConfigOptions config, String authentication, String authorization,
                              String persistence, List<String> limitsSet, String admin, String cluster) {
        Runtime runtime = Runtime.getRuntime();
        List<String> lines = new ArrayList<>();
        lines.add(version + " on Java " + Runtime.version() + ", " + runtime.availableProcessors()
                + " processors, max heap " + runtime.maxMemory() / (1024 * 1024) + " MiB");
        lines.add("Config: " + (config == null ? "command line only" : config.file().file().toAbsolutePath()
                + " (flags win over it)"));
        lines.add("Authentication: " + authentication);
        lines.add("Authorization: " + authorization);
        lines.add("Persistence: " + persistence);
        lines.add("Limits: " + (limitsSet.isEmpty() ? "defaults" : String.join(", ", limitsSet)));
        lines.add("Admin API and dashboard: " + admin);
        lines.add("Cluster: " + cluster);
        lines.add("Ready");
        return lines;
    }
}
