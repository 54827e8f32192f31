package io.corvid.broker.benchmarks.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a broker process's memory: resident set size from {@code /proc/<pid>/status} (any
 * broker, Linux), and for a JVM broker the live heap, through {@code jcmd <pid> GC.run} then
 * {@code GC.heap_info} when jcmd is on the path. The forced collection makes the heap figure
 * mean live data, not garbage that happens not to be collected yet.
 */
public final class BrokerProbe {
    private static final Pattern RSS = Pattern.compile("^VmRSS:\\s+(\\d+)\\s+kB", Pattern.MULTILINE);
    private static final Pattern HEAP_USED = Pattern.compile(
            "(garbage-first heap|PSYoungGen|ParOldGen|def new generation|tenured generation|ZHeap|Shenandoah)"
                    + "[^\\n]*?used (\\d+)([KMG])");

    private final long pid;

    public BrokerProbe(long pid) {
        this.pid = pid;
    }

    /** The resident set size in KiB, or empty when the process cannot be read. */
    public OptionalLong rssKb() {
        try {
            return parseRssKb(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The used heap in KiB after a full collection, or empty when the process is no JVM or jcmd is missing. */
    public OptionalLong heapUsedKb() {
        if (jcmd("GC.run") == null) {
            return OptionalLong.empty();
        }
        String info = jcmd("GC.heap_info");
        return info == null ? OptionalLong.empty() : parseHeapUsedKb(info);
    }

    static OptionalLong parseRssKb(String status) {
        Matcher matcher = RSS.matcher(status);
        return matcher.find() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    static OptionalLong parseHeapUsedKb(String heapInfo) {
        Matcher matcher = HEAP_USED.matcher(heapInfo);
        long total = 0;
        boolean found = false;
        while (matcher.find()) {
            long value = Long.parseLong(matcher.group(2));
            total += switch (matcher.group(3)) {
                case "G" -> value * 1024 * 1024;
                case "M" -> value * 1024;
                default -> value;
            };
            found = true;
        }
        return found ? OptionalLong.of(total) : OptionalLong.empty();
    }

    private String jcmd(String command) {
        try {
            Process process = new ProcessBuilder("jcmd", Long.toString(pid), command)
                    .redirectErrorStream(true).start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            return process.exitValue() == 0 ? output : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
