package io.corvid.broker.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fat jar started as a real process with the given arguments, its output in a file (a
 * pipe's reader can lose the last lines when the process exits). Waits on its log, never on
 * the clock alone.
 */
final class LauncherProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Listening for MQTT on .*:(\\d+) \\((\\w+)\\)");

    /** Whether this system's env can reset a signal's disposition (GNU coreutils 8.31 and later). */
    private static final boolean RESET_SIGHUP = envResetsSignals();

    private final Process process;
    private final Path log;

    private LauncherProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java -jar target/broker-cli.jar args...}, logging to {@code log}. */
    static LauncherProcess start(Path log, List<String> args) throws IOException {
        Path jar = Path.of("target", "broker-cli.jar");
        assertTrue(Files.exists(jar), "package the module first: " + jar.toAbsolutePath());
        List<String> command = new ArrayList<>();
        if (RESET_SIGHUP) {
            // A test run under nohup would pass its ignored SIGHUP on to the launcher.
            command.addAll(List.of("env", "--default-signal=HUP"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(args);
        return new LauncherProcess(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start(), log);
    }

    private static boolean envResetsSignals() {
        try {
            Process probe = new ProcessBuilder("env", "--default-signal=HUP", "true").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until the broker is up (its banner's last line) and returns the port of its first listener. */
    int awaitReady() {
        awaitLog(Pattern.compile("Ready"));
        return Integer.parseInt(awaitLog(LISTENING).group(1));
    }

    /** The first match of {@code pattern} in the log, waiting up to 60 s for it. */
    Matcher awaitLog(Pattern pattern) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher matcher = pattern.matcher(log());
            if (matcher.find()) {
                return matcher;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the launcher exited (" + process.exitValue() + ") before logging " + pattern
                        + ":\n" + log());
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the launcher never logged " + pattern + "; it logged:\n" + log());
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    int awaitExit() throws InterruptedException {
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), () -> "the launcher did not exit:\n" + log());
        return process.exitValue();
    }

    /** SIGTERM, then waits (at most 20 s) for the process to exit; returns its exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), () -> "the launcher did not exit after SIGTERM:\n" + log());
        return process.exitValue();
    }

    /** Sends a signal by name (e.g. HUP) with the system's kill. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " failed");
    }

    /** Everything the process logged so far. */
    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** SIGTERM, then kills it if it has not stopped within 20 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
